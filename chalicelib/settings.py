"""One settings object, read from the environment: field `x` from `RDVSOL_X`.

The stage is the only input of the AWS resource names: `resource_names(stage)` derives
the table prefix, the notification queue and its dead-letter queue, the SES feedback
topic and the SES configuration set, and `infra/template.py` builds each stage's
resources from the same function, so the code and the deployed resources cannot name
different things. `.chalice/config.json` sets the stage (plus region and log level),
CloudFormation the deployment's secrets; `make run` and the tests set them for moto.

Standard library only, read on first use and cached: a cold Lambda's first response
pays for every import.
"""

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import time
from functools import lru_cache

PREFIX = "RDVSOL_"
LOCAL_STAGES = frozenset({"local", "test"})
LOCAL_SECRET = "local-only-secret-do-not-deploy"
# A stage goes into table, queue and topic names: DynamoDB, SQS, SNS and SES all accept
# lower-case letters, digits and hyphens, and the longest name (the dead-letter queue,
# 24 characters besides the stage) stays within SQS's 80.
STAGE_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,31}")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
QUIET_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")
# Variables that once named resources: the stage names them now.
RETIRED = {
    "RDVSOL_TABLE_PREFIX": "table_prefix",
    "RDVSOL_NOTIFICATIONS_QUEUE": "notifications_queue",
    "RDVSOL_SES_FEEDBACK_TOPIC": "ses_feedback_topic",
    "RDVSOL_SES_CONFIGURATION_SET": "ses_configuration_set",
}

log = logging.getLogger(__name__)


class SettingsError(ValueError):
    """A setting has an invalid value; the message names its environment variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


def variable(name: str) -> str:
    """The environment variable of a setting: `sms_sender_id` -> `RDVSOL_SMS_SENDER_ID`."""
    return PREFIX + name.upper()


@dataclass(frozen=True)
class ResourceNames:
    """What a stage's AWS resources are called (DynamoDB, SQS, SNS, SES)."""

    table_prefix: str
    notifications_queue: str
    notifications_dlq: str
    ses_feedback_topic: str
    # None on local stages: moto's SES has no configuration set to publish feedback.
    ses_configuration_set: str | None
    alarms_topic: str


def check_stage(stage: str) -> str:
    if not STAGE_PATTERN.fullmatch(stage):
        raise SettingsError(
            variable("stage"),
            f"{stage!r} is not a stage name (a lower-case letter, then up to 31 lower-case"
            " letters, digits or hyphens)",
        )
    return stage


def resource_names(stage: str) -> ResourceNames:
    """The names of one stage's resources: the app and infra/template.py both use them."""
    base = f"rdvsol-{check_stage(stage)}"
    return ResourceNames(
        table_prefix=f"{base}-",
        notifications_queue=f"{base}-notifications",
        notifications_dlq=f"{base}-notifications-dlq",
        ses_feedback_topic=f"{base}-ses-feedback",
        ses_configuration_set=None if stage in LOCAL_STAGES else base,
        alarms_topic=f"{base}-alarms",
    )


