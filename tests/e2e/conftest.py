"""The end-to-end fixture: `devtools.run` (moto's server, tables, demo data and
`chalice local`) in a child process on free ports, and Debian's Chromium driven by
Playwright. Later tests reuse `live_server` and `page`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from devtools.localenv import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# axe-core's rules run on every page (tests/e2e/test_*axe*.py and the journeys).
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": RULE_TAGS}, "resultTypes": ["violations"]}
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


class LiveServer:
    def __init__(self, url: str, moto_url: str) -> None:
        self.url = url
        self.moto_url = moto_url


@pytest.fixture(scope="session")
def live_server():
    port, moto_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RDVSOL_")}
    env["PYTHONUNBUFFERED"] = "1"
    # Every request comes from 127.0.0.1 here: the per-address booking limit would
    # turn the concurrency test's 50 bookers into 429s before they reach the slot.
    env["RDVSOL_BOOKINGS_PER_ADDRESS_PER_HOUR"] = "10000"
    # The server reads the real clock: without quiet hours, the waiting list's offers
    # go at once whenever the tests run (its quiet hours are tested on moto).
    env["RDVSOL_WAITING_LIST_QUIET_HOURS"] = "00:00-00:00"
    log_path = ARTIFACTS / "live-server.log"
    ARTIFACTS.mkdir(exist_ok=True)
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.run", "--port", str(port), "--moto-port", str(moto_port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the local server stopped: see {log_path}")
        try:
            if requests.get(url + "/", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the local server did not answer in time: see {log_path}")
        time.sleep(0.3)
    yield LiveServer(url, f"http://127.0.0.1:{moto_port}")
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(
        viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris", java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
