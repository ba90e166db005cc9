"""A small time-bounded cache for catalogue items (organisations, services, motifs,
lieux, territoires, sectors): a warm Lambda reads each at most once a minute instead
of on every request. What an admin changes reaches every Lambda within `SECONDS`;
what this process writes itself is seen at once (writes clear the cache)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

SECONDS = 60.0
MAX_ITEMS = 2048


class TtlCache:
    def __init__(
        self,
        seconds: float = SECONDS,
        max_items: int = MAX_ITEMS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_items = max_items
        self.clock = clock
        self._items: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value of `key`, loaded when missing or older than `seconds`. Nothing found
        (None, an empty list) is not kept: something created a moment later is found at
        once, and lookups of unknown places cannot crowd the cache."""
        now = self.clock()
        with self._lock:
            entry = self._items.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if value is not None and value != ():
            with self._lock:
                if len(self._items) >= self.max_items:
                    self._evict(now)
                self._items[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def _evict(self, now: float) -> None:
        expired = [k for k, (until, _) in self._items.items() if until <= now]
        for key in expired or list(self._items)[: self.max_items // 4]:
            del self._items[key]


CATALOGUE = TtlCache()
