"""The settings: defaults, the RDVSOL_* environment, clear errors naming the variable,
the resource names derived from the stage, and a cheap import."""

import logging
import subprocess
import sys
from dataclasses import fields
from datetime import time
from pathlib import Path

import pytest

from chalicelib.settings import (
    LOCAL_SECRET,
    Settings,
    SettingsError,
    get_settings,
    reset_settings,
    resource_names,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-deployed-stage-secret-key-0123456789"


@pytest.fixture
def fresh_settings():
    """get_settings() reads the environment afresh, and the cache is cleared after."""
    reset_settings()
    yield
    reset_settings()


def test_defaults_are_those_of_a_local_stage():
    settings = Settings.from_environ({})
    assert settings.stage == "local"
    assert settings.is_local
    assert settings.aws_region == "eu-west-3"
    assert settings.aws_endpoint_url is None
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.timezone == "Europe/Paris"
    assert settings.sms_sender_id == "RDVSolidar"
    assert settings.email_sender == "RDV Solidarités <ne-pas-repondre@rdv-solidarites.example>"
    assert settings.secret_key == LOCAL_SECRET
    assert settings.log_level == "INFO"
    assert settings.max_delivery_attempts == 5
    assert settings.bookings_per_address_per_hour == 60
    assert settings.bookings_per_person_per_day == 6
    assert settings.moves_per_rdv_per_day == 3
    assert settings.waiting_list_quiet_times == (time(20, 0), time(8, 0))
    assert settings.waiting_list_offers_per_slot == 3
    assert settings.waiting_list_min_notice_days == 2
    assert settings.waiting_list_offers_per_person_per_day == 1
    assert settings.table_prefix == "rdvsol-local-"
    assert settings.notifications_queue == "rdvsol-local-notifications"
    assert settings.notifications_dlq == "rdvsol-local-notifications-dlq"
    assert settings.ses_feedback_topic == "rdvsol-local-ses-feedback"
    assert settings.ses_configuration_set is None


def test_every_field_is_read_from_its_variable():
    environ = {
        "RDVSOL_STAGE": "dev",
        "RDVSOL_AWS_REGION": "eu-west-1",
        "RDVSOL_AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        "RDVSOL_BASE_URL": "https://rdv.example.fr",
        "RDVSOL_TIMEZONE": "America/Cayenne",
        "RDVSOL_SMS_SENDER_ID": "MDS62",
        "RDVSOL_EMAIL_SENDER": "MDS <mds@example.fr>",
        "RDVSOL_SECRET_KEY": SECRET,
        "RDVSOL_LOG_LEVEL": "DEBUG",
        "RDVSOL_MAX_DELIVERY_ATTEMPTS": "3",
        "RDVSOL_BOOKINGS_PER_ADDRESS_PER_HOUR": "100",
        "RDVSOL_BOOKINGS_PER_PERSON_PER_DAY": "7",
        "RDVSOL_MOVES_PER_RDV_PER_DAY": "2",
        "RDVSOL_PUBLIC_STATS_TERRITOIRE": "guyane",
        "RDVSOL_WAITING_LIST_QUIET_HOURS": "21:30-07:00",
        "RDVSOL_WAITING_LIST_OFFERS_PER_SLOT": "2",
        "RDVSOL_WAITING_LIST_MIN_NOTICE_DAYS": "3",
        "RDVSOL_WAITING_LIST_OFFERS_PER_PERSON_PER_DAY": "2",
        "OTHER_VARIABLE": "ignored",
    }
    settings = Settings.from_environ(environ)
    assert {f.name: getattr(settings, f.name) for f in fields(Settings)} == {
        "stage": "dev",
        "aws_region": "eu-west-1",
        "aws_endpoint_url": "http://127.0.0.1:5000",
        "base_url": "https://rdv.example.fr",
        "timezone": "America/Cayenne",
        "public_stats_territoire": "guyane",
        "sms_sender_id": "MDS62",
        "email_sender": "MDS <mds@example.fr>",
        "secret_key": SECRET,
        "log_level": "DEBUG",
        "max_delivery_attempts": 3,
        "bookings_per_address_per_hour": 100,
        "bookings_per_person_per_day": 7,
        "moves_per_rdv_per_day": 2,
        "waiting_list_quiet_hours": "21:30-07:00",
        "waiting_list_offers_per_slot": 2,
        "waiting_list_min_notice_days": 3,
        "waiting_list_offers_per_person_per_day": 2,
    }
    assert settings.waiting_list_quiet_times == (time(21, 30), time(7, 0))
    assert not settings.is_local


def test_an_empty_endpoint_means_aws_own_endpoints():
    assert Settings.from_environ({"RDVSOL_AWS_ENDPOINT_URL": ""}).aws_endpoint_url is None


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("RDVSOL_MAX_DELIVERY_ATTEMPTS", "five", "a whole number, not 'five'"),
        ("RDVSOL_BOOKINGS_PER_PERSON_PER_DAY", "2.5", "a whole number, not '2.5'"),
        ("RDVSOL_BOOKINGS_PER_ADDRESS_PER_HOUR", "0", "at least 1"),
        ("RDVSOL_MAX_DELIVERY_ATTEMPTS", "-1", "at least 1"),
        ("RDVSOL_SMS_SENDER_ID", "RDVSolidarite", "1 to 11 characters, not 13"),
        ("RDVSOL_SMS_SENDER_ID", "", "1 to 11 characters, not 0"),
        ("RDVSOL_SECRET_KEY", "too-short", "at least 16 characters"),
        ("RDVSOL_STAGE", "Prod", "is not a stage name"),
        ("RDVSOL_STAGE", "prod_eu", "is not a stage name"),
        ("RDVSOL_STAGE", "", "is not a stage name"),
        ("RDVSOL_BASE_URL", "rdv.example.fr", "an http:// or https:// address"),
        ("RDVSOL_LOG_LEVEL", "VERBOSE", "one of DEBUG, INFO"),
        ("RDVSOL_WAITING_LIST_QUIET_HOURS", "20h-8h", "two times as HH:MM-HH:MM"),
        ("RDVSOL_WAITING_LIST_QUIET_HOURS", "24:00-08:00", "two times as HH:MM-HH:MM"),
        ("RDVSOL_WAITING_LIST_OFFERS_PER_SLOT", "0", "at least 1"),
    ],
)
def test_an_invalid_value_is_a_clear_error_naming_its_variable(variable, value, problem):
    with pytest.raises(SettingsError, match=problem) as error:
        Settings.from_environ({variable: value})
    assert str(error.value).startswith(f"{variable}: ")
    assert error.value.variable == variable


