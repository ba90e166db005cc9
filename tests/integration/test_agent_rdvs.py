"""An agent's rdv page, status changes, « reporter » and resending the confirmation,
through the pages (chalice test client on moto)."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.changes import create
from chalicelib.domain.models import (
    Agent,
    BookingChannel,
    CreatedBy,
    LocationType,
    RdvStatus,
    Role,
)
from chalicelib.services import agent_auth, availability, booking, feedback, manage
from chalicelib.services.booking import Person
from chalicelib.services.write_path import propose, write
from tests import factories as f
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_agent_auth import PASSWORD, cookie_of, csrf_of, post, sign_in
from tests.integration.test_booking import request_for
from tests.integration.test_notifications import deliver_all, drain, sent_emails, sent_sms

TUESDAY = date(2026, 12, 1)


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    state = {"now": NOW}
    monkeypatch.setattr(context, "now", lambda: state["now"])
    return state


@pytest.fixture
def cookie(client, store, pilot, clock):
    """Agent 1 of MDS Test, signed in."""
    agent = replace(pilot.agents[0], password_hash=agent_auth.hash_password(PASSWORD))
    store.agents.save(agent)
    return cookie_of(sign_in(client))


def book(store, pilot, starts_at=TUESDAY_9H, **kw):
    return booking.book_rdv(store, request_for(pilot, starts_at=starts_at, **kw), NOW)


def text_of(answer) -> str:
    """The page's HTML, entities decoded and white space collapsed."""
    return " ".join(html.unescape(answer.body.decode()).split())


def page(client, cookie, path):
    answer = client.http.get(path, headers={"Cookie": cookie})
    return answer, text_of(answer)


def act(client, cookie, path, **fields):
    """A POST of a dashboard form, with the session's CSRF token."""
    _, home = page(client, cookie, "/agents")
    return post(client, path, {"csrf": csrf_of(home), **fields}, cookie=cookie)


def counts(store, month="2026-12"):
    [counters] = store.counters.months("organisation#org-1", month, month)
    return counters.counts


def held(store, agent_id, day=TUESDAY):
    [agent_day] = store.rdv_writes.read_days([(agent_id, day)]).values()
    return {h.rdv_id: h.starts_at for h in agent_day.held}


def test_the_page_shows_the_usager_contact_history_and_receipts(
    client, store, pilot, cookie, clock
):
    booked = book(store, pilot)
    assert booked.rdv.agent_id == "agent-1"
    deliver_all(store, drain(store))
    # The usager moves it online, then their e-mail bounces.
    manage.move_by_usager(
        store, booked.manage_token, TUESDAY_9H + timedelta(minutes=30), NOW + timedelta(minutes=5)
    )
    deliver_all(store, drain(store), now=NOW + timedelta(minutes=6))
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bouncedRecipients": [{"emailAddress": "amandine@example.org"}],
        },
    }
    feedback.handle_ses_feedback(store, bounce, NOW + timedelta(minutes=7))

    answer, text = page(client, cookie, f"/agents/rdv/{booked.rdv.id}")
    assert answer.status_code == 200
    assert "<h1>Rendez-vous du mardi 1er décembre 2026 à 9h30</h1>" in text
    [usager_id] = booked.rdv.usager_ids
    assert f'<a href="/agents/usagers/{usager_id}">Amandine Dupont</a>' in text
    assert "+33612345678" in text and "amandine@example.org" in text
    assert "e-mail invalide" in text
    assert "Consultation nourrisson (PMI)" in text
    assert "MDS Test – site principal, 1 rue Test, 62100 Calais" in text
    assert "mardi 1er décembre 2026 de 9h30 à 10h00 (30 min)" in text
    assert "Agent 1" in text and "À venir" in text
    assert "en ligne, par l’usager, le 23/11/2026 à 9h00" in text
    # History: created by the usager, moved by the usager from 9h00.
    assert "23/11/2026 à 9h00</span> Pris en ligne, par l’usager" in text
    assert "Reporté par l’usager : du 1/12/2026 à 9h00 au 1/12/2026 à 9h30" in text
    # Receipts in French.
    assert "Confirmation SMS envoyée le 23/11 à 9h00" in text
    assert "Confirmation e-mail envoyée le 23/11 à 9h00" in text
    assert "Changement d’horaire e-mail envoyé le 23/11 à 9h06" in text
    # The e-mail its agent got about the online booking is named so.
    assert 'à 9h00 <span class="meta">(à l’agent Agent 1 : agent1@example.fr)' in text
    # The actions of a rdv to come: no seen nor noshow yet.
    assert 'value="revoked"' in text and 'value="excused"' in text
    assert 'value="seen"' not in text and 'value="noshow"' not in text
    assert "Vu ou absent : possible à partir de 9h30" in text


