"""What every web view shares: keyset pages (``pagination``) and business errors shown in Chinese (``errors``)."""
