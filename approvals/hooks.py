"""Extension points of approvals that the apps above it fill in (approvals may not import them).

- A publicity labeller names what each nomination on a 公示 list received (the award tier): the
  label is stored on the ``PublicityEntry`` when the round starts, so the page, the API and the
  notice show what was published. Awards registers one in its ``AppConfig.ready``.
- A publicity tier reader names the award tiers (keys and names) each nomination holds, so a
  公示 round may list a subset by tier (the 十佳 after the 入围). Awards registers one.
- ``nomination_revoked`` is sent inside the revoking transaction (``revoke_in_transaction``) with
  ``nomination`` and ``actor``: a receiver's writes commit or roll back with the revocation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.dispatch import Signal

# (campaign id, nomination ids) → {nomination id: label}, in the order the list should show them.
PublicityLabeller = Callable[[int, Sequence[int]], dict[int, str]]

_labellers: list[PublicityLabeller] = []

# (campaign id, nomination ids) → {nomination id: the keys and names of the tiers it holds}
PublicityTierReader = Callable[[int, Sequence[int]], dict[int, set[str]]]

_tier_readers: list[PublicityTierReader] = []

nomination_revoked = Signal()


def register_publicity_labeller(labeller: PublicityLabeller) -> None:
    if labeller not in _labellers:
        _labellers.append(labeller)


def register_publicity_tier_reader(reader: PublicityTierReader) -> None:
    if reader not in _tier_readers:
        _tier_readers.append(reader)


def publicity_tiers(campaign_id: int, nomination_ids: Sequence[int]) -> dict[int, set[str]]:
    """Every registered reader's tiers (keys and names) of each nomination, merged."""
    tiers: dict[int, set[str]] = {}
    for reader in _tier_readers:
        for nomination_id, held in reader(campaign_id, nomination_ids).items():
            tiers.setdefault(nomination_id, set()).update(held)
    return tiers


def publicity_labels(campaign_id: int, nomination_ids: Sequence[int]) -> dict[int, str]:
    """Every registered labeller's labels, the first one to name a nomination winning."""
    labels: dict[int, str] = {}
    for labeller in _labellers:
        for nomination_id, label in labeller(campaign_id, nomination_ids).items():
            labels.setdefault(nomination_id, label)
    return labels
