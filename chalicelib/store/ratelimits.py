"""Counters of recent attempts per subject (client address, phone), with a TTL."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.store.models import RateLimitModel


class RateLimitRepository:
    def hit(self, key: str, window_end: datetime) -> int:
        """Count one attempt in the window ending at `window_end`; return the count.
        Atomic ADD: concurrent requests each see their own count."""
        item = RateLimitModel(key=key)
        item.update(
            actions=[
                RateLimitModel.hits.add(1),
                # DynamoDB removes the item some time after this (TTL).
                RateLimitModel.expires_at.set(window_end + timedelta(hours=1)),
            ]
        )
        return int(item.hits)

    def count(self, key: str) -> int:
        """The count of a window so far, without adding to it (0 when none)."""
        try:
            return int(RateLimitModel.get(key).hits or 0)
        except RateLimitModel.DoesNotExist:
            return 0
