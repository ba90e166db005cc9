"""The layer contracts of pyproject.toml bite: `lint-imports`, run on a copy of chalicelib/,
passes as it is and fails, naming the contract, once a forbidden import is planted."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
ROUTES_CONTRACT = "Routes never touch PynamoDB models or boto3"
DEVTOOLS_CONTRACT = "Deployed code never imports the development tools"


@pytest.fixture
def project(tmp_path) -> Path:
    """chalicelib/ and pyproject.toml alone: no devtools/, nothing else of the work tree."""
    shutil.copytree(ROOT / "chalicelib", tmp_path / "chalicelib",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def plant(module: Path, line: str) -> None:
    module.write_text(module.read_text() + f"\n{line}  # planted by the test\n")


def broken_contracts(output: str) -> list[str]:
    return re.findall(r"^(.+) BROKEN$", output, re.MULTILINE)


def test_the_contracts_name_what_the_test_plants():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = {c["name"] for c in config["tool"]["importlinter"]["contracts"]}
    assert {ROUTES_CONTRACT, DEVTOOLS_CONTRACT} <= names


def test_the_copy_passes_as_it_is(project):
    result = lint_imports(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{ROUTES_CONTRACT} KEPT" in result.stdout
    assert f"{DEVTOOLS_CONTRACT} KEPT" in result.stdout


def test_a_route_importing_the_store_breaks_its_contract(project):
    plant(project / "chalicelib" / "routes" / "public.py", "import chalicelib.store")
    result = lint_imports(project)
    assert result.returncode != 0
    assert broken_contracts(result.stdout) == [ROUTES_CONTRACT], result.stdout
    assert "chalicelib.routes.public -> chalicelib.store" in result.stdout


def test_chalicelib_importing_devtools_breaks_its_contract(project):
    # devtools/ is not in the copy: it is seen as an external package, and still caught.
    plant(project / "chalicelib" / "services" / "booking.py", "import devtools")
    result = lint_imports(project)
    assert result.returncode != 0
    assert broken_contracts(result.stdout) == [DEVTOOLS_CONTRACT], result.stdout
    assert "chalicelib.services.booking -> devtools" in result.stdout
