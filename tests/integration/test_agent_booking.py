"""« Prendre un rendez-vous » for a caller, through the pages (moto): the rdv is written on
the one write path, holds the agent's day, counts, is announced, and is never booked
twice by one form; a time that is not a free slot is booked only once confirmed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.models import BookingChannel, CreatedBy, LocationType, RdvStatus
from chalicelib.services import agent_auth, availability
from chalicelib.services.tokens import hash_token, manage_token
from tests import factories as f
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_agent_auth import PASSWORD, cookie_of, csrf_of, post, sign_in
from tests.integration.test_agent_usagers import person
from tests.integration.test_notifications import drain

TUESDAY = date(2026, 12, 1)


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)
    return NOW


@pytest.fixture
def signed(client, store, pilot, clock):
    agent = replace(pilot.agents[0], password_hash=agent_auth.hash_password(PASSWORD))
    store.agents.save(agent)
    cookie = cookie_of(sign_in(client))
    page = client.http.get("/agents", headers={"Cookie": cookie}).body.decode()
    return cookie, csrf_of(page)


@pytest.fixture
def usagers(store, pilot):
    store.catalogue.save_organisation(f.organisation(id="org-2", name="MDS Ailleurs"))
    return {
        "sophie": person(
            store, "u-sophie", "Sophie", "Martin", "+33612345678", "sophie@example.fr"
        ),
        "leo": person(store, "u-leo", "Léo", "Martin", responsable_id="u-sophie"),
        "other": person(store, "u-other", "Sophie", "Martin", "+33612345678", org="org-2"),
    }


def get(client, path, cookie, **params):
    if params:
        path = f"{path}?{urlencode(params)}"
    return client.http.get(path, headers={"Cookie": cookie})


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the booking form on a confirmation page."""
    form = page.split('action="/agents/prendre-rdv"')[1].split("</form>")[0]
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))


def confirm_page(client, cookie, **params):
    return get(client, "/agents/prendre-rdv/confirmer", cookie, **params)


def book(client, cookie, fields, **extra):
    return post(client, "/agents/prendre-rdv", {**fields, **extra}, cookie=cookie)


def slot_links(page: str) -> list[str]:
    return re.findall(r'href="/agents/prendre-rdv/confirmer\?[^"]*debut=([^"&]+)', page)


def test_an_agent_finds_the_caller_by_name_or_phone_and_sees_the_free_slots(
    client, signed, usagers
):
    cookie, _ = signed
    by_name = get(client, "/agents/prendre-rdv", cookie, q="martin so").body.decode()
    assert 'href="/agents/prendre-rdv?usager=u-sophie"' in by_name
    assert "u-other" not in by_name
    by_phone = get(client, "/agents/prendre-rdv", cookie, q="0612345678").body.decode()
    assert 'href="/agents/prendre-rdv?usager=u-sophie"' in by_phone
    assert 'href="/agents/prendre-rdv?usager=u-leo"' in by_phone
    page = get(client, "/agents/prendre-rdv", cookie, usager="u-sophie").body.decode()
    assert "Sophie" in page and "06 12 34 56 78" in page
    assert "Consultation nourrisson" in page and "Entretien téléphonique" in page
    week = get(
        client, "/agents/prendre-rdv", cookie, usager="u-sophie", motif="m30", lieu="lieu-1"
    ).body.decode()
    links = slot_links(week)
    # Monday 23 from 9h00 (no minimum delay for an agent), 6 slots a morning, Mon–Fri.
    assert links[0] == "2026-11-23T08%3A00Z" and len(links) == 30
    filtered = get(
        client,
        "/agents/prendre-rdv",
        cookie,
        usager="u-sophie",
        motif="m30",
        lieu="lieu-1",
        agent="agent-2",
    ).body.decode()
    assert len(slot_links(filtered)) == 30 and "agent=agent-2" in filtered
    no_lieu = get(client, "/agents/prendre-rdv", cookie, usager="u-sophie", motif="m30")
    assert no_lieu.status_code == 422 and "Choisissez le lieu" in no_lieu.body.decode()


