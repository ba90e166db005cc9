"""Every public page: a title, one h1, French, labelled fields, nothing wider than a
375 px phone, and a visible keyboard focus. axe-core's rules on every page, at a phone's
and a desktop's width: test_axe.py."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName, outline: style.outlineStyle, width: style.outlineWidth,
          shadow: style.boxShadow};
}"""


def public_pages(base: str) -> list[tuple[str, str]]:
    lieux = requests.get(
        base + "/mds/mds-calais-2/motifs/mds-calais-2-consultation-nourrisson", timeout=10
    )
    lieu_path = re.search(r'href="(/mds/[^"]+/lieux/[^"]+)"', lieux.text).group(1)
    week = requests.get(base + lieu_path, timeout=10).text
    nxt = re.search(r'href="([^"]+semaine=[^"#]+)#semaine">Semaine suivante', week).group(1)
    form = re.findall(
        r'href="([^"]+/reserver\?debut=[^"]+)"', requests.get(base + nxt, timeout=10).text
    )
    form_url = form[-1].replace("&amp;", "&")
    booked = requests.post(
        base + form_url.split("?")[0],
        data={"debut": requests.utils.unquote(form_url.split("debut=")[1]), "pour": "moi",
              "prenom": "Mélanie", "nom": "Access", "telephone": "06 12 34 56 75", "sms": "oui"},
        allow_redirects=False,
        timeout=10,
    )  # fmt: skip
    manage = booked.headers["Location"].split("?")[0]
    return [
        ("accueil", "/"),
        ("recherche", "/recherche?lieu=62100"),
        ("recherche-vide", "/recherche?lieu=75001"),
        ("services", "/mds/mds-calais-2"),
        ("motifs", "/mds/mds-calais-2/services/pmi"),
        ("lieux", "/mds/mds-calais-2/motifs/mds-calais-2-consultation-nourrisson"),
        ("creneaux", nxt),
        ("formulaire", form_url),
        ("confirmation", booked.headers["Location"]),
        ("gerer", manage),
        ("deplacer", manage + "/deplacer"),
        ("lien-inconnu", "/r/inconnu"),
    ]


def test_public_pages_are_accessible_on_a_phone(live_server, page):
    for name, path in public_pages(live_server.url):
        page.goto(live_server.url + path)
        assert page.title().strip(), name
        assert page.locator("html").get_attribute("lang") == "fr", name
        assert page.locator("h1").count() == 1, name
        assert page.evaluate(UNLABELLED_FIELDS) == [], name
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        assert focus["tag"] == "A", (name, focus)  # the skip link comes first
        assert focus["outline"] != "none" or focus["shadow"] != "none", (name, focus)
        screenshot(page, f"a11y-{name}")


def test_the_form_with_errors_points_to_each_field(live_server, page):
    page.goto(live_server.url + "/mds/mds-calais-2/motifs/mds-calais-2-consultation-nourrisson")
    for target in (
        page.locator("ul.list a").first,
        page.get_by_role("link", name="Semaine suivante"),
        page.locator("ul.slots a").first,
        page.get_by_role("button", name="Confirmer le rendez-vous"),
    ):
        with page.expect_navigation():
            target.click()
    alert = page.get_by_role("alert").first
    expect(alert).to_be_visible()
    assert "Indiquez votre prénom" in alert.inner_text()
    alert.get_by_role("link", name="Indiquez votre prénom.").click()
    assert page.evaluate("document.activeElement.id") == "prenom" or page.url.endswith("#prenom")
    assert page.get_by_label("Votre prénom").get_attribute("aria-invalid") == "true"
