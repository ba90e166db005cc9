"""The statistics pages in Chromium: the agents' page (organisation, by agent) and the
public /stats, at a phone's and a desktop's width, pass axe-core, fit the window, and
draw their SVG chart from the demo's year of history. Screenshots go to
test-artifacts/statistiques-*.png and stats-*.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import AXE_OPTIONS, DESKTOP, PHONE, screenshot
from tests.e2e.test_agent_print import sign_in

pytestmark = pytest.mark.e2e


def check(page, name: str, width: str, failures: list[str]) -> None:
    screenshot(page, f"{name}-{width}")
    results = Axe().run(page, options=AXE_OPTIONS)
    for violation in results.response["violations"]:
        nodes = [n["target"] for n in violation["nodes"]][:5]
        failures.append(f"{name}: {violation['id']} ({violation['impact']}) {nodes}")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        failures.append(f"{name}: the page is {overflow}px wider than the window")
    chart = page.locator("svg.chart")
    box = chart.bounding_box()
    if box is None or box["width"] > page.viewport_size["width"]:
        failures.append(f"{name}: the chart does not fit the window ({box})")
    # Twelve months of history: a dot for most months of each line.
    if page.locator("svg.chart circle.noshow").count() < 10:
        failures.append(f"{name}: the chart has too few no-show figures")


@pytest.mark.parametrize("width", ["375px", "1280px"])
def test_the_statistics_pages_pass_axe_and_show_the_year(live_server, page, width):
    base = live_server.url
    page.set_viewport_size(PHONE if width == "375px" else DESKTOP)
    failures: list[str] = []
    page.goto(base + "/stats")
    assert page.locator("h1").inner_text().startswith("Statistiques")
    check(page, "stats", width, failures)
    sign_in(page, base)
    page.goto(base + "/agents/statistiques")
    assert page.get_by_role("link", name="Statistiques").get_attribute("aria-current") == "page"
    check(page, "statistiques", width, failures)
    page.select_option("#par", "agent")
    page.get_by_role("button", name="Afficher").click()
    page.locator("table.figures tbody th a").first.click()
    assert "Sur 12 mois" in page.locator("#douze-mois").inner_text()
    check(page, "statistiques-agent", width, failures)
    with page.expect_download() as download:
        page.get_by_role("link", name=page.locator("#export ~ ul a").first.inner_text()).click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert text.startswith("\ufeffidentifiant;date;heure")
    assert not failures, "\n".join(failures)
