"""One MDS's day, from its setup to its statistics, in Chromium through the real forms:
the demo admin creates a lieu, a motif bookable online and a weekly plage of hers there;
an usager (no sign-in) finds the MDS from its postal code and books the plage's first
slot; once it has begun the agent opens it from her dashboard and marks it seen; the
statistics page of that month counts it (one more taken, one more honoured), its CSV
export lists it, and the public /stats (complete months only) answers without anything
personal. Every new page passes axe-core. Screenshots: test-artifacts/mds-*.png."""

from __future__ import annotations

import csv
import io
import re
import secrets
import string
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from chalicelib.web.charts import month_label
from tests.e2e.conftest import DESKTOP, screenshot
from tests.e2e.test_agent_planning import axe_failures
from tests.e2e.test_agent_print import sign_in
from tests.e2e.test_usager_journey import go

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
SETUP = "/agents/parametres"
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def number(text: str) -> int:
    """A figure as the statistics page writes it (« 1 234 », « – » for none)."""
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else 0


def organisation_figures(page, base: str, month: str) -> dict[str, int]:
    page.goto(f"{base}/agents/statistiques?mois={month}")
    figures = {}
    for card in page.locator("ul.cards li").all():
        label = card.locator(".label").inner_text()
        figures[label.split(" :")[0]] = number(card.locator(".value").inner_text())
    return figures


def motif_row(page, base: str, month: str, motif_name: str) -> list[str]:
    page.goto(f"{base}/agents/statistiques?mois={month}&par=motif")
    row = page.locator("table.figures tbody tr", has=page.get_by_role("link", name=motif_name))
    expect(row).to_have_count(1)
    return [cell.inner_text() for cell in row.locator("td").all()]


