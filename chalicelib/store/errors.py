"""What the store reports to the use cases, importable without PynamoDB."""

from __future__ import annotations


class WriteConflict(Exception):
    """A write's conditions failed: an agent's day, the rdv or another item changed
    since it was read (or DynamoDB saw two transactions on one item at once). Nothing
    was written; the use case starts again from fresh reads."""


class LimitReached(Exception):
    """A counted limit written with the change was already reached: nothing was
    written. `limit` is the `domain.policies.CountedLimit` that refused."""

    def __init__(self, limit: object) -> None:
        super().__init__(limit)
        self.limit = limit
