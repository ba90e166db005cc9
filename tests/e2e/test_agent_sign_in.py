"""An agent signs in and out through the real forms in Chromium. The browser decides
what Origin header a form's POST carries (from the page's Referrer-Policy): the server's
Origin check must accept what Chromium sends for this site's own forms."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from devtools.demo_data import DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD

pytestmark = pytest.mark.e2e


def test_an_agent_signs_in_and_out_through_the_forms(live_server, page):
    page.goto(live_server.url + "/agents")
    assert "/agents/connexion" in page.url
    page.get_by_label("Adresse e-mail professionnelle").fill(DEMO_AGENT_EMAIL)
    page.get_by_label("Mot de passe").fill(DEMO_AGENT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    assert page.locator("h1").inner_text().startswith("Bonjour"), page.content()[:2000]
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    page.goto(live_server.url + "/agents")
    assert "/agents/connexion" in page.url
