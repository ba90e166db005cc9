"""The only door to DynamoDB: PynamoDB models and the repositories that turn their
items into domain objects and back. See README.md for the access patterns.

Importing this package loads PynamoDB and botocore: routes import services (and so
the store) inside their handlers, so that `import app` stays cheap for cold starts."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.settings import Settings, get_settings
from chalicelib.store.agents import AgentRepository, SessionRepository
from chalicelib.store.catalogue import CatalogueRepository
from chalicelib.store.connection import configure
from chalicelib.store.counters import CounterRepository
from chalicelib.store.notifications import ReceiptRepository, ReminderRepository
from chalicelib.store.planning import PlanningRepository
from chalicelib.store.ratelimits import RateLimitRepository
from chalicelib.store.rdvs import RdvRepository
from chalicelib.store.usagers import UsagerRepository
from chalicelib.store.waiting_list import WaitingListRepository


@dataclass
class Store:
    """Every repository, bound to one stage's tables. Build it with `get_store()`."""

    settings: Settings
    catalogue: CatalogueRepository = field(default_factory=CatalogueRepository)
    agents: AgentRepository = field(default_factory=AgentRepository)
    sessions: SessionRepository = field(default_factory=SessionRepository)
    planning: PlanningRepository = field(default_factory=PlanningRepository)
    usagers: UsagerRepository = field(default_factory=UsagerRepository)
    rdvs: RdvRepository = field(default_factory=RdvRepository)
    receipts: ReceiptRepository = field(default_factory=ReceiptRepository)
    reminders: ReminderRepository = field(default_factory=ReminderRepository)
    waiting_list: WaitingListRepository = field(default_factory=WaitingListRepository)
    counters: CounterRepository = field(default_factory=CounterRepository)
    rate_limits: RateLimitRepository = field(default_factory=RateLimitRepository)


def get_store(settings: Settings | None = None) -> Store:
    """The store for the current settings; binds the models to their tables first."""
    settings = settings or get_settings()
    configure(settings)
    return Store(settings)
