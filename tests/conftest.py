"""Shared fixtures. Tests never reach AWS: moto in-process (`mock_aws`) for integration
tests, moto's server on loopback for end-to-end tests."""

from __future__ import annotations

import os

import pytest

# Before anything builds a client: fake credentials, a region, and a test stage.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_EC2_METADATA_DISABLED": "true",
        "RDVSOL_STAGE": "test",
        "RDVSOL_AWS_REGION": "eu-west-3",
        "RDVSOL_BASE_URL": "https://rdv.example.fr",
    }
)
os.environ.pop("RDVSOL_AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture
def aws():
    """A fresh moto in-process with every table created from the models."""
    from moto import mock_aws

    from chalicelib.notify import clients, queue
    from chalicelib.settings import get_settings, reset_settings
    from chalicelib.store.connection import create_tables, reset
    from devtools.messaging import ensure_local_messaging
    from devtools.moto_atomic import make_dynamodb_atomic

    make_dynamodb_atomic()
    reset_settings()
    with mock_aws():
        reset()
        clients.reset()
        queue.reset()
        create_tables(get_settings())
        ensure_local_messaging(get_settings())
        yield
        reset()
        clients.reset()
        queue.reset()


@pytest.fixture
def store(aws):
    from chalicelib.store import get_store

    return get_store()


@pytest.fixture
def client(aws):
    from chalice.test import Client

    from app import app

    with Client(app) as test_client:
        yield test_client
