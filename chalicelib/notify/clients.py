"""AWS clients, created on first use and once per process (boto3 costs import time;
tests start moto before the first call)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.settings import Settings


@lru_cache(maxsize=8)
def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    import boto3

    return boto3.session.Session().client(service, region_name=region, endpoint_url=endpoint_url)


def client(service: str, settings: Settings) -> Any:
    return _client(service, settings.aws_region, settings.aws_endpoint_url)


def reset() -> None:
    _client.cache_clear()