def test_a_childs_rdv_names_the_responsable_who_holds_the_contact(client, store, pilot, cookie):
    child = Person("Léo", "Dupont", date(2024, 5, 2))
    booked = book(store, pilot, child=child)
    _, text = page(client, cookie, f"/agents/rdv/{booked.rdv.id}")
    [child_id] = booked.rdv.usager_ids
    responsable_id = store.usagers.get(child_id).responsable_id
    assert f'<a href="/agents/usagers/{child_id}">Léo Dupont</a>, né(e) le 02/05/2024' in text
    assert (
        f'Enfant de <a href="/agents/usagers/{responsable_id}">Amandine Dupont</a>, qui '
        "détient les coordonnées"
    ) in text
    assert "Coordonnées de Amandine Dupont" in text


def test_a_home_visit_booked_by_an_agent_shows_its_address_and_who_booked_it(
    client, store, pilot, cookie
):
    store.catalogue.save_motif(
        f.motif(id="mdom", name="Visite à domicile", location_type=LocationType.HOME)
    )
    store.usagers.save(f.usager(id="usager-7", phone="+33639980007"))
    rdv = f.rdv(id="rdv-home", motif_id="mdom", lieu_id=None, starts_at=TUESDAY_9H,
                usager_ids=("usager-7",), created_by=CreatedBy.AGENT, created_at=NOW,
                created_by_agent_id="agent-2", booked_via=BookingChannel.PHONE,
                home_address="3 rue des Lilas, 62100 Calais")  # fmt: skip
    write(store, lambda _: propose(store, create(rdv, "agent-2"), ()), lambda: None)
    _, text = page(client, cookie, "/agents/rdv/rdv-home")
    assert "<dt>Lieu</dt> <dd>À domicile</dd>" in text
    assert "<dt>Adresse du domicile</dt> <dd>3 rue des Lilas, 62100 Calais</dd>" in text
    # From the usager's record, written the way agents read a number out.
    assert '<a href="tel:+33639980007">06 39 98 00 07</a>' in text
    assert "au téléphone par Agent 2, le 23/11/2026 à 9h00" in text
    assert "</span> Pris au téléphone par Agent 2</li>" in text


def test_an_opted_out_phone_and_a_failed_send_are_shown(client, store, pilot, cookie, monkeypatch):
    # moto reports numbers ending in 99 as opted out of SMS.
    booked = book(store, pilot, phone="+33612345699")
    from chalicelib.notify.email import EmailSender

    def broken(*_args, **_kwargs):
        raise ConnectionError("SES unreachable")

    monkeypatch.setattr(EmailSender, "send", broken)
    deliver_all(store, drain(store), attempt=99)
    _, text = page(client, cookie, f"/agents/rdv/{booked.rdv.id}")
    assert "Confirmation SMS non envoyée (désinscrit)" in text
    assert "Confirmation e-mail : échec le 23/11 à 9h00" in text


def test_noshow_is_refused_before_the_start_then_counted_and_fixed(
    client, store, pilot, cookie, clock
):
    booked = book(store, pilot)
    path = f"/agents/rdv/{booked.rdv.id}"
    too_early = act(client, cookie, f"{path}/statut", statut="noshow")
    assert too_early.status_code == 409
    assert "n’a pas encore commencé" in text_of(too_early)
    assert store.rdvs.get(booked.rdv.id).status is RdvStatus.UNKNOWN
    assert len(store.reminders.of_rdv(booked.rdv.id)) == 2

    clock["now"] = TUESDAY_9H + timedelta(minutes=15)
    cookie = cookie_of(sign_in(client))  # a week later: a new session
    done = act(client, cookie, f"{path}/statut", statut="noshow")
    assert done.status_code == 303 and done.headers["Location"] == f"{path}?fait=noshow"
    rdv = store.rdvs.get(booked.rdv.id)
    assert rdv.status is RdvStatus.NOSHOW
    assert (rdv.status_history[-1].by, rdv.status_history[-1].at) == ("agent-1", clock["now"])
    assert (counts(store)["noshow"], counts(store)["unknown"]) == (1, 0)
    assert store.reminders.of_rdv(rdv.id) == []
    assert held(store, "agent-1") == {rdv.id: TUESDAY_9H}  # a no-show keeps its time
    _, text = page(client, cookie, done.headers["Location"])
    assert "Le rendez-vous est marqué absent (non excusé)." in text
    assert "Statut « Absent (non excusé) » mis par Agent 1" in text

    # A mistake: it was « vu ». Back to unknown, then seen.
    assert act(client, cookie, f"{path}/statut", statut="unknown").status_code == 303
    assert (counts(store)["noshow"], counts(store)["unknown"]) == (0, 1)
    assert act(client, cookie, f"{path}/statut", statut="seen").status_code == 303
    assert (counts(store)["seen"], counts(store)["unknown"], counts(store)["noshow"]) == (1, 0, 0)
    assert [c.status for c in store.rdvs.get(rdv.id).status_history] == [
        RdvStatus.NOSHOW,
        RdvStatus.UNKNOWN,
        RdvStatus.SEEN,
    ]
    assert [m["event"] for m in drain(store)] == ["rdv_created"]  # the booking's, nothing more