def test_an_mds_from_its_setup_to_its_statistics(live_server, browser):
    base = live_server.url
    token = "".join(secrets.choice(string.ascii_lowercase) for _ in range(6))  # a name's
    lieu_name, motif_name = f"Antenne Beau-Marais {token}", f"Pesée rapide {token}"
    first_name, last_name, phone = "Maëlle", f"Dufresne-{token.capitalize()}", "06 12 48 26 90"
    failures: list[str] = []
    started = time.monotonic()

    # The plage is today's (see below): it needs the hour before midnight.
    if datetime.now(PARIS).hour >= 23:
        pytest.skip("the plage must start today and last an hour: not so close to midnight")
    today = datetime.now(PARIS).date()
    month = today.strftime("%Y-%m")

    agent_context = browser.new_context(
        viewport=DESKTOP, locale="fr-FR", timezone_id="Europe/Paris"
    )
    page = agent_context.new_page()

    def shot(name: str, target=None) -> None:
        target = target or page
        screenshot(target, f"mds-{name}")
        failures.extend(axe_failures(target, name))

    sign_in(page, base)  # Claire Lefebvre, admin of MDS Calais II

    # The lieu.
    page.goto(base + f"{SETUP}/lieux/nouveau")
    page.get_by_label("Nom du lieu").fill(lieu_name)
    page.get_by_label("Adresse").fill("12 rue du Beau-Marais, 62100 Calais")
    page.get_by_label("Téléphone").fill("0321460202")
    page.get_by_label("Horaires d’ouverture").fill("Tous les jours, 8 h – 23 h")
    page.get_by_label("Accessibilité").fill("De plain-pied")
    shot("01-lieu-nouveau")
    go(page, page.get_by_role("button", name="Ajouter le lieu"))
    expect(page.locator(".success")).to_have_text("C’est enregistré.")
    expect(page.get_by_role("link", name=lieu_name)).to_be_visible()

    # The motif: online, no minimum delay, cancellable until it begins.
    page.goto(base + f"{SETUP}/motifs/nouveau")
    page.get_by_label("Nom du motif").fill(motif_name)
    page.get_by_label("Service").select_option(label="PMI")
    page.get_by_label("Durée, en minutes").fill("15")
    page.locator("input[name=lieu_type][value=public_office]").check()
    page.get_by_label("Les usagers peuvent le réserver en ligne").check()
    page.locator("#delai_min").fill("0")
    page.locator("#delai_min_unite").select_option("minutes")
    page.locator("#annulation").fill("0")
    page.locator("#annulation_unite").select_option("minutes")
    page.get_by_label("Bleu canard").check()
    shot("02-motif-nouveau")
    go(page, page.get_by_role("button", name="Ajouter le motif"))
    expect(page.locator(".success")).to_have_text("C’est enregistré.")
    expect(page.get_by_role("link", name=motif_name)).to_be_visible()

    # The figures before the booking.
    before = organisation_figures(page, base, month)
    assert motif_row(page, base, month, motif_name)[0] == "0"

    # A weekly plage of hers, at the new lieu, offering the new motif only. It starts
    # today, a little ahead: its first slot is booked online before it begins, and « Vu »
    # is only offered once it has begun (services/agent_rdvs.py).
    start = (datetime.now(PARIS) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    assert start.date() == today
    page.goto(base + "/agents/plages/nouvelle")
    page.select_option("#lieu", label=lieu_name)
    page.get_by_label(motif_name).check()
    page.fill("#premier_jour", today.isoformat())
    page.fill("#debut", start.strftime("%H:%M"))
    page.fill("#fin", (start + timedelta(hours=1)).strftime("%H:%M"))
    page.select_option("#repetition", "hebdomadaire")
    page.get_by_label(WEEKDAYS[today.weekday()], exact=True).check()
    page.fill("#jusqu_au", (today + timedelta(weeks=4)).isoformat())
    page.get_by_label("Ouverte aussi les jours fériés").check()
    page.fill("#titre", f"Pesées du soir {token}")
    go(page, page.get_by_role("button", name="Enregistrer"))
    expect(page).to_have_url(re.compile(r"/agents/plages\?fait=plage"))
    assert f"Pesées du soir {token}" in page.content()
    shot("03-plages")

    # The usager, in a browser of her own.
    usager_context = browser.new_context(
        viewport=DESKTOP, locale="fr-FR", timezone_id="Europe/Paris"
    )
    usager = usager_context.new_page()
    usager.goto(base + "/")
    usager.get_by_label("Votre code postal ou votre commune").fill("62100")
    go(usager, usager.get_by_role("button", name="Rechercher"))
    go(usager, usager.get_by_role("link", name="MDS Calais II"))
    go(usager, usager.get_by_role("link", name="PMI"))
    shot("04-motifs", usager)
    go(usager, usager.get_by_role("link", name=motif_name))
    shot("05-lieux", usager)
    go(usager, usager.get_by_role("link", name=lieu_name))
    shot("06-creneaux", usager)
    first_slot = usager.locator("ul.slots a").first
    chosen = first_slot.get_attribute("aria-label")
    assert start.strftime("%-Hh%M") in chosen or start.strftime("%Hh%M") in chosen, chosen
    go(usager, first_slot)
    usager.get_by_label("Pour moi").check()
    usager.get_by_label("Votre prénom").fill(first_name)
    usager.get_by_label("Votre nom").fill(last_name)
    usager.get_by_label("Téléphone portable").fill(phone)
    shot("07-formulaire", usager)
    go(usager, usager.get_by_role("button", name="Confirmer le rendez-vous"))
    confirmed = usager.get_by_role("heading", level=1).inner_text()
    assert confirmed == "Votre rendez-vous est confirmé", usager.locator("main").inner_text()
    assert lieu_name in usager.locator("main").inner_text()
    shot("08-confirmation", usager)

    # The agent finds it on her dashboard; « Vu » waits for its start.
    page.goto(base + "/agents")
    link = page.get_by_role("link", name=f"rendez-vous de {first_name} {last_name}")
    expect(link).to_have_count(1)
    go(page, link)
    rdv_id = page.url.rstrip("/").split("/")[-1]
    assert motif_name in page.locator("main").inner_text()
    wait = (start - datetime.now(PARIS)).total_seconds() + 1
    if wait > 0:
        expect(page.get_by_role("button", name="Vu", exact=True)).to_have_count(0)
        time.sleep(wait)
        page.reload()
    go(page, page.get_by_role("button", name="Vu", exact=True))
    expect(page.locator("main .status").first).to_have_text(re.compile("Vu"))
    shot("09-rdv-vu")

    # The statistics of the month: exactly one more, honoured, online.
    after = organisation_figures(page, base, month)
    shot("10-statistiques")
    assert after["rendez-vous pris"] == before["rendez-vous pris"] + 1, (before, after)
    assert after["honorés"] == before["honorés"] + 1, (before, after)
    cells = motif_row(page, base, month, motif_name)
    assert (cells[0], cells[3]) == ("1", "1"), cells  # taken, honoured
    shot("11-statistiques-motif")

    # Its line in the month's CSV export, with nothing personal.
    first_day = today.replace(day=1).isoformat()
    with page.expect_download() as download:
        page.locator(f'#export ~ ul a[href*="du={first_day}"]').click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = {row[0]: row for row in csv.reader(io.StringIO(text), delimiter=";")}
    assert rdv_id in rows, rdv_id
    line = dict(zip(rows["identifiant"], rows[rdv_id], strict=True))
    assert line["date"] == today.isoformat() and line["heure"] == start.strftime("%H:%M")
    assert (line["motif"], line["lieu"], line["service"]) == (motif_name, lieu_name, "PMI")
    assert (line["statut"], line["pris"]) == ("honoré", "en ligne"), line
    assert line["agent"] == "Claire Lefebvre"
    assert last_name not in text and phone.replace(" ", "") not in text.replace(" ", "")

    # /stats: the last twelve complete months, so not this one yet; nothing personal.
    answer = usager.goto(base + "/stats")
    assert answer.status == 200
    shot("12-stats-publiques", usager)
    body = usager.locator("main").inner_text()
    assert last_name not in body and "06 12 48" not in body and lieu_name not in body
    shown = [th.inner_text() for th in usager.locator("table.figures tbody th").all()]
    assert month_label(month) not in shown, shown

    # Archived, they leave the other tests' way (the server is shared by the session).
    for kind, name in (("motifs", motif_name), ("lieux", lieu_name)):
        page.goto(base + f"{SETUP}/{kind}")
        go(page, page.get_by_role("link", name=name))
        go(page, page.get_by_role("button", name="Archiver ce"))
        expect(page.locator(".success")).to_contain_text("C’est archivé")
    usager_context.close()
    agent_context.close()
    print(f"journey: {time.monotonic() - started:.0f}s")
    assert not failures, "\n".join(failures)