def test_booking_for_a_caller_writes_the_rdv_on_the_write_path(client, store, signed, usagers):
    cookie, _ = signed
    page = confirm_page(
        client, cookie, usager="u-sophie", motif="m30", lieu="lieu-1", debut="2026-12-01T08:00Z"
    ).body.decode()
    assert "mardi 1er décembre 2026 à 9h00" in page and "SMS au 06 12 34 56 78" in page
    fields = form_fields(page)
    assert len(fields["cle"]) >= 16
    answer = book(client, cookie, fields, agent="agent-2", canal="telephone")
    assert answer.status_code == 303
    rdv_id = answer.headers["Location"].removeprefix("/agents/rdv/")
    rdv = store.rdvs.get(rdv_id)
    assert (rdv.agent_id, rdv.starts_at, rdv.lieu_id) == ("agent-2", TUESDAY_9H, "lieu-1")
    assert rdv.created_by is CreatedBy.AGENT and rdv.created_by_agent_id == "agent-1"
    assert rdv.booked_via is BookingChannel.PHONE and rdv.usager_ids == ("u-sophie",)
    assert (rdv.contact.phone, rdv.contact.email) == ("+33612345678", "sophie@example.fr")
    assert rdv.contact.notify_sms and rdv.contact.notify_email
    assert rdv.manage_token_hash == hash_token(manage_token(rdv.id, store.settings.secret_key))
    assert rdv.expires_at > TUESDAY_9H + timedelta(days=700)
    assert drain(store) == [
        {"rdv_id": rdv.id, "event": "rdv_created", "extra": "", "by": "agent-1"}
    ]
    [day] = store.rdv_writes.read_days([("agent-2", TUESDAY)]).values()
    assert [(h.rdv_id, h.starts_at) for h in day.held] == [(rdv.id, TUESDAY_9H)]
    [month] = store.counters.months("organisation#org-1", "2026-12", "2026-12")
    assert month.counts["created_by_agent"] == 1 and month.counts["created_online"] == 0
    assert {r.offset_minutes for r in store.reminders.of_rdv(rdv.id)} == {2880, 1440}
    # The usagers' side no longer offers agent 2 at that time.
    online = availability.slot_at(
        store, usagers_motif(store), store.catalogue.get_lieu("lieu-1"), TUESDAY_9H, NOW
    )
    assert online.agent_ids == ("agent-1",)
    assert (
        slot_links(
            get(
                client,
                "/agents/prendre-rdv",
                cookie,
                usager="u-sophie",
                motif="m30",
                lieu="lieu-1",
                agent="agent-2",
                semaine="2026-11-30",
            ).body.decode()
        )[0]
        != "2026-12-01T08%3A00Z"
    )


def usagers_motif(store):
    return store.catalogue.get_motif("m30")


def test_a_childs_rdv_reaches_their_responsable_at_the_desk(client, store, signed, usagers):
    cookie, _ = signed
    page = confirm_page(
        client,
        cookie,
        usager="u-leo",
        motif="m45",
        lieu="lieu-1",
        debut="2026-12-01T08:00Z",
        agent="agent-1",
    ).body.decode()
    assert "enfant de Sophie Martin" in page
    answer = book(client, cookie, form_fields(page), agent="agent-1", canal="accueil")
    rdv = store.rdvs.get(answer.headers["Location"].removeprefix("/agents/rdv/"))
    assert rdv.usager_ids == ("u-leo",) and rdv.booked_via is BookingChannel.DESK
    assert (rdv.contact.phone, rdv.contact.child_first_name) == ("+33612345678", "Léo")
    assert rdv.duration_minutes == 45
    record = get(client, "/agents/usagers/u-leo", cookie).body.decode()
    assert f"/agents/rdv/{rdv.id}" in record.split('id="a-venir"')[1].split('id="passes"')[0]