def test_revoked_frees_the_time_and_the_usager_is_told(client, store, pilot, cookie):
    booked = book(store, pilot)
    deliver_all(store, drain(store))
    sms_before, emails_before = len(sent_sms()), len(sent_emails())
    done = act(client, cookie, f"/agents/rdv/{booked.rdv.id}/statut", statut="revoked")
    assert done.status_code == 303
    rdv = store.rdvs.get(booked.rdv.id)
    assert rdv.status is RdvStatus.REVOKED and rdv.status_history[-1].by == "agent-1"
    assert (counts(store)["revoked"], counts(store)["unknown"]) == (1, 0)
    assert store.reminders.of_rdv(rdv.id) == []
    assert held(store, "agent-1") == {}
    slot = availability.slot_at(store, pilot.motif, pilot.lieu, TUESDAY_9H, NOW)
    assert "agent-1" in slot.agent_ids  # bookable online again
    [message] = drain(store)
    assert (message["event"], message["by"]) == ("rdv_revoked", "agent-1")
    deliver_all(store, [message])
    [(phone, text)] = sent_sms()[sms_before:]
    assert phone == "+33612345678" and "La MDS a annulé votre RDV PMI" in text
    [mail] = [m for m in sent_emails()[emails_before:] if m["To"] == "amandine@example.org"]
    assert "03 21 00 00 00" in mail.get_body(("plain",)).get_content()  # the MDS's phone
    # The agent did it: no e-mail to the agent.
    assert [m["To"] for m in sent_emails()[emails_before:]] == ["amandine@example.org"]


def test_back_to_unknown_takes_the_time_again_only_while_it_is_free(client, store, pilot, cookie):
    booked = book(store, pilot)
    path = f"/agents/rdv/{booked.rdv.id}"
    drain(store)
    assert act(client, cookie, f"{path}/statut", statut="excused").status_code == 303
    assert [m["event"] for m in drain(store)] == ["rdv_cancelled"]
    assert held(store, "agent-1") == {}
    assert store.reminders.of_rdv(booked.rdv.id) == []

    assert act(client, cookie, f"{path}/statut", statut="unknown").status_code == 303
    rdv = store.rdvs.get(booked.rdv.id)
    assert rdv.status is RdvStatus.UNKNOWN and held(store, "agent-1") == {rdv.id: TUESDAY_9H}
    assert len(store.reminders.of_rdv(rdv.id)) == 2  # planned again
    assert [m["event"] for m in drain(store)] == ["rdv_created"]  # « it is on again »
    assert (counts(store)["unknown"], counts(store)["excused"]) == (1, 0)

    # Cancelled again, and someone books agent 1 at that time online.
    assert act(client, cookie, f"{path}/statut", statut="excused").status_code == 303
    other = book(store, pilot, phone="+33612345670")
    assert other.rdv.agent_id == "agent-1"
    refused = act(client, cookie, f"{path}/statut", statut="unknown")
    assert refused.status_code == 409
    assert "a été repris par un autre rendez-vous" in text_of(refused)
    assert store.rdvs.get(rdv.id).status is RdvStatus.EXCUSED
    assert held(store, "agent-1") == {other.rdv.id: TUESDAY_9H}


