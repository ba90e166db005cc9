"""Unknown private links, counted per client address: a script trying tokens gets a
429 after a handful of misses in a window, instead of an endless series of quiet 404s.

Only misses are counted, and a known link always opens: tokens are 128 random bits,
so the limit is not what keeps them secret (guessing one is out of reach); it keeps
a scan short and visible, without locking an usager out of their own rdv because a
neighbour on the same connection (a social centre's Wi-Fi) mistyped links."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from chalicelib.domain.errors import DomainError, TooManyUnknownLinks, UnknownLink
from chalicelib.store import Store

UNKNOWN_LINKS_PER_WINDOW = 10
WINDOW = timedelta(minutes=10)


def is_unknown_link(error: DomainError) -> bool:
    """Whether a private-link use case failed because its token leads to no rdv."""
    return isinstance(error, UnknownLink)


def count_unknown_link(store: Store, client_address: str | None, now: datetime) -> None:
    """Count one unknown token tried from this address; TooManyUnknownLinks past the
    limit of the current window (fixed windows of WINDOW)."""
    if not client_address:
        return
    seconds = int(WINDOW.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    window_end = datetime.fromtimestamp(start + seconds, tz=now.tzinfo)
    # Addresses are personal data: the counter keeps a hash.
    subject = hashlib.sha256(client_address.encode()).hexdigest()[:32]
    count = store.rate_limits.hit(f"link#ip#{subject}#{start}", window_end)
    if count > UNKNOWN_LINKS_PER_WINDOW:
        raise TooManyUnknownLinks(retry_after_seconds=int((window_end - now).total_seconds()))
