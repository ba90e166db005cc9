"""The only door to DynamoDB: PynamoDB models and the repositories that turn their
items into domain objects and back. See README.md for the access patterns.

Importing this package is cheap: each repository (and so PynamoDB and botocore) is
imported when it is first used, so that `import app` and the pages that need no table
do not pay for them on a cold start."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from chalicelib.settings import Settings, get_settings

if TYPE_CHECKING:
    from chalicelib.store.agents import AgentLinkRepository, AgentRepository, SessionRepository
    from chalicelib.store.catalogue import CatalogueRepository
    from chalicelib.store.counters import CounterRepository
    from chalicelib.store.notifications import ReceiptRepository, ReminderRepository
    from chalicelib.store.planning import PlanningRepository
    from chalicelib.store.ratelimits import RateLimitRepository
    from chalicelib.store.rdv_writes import RdvWriteRepository
    from chalicelib.store.rdvs import RdvRepository
    from chalicelib.store.usagers import UsagerRepository
    from chalicelib.store.waiting_list import WaitingListRepository


@dataclass
class Store:
    """Every repository, bound to one stage's tables. Build it with `get_store()`."""

    settings: Settings

    @cached_property
    def catalogue(self) -> CatalogueRepository:
        from chalicelib.store.catalogue import CatalogueRepository

        return CatalogueRepository()

    @cached_property
    def agents(self) -> AgentRepository:
        from chalicelib.store.agents import AgentRepository

        return AgentRepository()

    @cached_property
    def sessions(self) -> SessionRepository:
        from chalicelib.store.agents import SessionRepository

        return SessionRepository()

    @cached_property
    def agent_links(self) -> AgentLinkRepository:
        from chalicelib.store.agents import AgentLinkRepository

        return AgentLinkRepository()

    @cached_property
    def planning(self) -> PlanningRepository:
        from chalicelib.store.planning import PlanningRepository

        return PlanningRepository()

    @cached_property
    def usagers(self) -> UsagerRepository:
        from chalicelib.store.usagers import UsagerRepository

        return UsagerRepository()

    @cached_property
    def rdvs(self) -> RdvRepository:
        from chalicelib.store.rdvs import RdvRepository

        return RdvRepository()

    @cached_property
    def rdv_writes(self) -> RdvWriteRepository:
        from chalicelib.store.rdv_writes import RdvWriteRepository

        return RdvWriteRepository()

    @cached_property
    def receipts(self) -> ReceiptRepository:
        from chalicelib.store.notifications import ReceiptRepository

        return ReceiptRepository()

    @cached_property
    def reminders(self) -> ReminderRepository:
        from chalicelib.store.notifications import ReminderRepository

        return ReminderRepository()

    @cached_property
    def waiting_list(self) -> WaitingListRepository:
        from chalicelib.store.waiting_list import WaitingListRepository

        return WaitingListRepository()

    @cached_property
    def counters(self) -> CounterRepository:
        from chalicelib.store.counters import CounterRepository

        return CounterRepository()

    @cached_property
    def rate_limits(self) -> RateLimitRepository:
        from chalicelib.store.ratelimits import RateLimitRepository

        return RateLimitRepository()


def get_store(settings: Settings | None = None) -> Store:
    """The store for the current settings; binds the models to their tables first."""
    from chalicelib.store.connection import configure

    settings = settings or get_settings()
    configure(settings)
    return Store(settings)