def test_reschedule_to_a_free_slot(client, store, pilot, cookie):
    booked = book(store, pilot)
    path = f"/agents/rdv/{booked.rdv.id}"
    drain(store)
    answer, text = page(client, cookie, f"{path}/reporter?semaine=2026-11-30")
    assert answer.status_code == 200
    assert "Créneaux libres : semaine du lundi 30 novembre 2026" in text
    assert "9h00 (horaire actuel)" in text
    assert 'value="2026-12-01T08:30Z"' in text and "Agent 1, Agent 2" in text
    _, only_2 = page(client, cookie, f"{path}/reporter?semaine=2026-11-30&agent=agent-2")
    assert "Agent 1" not in only_2.split("Créneaux libres")[1].split("Un autre horaire")[0]

    done = act(client, cookie, f"{path}/reporter", mode="creneau", debut="2026-12-01T08:30Z")
    assert done.status_code == 303 and done.headers["Location"] == f"{path}?fait=reporte"
    rdv = store.rdvs.get(booked.rdv.id)
    assert (rdv.starts_at, rdv.agent_id) == (TUESDAY_9H + timedelta(minutes=30), "agent-1")
    assert (rdv.moves[-1].by, rdv.moves[-1].from_starts_at) == ("agent-1", TUESDAY_9H)
    assert held(store, "agent-1") == {rdv.id: rdv.starts_at}
    # Planned again for the new time (the move's own message stands for the 2-day one).
    assert [r.due_at for r in store.reminders.of_rdv(rdv.id)] == [rdv.starts_at - timedelta(days=1)]
    [message] = drain(store)
    assert (message["event"], message["by"]) == ("rdv_date_updated", "agent-1")
    _, text = page(client, cookie, f"{path}?fait=reporte")
    assert "Le rendez-vous est reporté." in text
    assert "Reporté par Agent 1 : du 1/12/2026 à 9h00 au 1/12/2026 à 9h30" in text

    # To agent 2 only, through the filter.
    moved = act(
        client,
        cookie,
        f"{path}/reporter",
        mode="creneau",
        debut="2026-12-01T09:00Z",
        agent="agent-2",
    )
    assert moved.status_code == 303
    assert store.rdvs.get(rdv.id).agent_id == "agent-2"
    assert held(store, "agent-1") == {} and held(store, "agent-2") == {
        rdv.id: rdv.starts_at + timedelta(minutes=30)
    }


def test_a_slot_taken_meanwhile_is_refused(client, store, pilot, cookie):
    booked = book(store, pilot)
    book(store, pilot, starts_at=TUESDAY_9H + timedelta(hours=1), phone="+33612345671")
    book(store, pilot, starts_at=TUESDAY_9H + timedelta(hours=1), phone="+33612345672")
    refused = act(
        client,
        cookie,
        f"/agents/rdv/{booked.rdv.id}/reporter",
        mode="creneau",
        debut="2026-12-01T09:00Z",
    )
    assert refused.status_code == 409
    assert "Ce créneau n’est plus libre" in text_of(refused)
    assert store.rdvs.get(booked.rdv.id).starts_at == TUESDAY_9H


def test_a_forced_time_over_another_rdv_needs_confirmation_and_is_never_sold_online(
    client, store, pilot, cookie
):
    first = book(store, pilot)  # agent 1 at 9h00
    moved = book(store, pilot, starts_at=TUESDAY_9H + timedelta(hours=2), phone="+33612345673")
    assert (first.rdv.agent_id, moved.rdv.agent_id) == ("agent-1", "agent-1")
    path = f"/agents/rdv/{moved.rdv.id}/reporter"
    fields = dict(mode="horaire", jour="2026-12-01", heure="09:00", agent_force="agent-1")

    asked = act(client, cookie, path, **fields)
    text = text_of(asked)
    assert asked.status_code == 200 and "<h1>Confirmer l’horaire</h1>" in text
    assert "Il chevauche un autre rendez-vous de l’agent" in text and "9h00–9h30" in text
    assert 'type="checkbox" id="confirme" name="confirme" value="oui" required' in text
    unticked = act(client, cookie, path, etape="confirmation", **fields)
    assert unticked.status_code == 422
    assert "Cochez la case" in text_of(unticked)
    assert store.rdvs.get(moved.rdv.id).starts_at == TUESDAY_9H + timedelta(hours=2)

    done = act(client, cookie, path, etape="confirmation", confirme="oui", **fields)
    assert done.status_code == 303
    rdv = store.rdvs.get(moved.rdv.id)
    assert (rdv.starts_at, rdv.agent_id) == (TUESDAY_9H, "agent-1")
    assert held(store, "agent-1") == {first.rdv.id: TUESDAY_9H, rdv.id: TUESDAY_9H}
    # The first usager cancels: agent 1's 9h00 is still held by the forced rdv, so
    # online only agent 2 is offered then, once.
    manage.cancel_by_usager(store, first.manage_token, NOW)
    slot = availability.slot_at(store, pilot.motif, pilot.lieu, TUESDAY_9H, NOW)
    assert slot.agent_ids == ("agent-2",)
    assert book(store, pilot, phone="+33612345674").rdv.agent_id == "agent-2"
    from chalicelib.domain.errors import SlotTaken

    with pytest.raises(SlotTaken):
        book(store, pilot, phone="+33612345675")


