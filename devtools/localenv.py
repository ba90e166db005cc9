"""The environment of a local stage: moto's server on loopback stands for AWS."""

from __future__ import annotations

import os
import socket


def local_environment(host: str, port: int, moto_port: int) -> dict:
    """The stage `local` names the tables, queue and topic (chalicelib/settings.py)."""
    return {
        "RDVSOL_STAGE": "local",
        "RDVSOL_AWS_REGION": "eu-west-3",
        "RDVSOL_AWS_ENDPOINT_URL": f"http://{host}:{moto_port}",
        "RDVSOL_BASE_URL": f"http://{host}:{port}",
        # moto accepts any credentials; these keep the SDK from looking for real ones.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def apply(environment: dict) -> None:
    os.environ.update(environment)
    from chalicelib.settings import reset_settings

    reset_settings()


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]