def test_the_error_never_shows_the_secret_key():
    with pytest.raises(SettingsError) as error:
        Settings.from_environ({"RDVSOL_SECRET_KEY": "leaked-secret"})
    assert "leaked-secret" not in str(error.value)


def test_a_deployed_stage_never_uses_the_public_local_key():
    # The names load without the key: `chalice package` needs them, not the key.
    settings = Settings.from_environ({"RDVSOL_STAGE": "prod"})
    assert settings.notifications_queue == "rdvsol-prod-notifications"
    with pytest.raises(SettingsError, match="RDVSOL_SECRET_KEY: must be set on a deployed stage"):
        _ = settings.secret_key
    explicit = Settings.from_environ({"RDVSOL_STAGE": "prod", "RDVSOL_SECRET_KEY": LOCAL_SECRET})
    with pytest.raises(SettingsError):
        _ = explicit.secret_key
    assert Settings.from_environ({"RDVSOL_STAGE": "prod", "RDVSOL_SECRET_KEY": SECRET}).secret_key
    assert Settings.from_environ({"RDVSOL_STAGE": "test"}).secret_key == LOCAL_SECRET


def test_the_secret_key_stays_out_of_the_settings_repr():
    settings = Settings.from_environ({"RDVSOL_STAGE": "prod", "RDVSOL_SECRET_KEY": SECRET})
    assert SECRET not in repr(settings)
    assert "stage='prod'" in repr(settings)
    assert "secret" not in repr(Settings.from_environ({"RDVSOL_STAGE": "prod"}))