class _SecretKey:
    """The `secret_key` field: a deployed stage never uses the local key, which is public.

    Checked where the key is read rather than when the settings load: `chalice package`
    loads the app for a deployed stage to learn its queue and topic names, without the
    key, which CloudFormation gives the functions at deploy time."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, settings: "Settings | None", owner: type | None = None) -> str:
        if settings is None:
            return LOCAL_SECRET  # the default, as dataclasses reads it
        key = settings.__dict__[self.slot]
        if key == LOCAL_SECRET and not settings.is_local:
            raise SettingsError(
                variable("secret_key"), f"must be set on a deployed stage ({settings.stage})"
            )
        return key

    def __set__(self, settings: "Settings", key: str) -> None:
        if len(key) < 16:
            raise SettingsError(variable("secret_key"), "at least 16 characters")
        settings.__dict__[self.slot] = key


@dataclass(eq=False)
class Settings:
    # Not frozen: tests/integration/test_public_api.py and test_public_pages.py lower one
    # booking limit with monkeypatch.setattr on the cached settings.
    stage: str = "local"
    aws_region: str = "eu-west-3"
    # moto's server locally; None on AWS (the SDK's default endpoints).
    aws_endpoint_url: str | None = None
    # Public address of the site, used in links sent by SMS and e-mail.
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/Paris"
    # The territoire (département) whose figures the public page /stats shows.
    public_stats_territoire: str = "pas-de-calais"
    # An alphanumeric sender id: 11 characters at most (SNS, and French operators).
    sms_sender_id: str = "RDVSolidar"
    email_sender: str = "RDV Solidarités <ne-pas-repondre@rdv-solidarites.example>"
    # Derives the tokens of the private manage links (chalicelib/services/tokens.py):
    # changing it invalidates every link already sent. The local default is public.
    secret_key: str = _SecretKey()  # type: ignore[assignment]
    log_level: str = "INFO"
    # Deliveries of one notification message before it is marked failed (then the DLQ).
    max_delivery_attempts: int = 5
    # Booking attempts from one client address an hour: everyone behind a social
    # centre's Wi-Fi or a reception desk shares it, so it is high; the per-person limit
    # does the real work.
    bookings_per_address_per_hour: int = 60
    # Bookings and moves made a day (Paris time) with one phone number, and with one
    # e-mail address: each sends messages, which cost money or reach a person.
    bookings_per_person_per_day: int = 6
    # Moves of one rdv by its usager in 24 hours.
    moves_per_rdv_per_day: int = 3
    # The waiting list's limits for organisations that have not set their own (their
    # admins can, in Paramètres): no offer in these hours (local time, "HH:MM-HH:MM";
    # the same time twice: at any hour), usagers offered a slot at once, days a rdv
    # must be away to be moved earlier, offer messages to one person a day.
    waiting_list_quiet_hours: str = "20:00-08:00"
    waiting_list_offers_per_slot: int = 3
    waiting_list_min_notice_days: int = 2
    waiting_list_offers_per_person_per_day: int = 1

    def __post_init__(self) -> None:
        check_stage(self.stage)
        if not 1 <= len(self.sms_sender_id) <= 11:
            raise SettingsError(
                variable("sms_sender_id"),
                f"1 to 11 characters, not {len(self.sms_sender_id)} ({self.sms_sender_id!r})",
            )
        if not self.base_url.startswith(("https://", "http://")):
            raise SettingsError(
                variable("base_url"), f"an http:// or https:// address, not {self.base_url!r}"
            )
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(
                variable("log_level"), f"one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}"
            )
        for name in ("max_delivery_attempts", "bookings_per_address_per_hour",
                     "bookings_per_person_per_day", "moves_per_rdv_per_day",
                     "waiting_list_offers_per_slot", "waiting_list_min_notice_days",
                     "waiting_list_offers_per_person_per_day"):  # fmt: skip
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise SettingsError(variable(name), f"a whole number of at least 1, not {value!r}")
        if not QUIET_HOURS.fullmatch(self.waiting_list_quiet_hours):
            raise SettingsError(
                variable("waiting_list_quiet_hours"),
                f"two times as HH:MM-HH:MM (20:00-08:00), not {self.waiting_list_quiet_hours!r}",
            )

    def __repr__(self) -> str:
        # Never the secret key: settings may end up in a log line.
        shown = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.name != "secret_key"
        )
        return f"Settings({shown})"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """The settings of an environment (`os.environ` by default); unset means default."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(variable(f.name))
            if raw is None:
                continue
            if f.type is int:
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    raise SettingsError(variable(f.name), f"a whole number, not {raw!r}") from None
            elif f.type == str | None:
                values[f.name] = raw or None
            else:
                values[f.name] = raw
        settings = cls(**values)
        for name, attribute in RETIRED.items():
            if name in environ and environ[name] != getattr(settings, attribute):
                log.warning(
                    "%s=%s is ignored: stage %s uses %s",
                    name, environ[name], settings.stage, getattr(settings, attribute),
                )  # fmt: skip
        return settings

    @property
    def waiting_list_quiet_times(self) -> tuple[time, time]:
        """The waiting list's default quiet hours: (from, until), local times."""
        match = QUIET_HOURS.fullmatch(self.waiting_list_quiet_hours)
        assert match is not None  # checked in __post_init__
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return time(h1, m1), time(h2, m2)

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES

    @property
    def names(self) -> ResourceNames:
        return resource_names(self.stage)

    @property
    def table_prefix(self) -> str:
        return self.names.table_prefix

    @property
    def notifications_queue(self) -> str:
        return self.names.notifications_queue

    @property
    def notifications_dlq(self) -> str:
        return self.names.notifications_dlq

    @property
    def ses_feedback_topic(self) -> str:
        return self.names.ses_feedback_topic

    @property
    def ses_configuration_set(self) -> str | None:
        return self.names.ses_configuration_set


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environ()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between runs)."""
    get_settings.cache_clear()