def test_a_forced_time_outside_the_plages_and_a_typed_free_slot(
    client, store, pilot, cookie, clock
):
    booked = book(store, pilot)
    path = f"/agents/rdv/{booked.rdv.id}/reporter"
    # A typed time that is a free slot: moved at once.
    at_ten = act(
        client,
        cookie,
        path,
        mode="horaire",
        jour="01/12/2026",
        heure="10h00",
        agent_force="agent-2",
    )
    assert at_ten.status_code == 303
    rdv = store.rdvs.get(booked.rdv.id)
    assert (rdv.starts_at, rdv.agent_id) == (TUESDAY_9H + timedelta(hours=1), "agent-2")
    # 14h00 is outside every plage: confirmed, then held on agent 2's day.
    fields = dict(mode="horaire", jour="2026-12-01", heure="14:00", agent_force="agent-2")
    asked = text_of(act(client, cookie, path, **fields))
    assert "en dehors de ses plages d’ouverture" in asked
    assert (
        act(client, cookie, path, etape="confirmation", confirme="oui", **fields).status_code == 303
    )
    assert held(store, "agent-2") == {rdv.id: TUESDAY_9H + timedelta(hours=5)}
    # Refused: a time past, another organisation's agent, an unreadable time.
    past = act(
        client,
        cookie,
        path,
        mode="horaire",
        jour="2026-11-20",
        heure="09:00",
        agent_force="agent-2",
    )
    assert past.status_code == 409 and "à venir" in text_of(past)
    stranger = act(
        client,
        cookie,
        path,
        mode="horaire",
        jour="2026-12-02",
        heure="09:00",
        agent_force="agent-of-elsewhere",
    )
    assert stranger.status_code == 404
    unreadable = act(
        client,
        cookie,
        path,
        mode="horaire",
        jour="2026-12-02",
        heure="25:00",
        agent_force="agent-2",
    )
    assert unreadable.status_code == 422
    assert "Indiquez une heure" in text_of(unreadable)
    assert store.rdvs.get(rdv.id).starts_at == TUESDAY_9H + timedelta(hours=5)


def test_a_cancelled_rdv_cannot_be_rescheduled(client, store, pilot, cookie):
    booked = book(store, pilot)
    act(client, cookie, f"/agents/rdv/{booked.rdv.id}/statut", statut="revoked")
    answer, text = page(client, cookie, f"/agents/rdv/{booked.rdv.id}/reporter")
    assert answer.status_code == 409 and "ne peut pas être reporté" in text
    _, rdv_page = page(client, cookie, f"/agents/rdv/{booked.rdv.id}")
    assert "/reporter" not in rdv_page


def test_resending_the_confirmation_is_counted(client, store, pilot, cookie, clock):
    booked = book(store, pilot)
    path = f"/agents/rdv/{booked.rdv.id}"
    deliver_all(store, drain(store))
    sms_before = len(sent_sms())
    for _ in range(3):
        done = act(client, cookie, f"{path}/renvoyer")
        assert done.status_code == 303 and done.headers["Location"] == f"{path}?fait=renvoi"
    messages = drain(store)
    assert [(m["event"], m["extra"], m["by"]) for m in messages] == [
        ("rdv_created", f"resend-2026-11-23-{n}", "agent-1") for n in (1, 2, 3)
    ]
    deliver_all(store, messages)
    assert len(sent_sms()) == sms_before + 3  # none swallowed by the receipts
    refused = act(client, cookie, f"{path}/renvoyer")
    assert refused.status_code == 429
    assert "déjà été renvoyée 3 fois aujourd’hui" in text_of(refused)
    assert drain(store) == []
    _, text = page(client, cookie, path)
    assert text.count("Confirmation renvoyée SMS envoyée le 23/11 à 9h00") == 3
    clock["now"] = NOW + timedelta(days=1)
    cookie = cookie_of(sign_in(client))
    assert act(client, cookie, f"{path}/renvoyer").status_code == 303


