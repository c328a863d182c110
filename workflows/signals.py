"""Signals of campaigns for the apps above workflows (which may not be imported from here).

- ``intake_closed`` is sent inside ``change_campaign_status``'s transaction when intake closes
  (``campaign``, ``actor``): a receiver's writes commit or roll back with the closing. Awards
  reports the townships and units below the campaign's minimums on it.
"""

from django.dispatch import Signal

intake_closed = Signal()
