"""One settings object, read from the environment (prefix RDVSOL_).

`.chalice/config.json` sets these per stage; `make run` and the tests set them for
moto. Loaded on first use (pydantic costs import time a cold start need not pay).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_STAGES = frozenset({"local", "test"})
LOCAL_SECRET = "local-only-secret-do-not-deploy"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RDVSOL_", extra="ignore")

    stage: str = "local"
    table_prefix: str = "rdvsol-local-"
    aws_region: str = "eu-west-3"
    # moto's server locally; None on AWS (the SDK's default endpoints).
    aws_endpoint_url: str | None = None
    # Public address of the site, used in links sent by SMS and e-mail.
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/Paris"
    sms_sender_id: str = Field(default="RDVSolidar", max_length=11)
    email_sender: str = "RDV Solidarités <ne-pas-repondre@rdv-solidarites.example>"
    # Signs sessions and CSRF tokens. Local default only: deployed stages set their own.
    secret_key: str = Field(default=LOCAL_SECRET, min_length=16)
    log_level: str = "INFO"
    # Notifications: one SQS queue feeds the sender; SES feedback arrives on an SNS topic.
    notifications_queue: str = "rdvsol-local-notifications"
    ses_feedback_topic: str = "rdvsol-local-ses-feedback"
    ses_configuration_set: str | None = None
    # Deliveries of one notification message before it is marked failed (then the DLQ).
    max_delivery_attempts: int = 5
    # Each booking sends an SMS, which costs money: bookings allowed per window.
    bookings_per_address_per_hour: int = 10
    bookings_per_phone_per_day: int = 4

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES

    @model_validator(mode="after")
    def _deployed_stages_have_their_own_secret(self) -> Settings:
        if not self.is_local and self.secret_key == LOCAL_SECRET:
            raise ValueError("RDVSOL_SECRET_KEY must be set on a deployed stage")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between runs)."""
    get_settings.cache_clear()
