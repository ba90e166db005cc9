"""The built artefacts of the prod stage (`make package STAGE=prod`, which `make test`
runs first). Built here when missing, so `pytest tests/package` works alone too."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "prod"


@pytest.fixture(scope="session")
def build_dir() -> Path:
    if not (BUILD / "sam.json").exists() or not (BUILD / "deployment.zip").exists():
        subprocess.run(
            ["make", "package", "STAGE=prod", "AWS_ACCOUNT_ID=123456789012",
             "RDVSOL_SES_DOMAIN=example.org"],  # the placeholders `make test` gives
            cwd=ROOT,
            check=True,
        )  # fmt: skip
    return BUILD


@pytest.fixture(scope="session")
def template(build_dir) -> dict:
    return json.loads((build_dir / "sam.json").read_text())


from tests.integration.conftest import pilot  # noqa: E402, F401  (the small MDS fixture)