def test_the_same_phone_is_sent_five_resends_a_day_at_most(client, store, pilot, cookie):
    rdvs = [book(store, pilot, starts_at=TUESDAY_9H + timedelta(minutes=30 * i)) for i in (0, 2)]
    answers = [act(client, cookie, f"/agents/rdv/{r.rdv.id}/renvoyer") for r in rdvs * 3]
    assert [a.status_code for a in answers] == [303] * 5 + [429]
    assert "Ce numéro ou cette adresse e-mail" in text_of(answers[-1])


def test_a_cancelled_rdv_has_no_confirmation_to_resend(client, store, pilot, cookie):
    booked = book(store, pilot)
    act(client, cookie, f"/agents/rdv/{booked.rdv.id}/statut", statut="excused")
    drain(store)
    refused = act(client, cookie, f"/agents/rdv/{booked.rdv.id}/renvoyer")
    assert refused.status_code == 409 and drain(store) == []


def test_another_organisations_rdv_is_not_found(client, store, pilot, cookie):
    store.rdvs.save(
        f.rdv(
            id="rdv-elsewhere",
            organisation_id="org-2",
            motif_id="m30",
            starts_at=TUESDAY_9H - timedelta(days=1),
        )
    )
    for path in (
        "/agents/rdv/rdv-elsewhere",
        "/agents/rdv/rdv-elsewhere/reporter",
        "/agents/rdv/nothing-here",
    ):
        assert client.http.get(path, headers={"Cookie": cookie}).status_code == 404
    for action, fields in (
        ("statut", {"statut": "seen"}),
        ("renvoyer", {}),
        ("reporter", {"mode": "creneau", "debut": "2026-12-01T08:30Z"}),
    ):
        answer = act(client, cookie, f"/agents/rdv/rdv-elsewhere/{action}", **fields)
        assert answer.status_code == 404
    assert store.rdvs.get("rdv-elsewhere").status is RdvStatus.UNKNOWN
    assert store.rdvs.get("rdv-elsewhere").starts_at == TUESDAY_9H - timedelta(days=1)


def test_an_agent_of_another_mds_does_not_see_this_mdss_rdv(client, store, pilot, clock):
    booked = book(store, pilot)
    store.catalogue.save_organisation(f.organisation(id="org-2", name="MDS Ailleurs"))
    store.agents.save(
        Agent(
            id="agent-9",
            email="agent9@example.fr",
            first_name="Agent",
            last_name="9",
            roles={"org-2": Role.ADMIN},
            password_hash=agent_auth.hash_password(PASSWORD),
        )
    )
    cookie = cookie_of(sign_in(client, email="agent9@example.fr"))
    path = f"/agents/rdv/{booked.rdv.id}"
    assert client.http.get(path, headers={"Cookie": cookie}).status_code == 404
    assert act(client, cookie, f"{path}/statut", statut="revoked").status_code == 404
    assert store.rdvs.get(booked.rdv.id).status is RdvStatus.UNKNOWN


def test_anonymous_visitors_and_forged_posts_are_turned_away(client, store, pilot, cookie):
    booked = book(store, pilot)
    path = f"/agents/rdv/{booked.rdv.id}"
    anonymous = client.http.get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["Location"].startswith("/agents/connexion?suite=")
    no_csrf = post(client, f"{path}/statut", {"statut": "revoked"}, cookie=cookie)
    assert no_csrf.status_code == 403
    _, home = page(client, cookie, "/agents")
    elsewhere = post(
        client,
        f"{path}/statut",
        {"csrf": csrf_of(home), "statut": "revoked"},
        cookie=cookie,
        Origin="https://evil.example",
    )
    assert elsewhere.status_code == 403
    assert post(client, f"{path}/renvoyer", {}, cookie=cookie).status_code == 403
    assert store.rdvs.get(booked.rdv.id).status is RdvStatus.UNKNOWN


def test_an_error_on_the_dashboard_keeps_its_navigation_and_leads_back_to_it(client, cookie):
    """Not the usagers' error page, whose « Revenir à l’accueil » leaves the dashboard."""
    answer = client.http.get("/agents/rdv/inconnu", headers={"Cookie": cookie})
    assert answer.status_code == 404
    text = " ".join(html.unescape(answer.body.decode()).split())
    assert 'aria-label="Tableau de bord"' in text and "Se déconnecter" in text
    assert '<a href="/agents">Revenir au tableau de bord</a>' in text
    assert 'href="/">Revenir à l’accueil' not in text
    assert answer.headers["Referrer-Policy"] == "same-origin"
