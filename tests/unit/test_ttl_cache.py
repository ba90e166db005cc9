"""The catalogue cache: a value is read again once it is older than the bound."""

from chalicelib.store.cache import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_loaded_once_until_it_is_older_than_the_bound():
    clock, loads = Clock(), []
    cache = TtlCache(seconds=60, clock=clock)

    def load():
        loads.append(clock.now)
        return f"motif as of {clock.now}"

    assert cache.get("motif-1", load) == "motif as of 0.0"
    clock.now = 59.9
    assert cache.get("motif-1", load) == "motif as of 0.0"
    clock.now = 60.0
    assert cache.get("motif-1", load) == "motif as of 60.0"
    assert loads == [0.0, 60.0]


def test_not_found_is_not_kept_and_clear_forgets_everything():
    cache, answers = TtlCache(clock=Clock()), iter([None, "created since", "changed"])
    assert cache.get("lieu-9", lambda: next(answers)) is None
    assert cache.get("lieu-9", lambda: next(answers)) == "created since"
    cache.clear()
    assert cache.get("lieu-9", lambda: next(answers)) == "changed"


def test_the_cache_stays_bounded():
    cache = TtlCache(max_items=8, clock=Clock())
    for n in range(100):
        cache.get(n, lambda n=n: n)
    assert len(cache._items) <= 8