def test_a_phone_motif_takes_no_lieu_and_a_home_visit_its_address(client, store, signed, usagers):
    cookie, _ = signed
    store.catalogue.save_motif(
        f.motif(
            id="mdom",
            name="Visite à domicile",
            location_type=LocationType.HOME,
            bookable_online=False,
        )
    )
    store.planning.save_plage(
        f.plage(
            id="plage-dom",
            agent_id="agent-1",
            lieu_id=None,
            motif_ids=("mdom",),
            start_time=datetime.min.time().replace(hour=14),
            end_time=datetime.min.time().replace(hour=16),
        )
    )
    page = get(client, "/agents/prendre-rdv", cookie, usager="u-sophie", motif="mtel")
    assert page.status_code == 200 and slot_links(page.body.decode())
    phone = confirm_page(
        client, cookie, usager="u-sophie", motif="mtel", debut="2026-12-01T08:00Z"
    ).body.decode()
    answer = book(client, cookie, form_fields(phone), agent="agent-1", canal="telephone")
    assert store.rdvs.get(answer.headers["Location"].rsplit("/", 1)[1]).lieu_id is None
    # Wednesday 25 November, 14h00 Paris: a plage with no lieu, a motif not online.
    home = confirm_page(
        client, cookie, usager="u-sophie", motif="mdom", debut="2026-11-25T13:00Z"
    ).body.decode()
    fields = form_fields(home)
    missing = book(client, cookie, fields, agent="agent-1", canal="accueil")
    assert missing.status_code == 422 and "Indiquez l’adresse" in missing.body.decode()
    answer = book(
        client,
        cookie,
        fields,
        agent="agent-1",
        canal="accueil",
        adresse="3 rue des Lilas\n62100 Calais",
    )
    assert answer.status_code == 303
    rdv = store.rdvs.get(answer.headers["Location"].rsplit("/", 1)[1])
    assert rdv.home_address == "3 rue des Lilas 62100 Calais" and rdv.lieu_id is None