@pytest.mark.parametrize("stage", ["dev", "prod", "preprod-2"])
def test_a_deployed_stage_names_its_resources(stage):
    names = resource_names(stage)
    assert names.table_prefix == f"rdvsol-{stage}-"
    assert names.notifications_queue == f"rdvsol-{stage}-notifications"
    assert names.notifications_dlq == f"rdvsol-{stage}-notifications-dlq"
    assert names.ses_feedback_topic == f"rdvsol-{stage}-ses-feedback"
    assert names.ses_configuration_set == f"rdvsol-{stage}"
    assert names.alarms_topic == f"rdvsol-{stage}-alarms"
    settings = Settings.from_environ({"RDVSOL_STAGE": stage, "RDVSOL_SECRET_KEY": SECRET})
    assert settings.names == names
    assert (
        settings.table_prefix,
        settings.notifications_queue,
        settings.notifications_dlq,
        settings.ses_feedback_topic,
        settings.ses_configuration_set,
    ) == (
        names.table_prefix,
        names.notifications_queue,
        names.notifications_dlq,
        names.ses_feedback_topic,
        names.ses_configuration_set,
    )


@pytest.mark.parametrize("stage", ["local", "test"])
def test_local_stages_have_no_ses_configuration_set(stage):
    names = resource_names(stage)
    assert names.ses_configuration_set is None
    assert names.notifications_queue == f"rdvsol-{stage}-notifications"


def test_the_longest_stage_still_makes_valid_aws_names():
    stage = "s" + "0" * 31
    names = resource_names(stage)
    assert len(names.notifications_dlq) <= 80  # SQS's limit
    with pytest.raises(SettingsError, match="RDVSOL_STAGE"):
        resource_names(stage + "0")


def test_the_stage_alone_names_the_resources(caplog):
    environ = {"RDVSOL_STAGE": "test", "RDVSOL_TABLE_PREFIX": "rdvsol-other-",
               "RDVSOL_NOTIFICATIONS_QUEUE": "rdvsol-test-notifications"}  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="chalicelib.settings"):
        settings = Settings.from_environ(environ)
    assert settings.table_prefix == "rdvsol-test-"
    [warning] = caplog.messages  # the same name as the stage's is harmless
    assert "RDVSOL_TABLE_PREFIX=rdvsol-other- is ignored" in warning
    assert "rdvsol-test-" in warning


def test_get_settings_reads_the_environment_once_until_reset(monkeypatch, fresh_settings):
    monkeypatch.setenv("RDVSOL_STAGE", "dev")
    monkeypatch.setenv("RDVSOL_BOOKINGS_PER_PERSON_PER_DAY", "9")
    first = get_settings()
    assert first.stage == "dev"
    assert first.bookings_per_person_per_day == 9
    monkeypatch.setenv("RDVSOL_STAGE", "prod")
    assert get_settings() is first
    reset_settings()
    assert get_settings().stage == "prod"
    assert get_settings().table_prefix == "rdvsol-prod-"


def test_get_settings_raises_on_an_invalid_environment(monkeypatch, fresh_settings):
    monkeypatch.setenv("RDVSOL_MAX_DELIVERY_ATTEMPTS", "many")
    with pytest.raises(SettingsError, match="RDVSOL_MAX_DELIVERY_ATTEMPTS"):
        get_settings()


def test_importing_the_settings_stays_cheap():
    """A cold Lambda pays every import: the settings load the standard library only."""
    script = (
        "import sys, chalicelib.settings\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'pydantic', 'pydantic_settings', 'boto3', 'botocore', 'pynamodb', 'dotenv'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