def test_a_double_submit_books_once(client, store, signed, usagers):
    cookie, _ = signed
    page = confirm_page(
        client, cookie, usager="u-sophie", motif="m30", lieu="lieu-1", debut="2026-12-01T08:00Z"
    ).body.decode()
    fields = {**form_fields(page), "agent": "agent-1", "canal": "telephone"}
    first, second = book(client, cookie, fields), book(client, cookie, fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert [r.id for r in store.rdvs.of_usager("u-sophie")] == [
        first.headers["Location"].rsplit("/", 1)[1]
    ]
    assert len(drain(store)) == 1
    [month] = store.counters.months("organisation#org-1", "2026-12", "2026-12")
    assert month.counts["created"] == 1
    # The same form changed (Back, another time) is not that rdv: a new key is given.
    other = book(client, cookie, fields, debut="2026-12-01T08:30Z")
    assert other.status_code == 422 and "déjà servi" in other.body.decode()
    assert form_fields(other.body.decode())["cle"] != fields["cle"]
    assert len(store.rdvs.of_usager("u-sophie")) == 1


def test_a_forced_time_is_booked_only_after_an_explicit_confirmation(
    client, store, signed, usagers
):
    cookie, _ = signed
    # Tuesday 14h00: outside every plage.
    page = confirm_page(
        client,
        cookie,
        usager="u-sophie",
        motif="m30",
        lieu="lieu-1",
        jour="2026-12-01",
        heure="14:00",
        agent="agent-1",
    )
    text = page.body.decode()
    assert page.status_code == 200
    assert "n’est pas un créneau libre" in text and "en dehors des plages" in text
    fields = {**form_fields(text), "canal": "accueil"}
    assert fields["debut"] == "2026-12-01T13:00Z" and fields["agent"] == "agent-1"
    unconfirmed = book(client, cookie, fields)
    assert unconfirmed.status_code == 409 and "Confirmez-le" in unconfirmed.body.decode()
    assert store.rdvs.of_usager("u-sophie") == [] and drain(store) == []
    answer = book(client, cookie, fields, forcer="oui")
    assert answer.status_code == 303
    rdv = store.rdvs.get(answer.headers["Location"].rsplit("/", 1)[1])
    assert rdv.starts_at == datetime(2026, 12, 1, 13, 0, tzinfo=rdv.starts_at.tzinfo)
    [day] = store.rdv_writes.read_days([("agent-1", TUESDAY)]).values()
    assert [h.rdv_id for h in day.held] == [rdv.id]
    assert [m["event"] for m in drain(store)] == ["rdv_created"]


def test_a_time_forced_over_another_rdv_is_never_sold_online(client, store, signed, usagers):
    cookie, _ = signed
    page = confirm_page(
        client, cookie, usager="u-sophie", motif="m30", lieu="lieu-1", debut="2026-12-01T08:00Z"
    ).body.decode()
    first = book(client, cookie, form_fields(page), agent="agent-1", canal="telephone")
    assert first.status_code == 303
    # 9h15 with agent 1: over the 9h00 rdv, off the grid.
    page = confirm_page(
        client,
        cookie,
        usager="u-leo",
        motif="m30",
        lieu="lieu-1",
        jour="01/12/2026",
        heure="9h15",
        agent="agent-1",
    ).body.decode()
    assert "Il chevauche un autre rendez-vous de cet agent (9h00 – 9h30)" in page
    forced = book(client, cookie, form_fields(page), canal="telephone", forcer="oui")
    assert forced.status_code == 303
    [day] = store.rdv_writes.read_days([("agent-1", TUESDAY)]).values()
    assert len(day.held) == 2
    lieu = store.catalogue.get_lieu("lieu-1")
    for start in (TUESDAY_9H, TUESDAY_9H + timedelta(minutes=30)):  # 9h30 overlaps 9h15–9h45
        assert availability.slot_at(store, usagers_motif(store), lieu, start, NOW).agent_ids == (
            "agent-2",
        )
    # A slot taken meanwhile (the same form, sent after someone else booked) needs the
    # same confirmation; with nobody free any more, the page says so.
    page = confirm_page(
        client, cookie, usager="u-sophie", motif="m30", lieu="lieu-1", debut="2026-12-01T09:00Z"
    ).body.decode()
    fields = {**form_fields(page), "canal": "accueil"}
    assert book(client, cookie, fields, agent="agent-2").status_code == 303
    late = book(client, cookie, fields, agent="agent-2", cle="n" * 22)
    assert late.status_code == 409 and "Il chevauche" in late.body.decode()
    # (agent 1's slots follow the forced rdv: 9h45, 10h15…, not 10h00)
    again = confirm_page(
        client, cookie, usager="u-sophie", motif="m30", lieu="lieu-1", debut="2026-12-01T09:00Z"
    ).body.decode()
    assert "Ce créneau n’est plus libre" in again and "Réserver" not in again


def test_past_times_and_other_organisations_are_refused(client, store, signed, usagers):
    cookie, csrf = signed
    past = confirm_page(
        client,
        cookie,
        usager="u-sophie",
        motif="m30",
        lieu="lieu-1",
        jour="2026-11-20",
        heure="10:00",
        agent="agent-1",
    )
    assert past.status_code == 422 and "déjà passé" in past.body.decode()
    assert get(client, "/agents/prendre-rdv", cookie, usager="u-other").status_code == 404
    store.catalogue.save_motif(f.motif(id="m-other", organisation_id="org-2"))
    for params in (
        {"usager": "u-other", "motif": "m30", "lieu": "lieu-1"},
        {"usager": "u-sophie", "motif": "m-other"},
        {"usager": "u-sophie", "motif": "m30", "lieu": "lieu-1", "agent": "x"},
    ):
        answer = confirm_page(client, cookie, debut="2026-12-01T08:00Z", **params)
        assert answer.status_code == 404, params
    fields = {
        "csrf": csrf,
        "cle": "k" * 22,
        "usager": "u-other",
        "motif": "m30",
        "lieu": "lieu-1",
        "debut": "2026-12-01T08:00Z",
        "agent": "agent-1",
        "canal": "telephone",
    }
    assert book(client, cookie, fields).status_code == 404
    assert store.rdvs.of_usager("u-other") == []


def test_a_booking_without_the_csrf_token_is_refused(client, store, signed, usagers):
    cookie, _ = signed
    page = confirm_page(
        client, cookie, usager="u-sophie", motif="m30", lieu="lieu-1", debut="2026-12-01T08:00Z"
    ).body.decode()
    fields = {k: v for k, v in form_fields(page).items() if k != "csrf"}
    answer = book(client, cookie, fields, agent="agent-1", canal="telephone")
    assert answer.status_code == 403
    assert store.rdvs.of_usager("u-sophie") == []


def test_a_correction_of_the_record_reaches_the_upcoming_rdvs(client, store, signed, usagers):
    cookie, csrf = signed
    page = confirm_page(
        client, cookie, usager="u-leo", motif="m30", lieu="lieu-1", debut="2026-12-01T08:00Z"
    ).body.decode()
    answer = book(client, cookie, form_fields(page), agent="agent-1", canal="telephone")
    rdv_id = answer.headers["Location"].rsplit("/", 1)[1]
    corrected = post(
        client,
        "/agents/usagers/u-sophie/modifier",
        {
            "csrf": csrf,
            "prenom": "Sophie",
            "nom": "Martin",
            "telephone": "07 66 22 33 44",
            "email": "sophie@example.fr",
            "rappel_email": "oui",
        },
        cookie=cookie,
    )
    assert corrected.headers["Location"] == "/agents/usagers/u-sophie?modifie=1&rdvs=1"
    contact = store.rdvs.get(rdv_id).contact
    assert (contact.phone, contact.notify_sms) == ("+33766223344", False)
    assert (contact.email, contact.notify_email, contact.child_first_name) == (
        "sophie@example.fr",
        True,
        "Léo",
    )
    assert store.rdvs.get(rdv_id).status is RdvStatus.UNKNOWN


def test_demo_rdvs_hold_their_agent_days(store):
    from devtools.demo_data import load_demo_data

    today = NOW.date()
    load_demo_data(store, today)
    organisation = "mds-calais-2"
    start = NOW
    rdvs = [
        r
        for r in store.rdvs.of_organisation(organisation, start, start + timedelta(days=21))
        if r.status.blocks_time
    ]
    assert rdvs
    tz = availability.tz_of(store)
    days = store.rdv_writes.read_days(
        {(r.agent_id, r.starts_at.astimezone(tz).date()) for r in rdvs}
    )
    for rdv in rdvs:
        held = days[(rdv.agent_id, rdv.starts_at.astimezone(tz).date())].held
        assert (rdv.id, rdv.starts_at, rdv.ends_at) in {
            (h.rdv_id, h.starts_at, h.ends_at) for h in held
        }
        motif = store.catalogue.get_motif(rdv.motif_id)
        lieu = store.catalogue.get_lieu(rdv.lieu_id) if rdv.lieu_id else None
        slot = availability.slot_at(store, motif, lieu, rdv.starts_at, NOW)
        assert slot is None or rdv.agent_id not in slot.agent_ids


def test_the_demo_leaves_each_agents_last_past_rdvs_to_mark(store):
    """So that « À renseigner » on a demo agent's home has something to show (and the
    e2e journey something to mark), whatever the weekday the demo is loaded on."""
    from devtools.demo_data import load_demo_data

    today = NOW.date()
    load_demo_data(store, today)
    tz = availability.tz_of(store)
    midnight = datetime.combine(today, datetime.min.time(), tzinfo=tz)
    for email in ("claire.lefebvre", "marc.dubois", "isabelle.petit"):
        agent = store.agents.get_by_email(f"{email}@demo.rdv-solidarites.fr")
        past = store.rdvs.of_agent(agent.id, midnight - timedelta(weeks=8), midnight)
        unmarked = [r for r in past if r.status is RdvStatus.UNKNOWN]
        assert len(unmarked) == 3, email
        assert max(unmarked, key=lambda r: r.starts_at) == max(past, key=lambda r: r.starts_at)


def test_demo_rdvs_booked_by_an_agent_were_not_booked_online(store):
    """Else their page says « en ligne, par l’usager par Claire Lefebvre »."""
    from devtools.demo_data import load_demo_data

    load_demo_data(store, NOW.date())
    rdvs = store.rdvs.of_organisation(
        "mds-calais-2", NOW - timedelta(weeks=53), NOW
    )  # and the year of history
    by_agents = [r for r in rdvs if r.created_by is CreatedBy.AGENT]
    assert by_agents
    assert {r.booked_via for r in by_agents} <= {BookingChannel.PHONE, BookingChannel.DESK}
    assert {r.booked_via for r in rdvs if r.created_by is CreatedBy.USAGER} == {
        BookingChannel.ONLINE
    }
