"""File d'attente on moto: a freed slot is offered to who waits for an earlier one, and
accepting it moves their rdv on the one write path."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.domain.errors import SlotTaken
from chalicelib.domain.models import Channel, NotificationEvent, RdvStatus
from chalicelib.services import agent_rdvs, availability, booking, context, manage, waiting_list
from chalicelib.services.tokens import hash_token
from tests.integration.conftest import NOW
from tests.integration.test_booking import request_for
from tests.integration.test_notifications import deliver_all, drain, sent_emails, sent_sms

IN_ONE_WEEK = NOW + timedelta(weeks=1)  # Monday 30 November, 9:00 in Paris
IN_FIVE_WEEKS = NOW + timedelta(weeks=5)  # Monday 28 December, 9:00 in Paris
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def book(store, pilot, starts_at, who, waiting=False):
    return booking.book_rdv(
        store,
        request_for(
            pilot,
            starts_at=starts_at,
            phone=f"+336{who}",
            email=f"u{who}@example.org",
            waiting_list=waiting,
        ),
        NOW,
    )


def book_anywhere(store, pilot):
    """A books in five weeks at lieu-1, on the waiting list for any lieu of the MDS."""
    return booking.book_rdv(
        store,
        request_for(
            pilot,
            starts_at=IN_FIVE_WEEKS,
            phone="+33611111111",
            waiting_list=True,
            waiting_any_lieu=True,
        ),
        NOW,
    )


def offer_links(text: str) -> list[str]:
    return re.findall(r"https://rdv\.example\.fr/o/([A-Za-z0-9_-]+)", text)


def sms_to(phone: str) -> list[str]:
    return [text for number, text in sent_sms() if number == phone]


@pytest.fixture
def waiting(store, pilot):
    """A booked in five weeks on the waiting list; B booked in one week; queue empty."""
    a = book(store, pilot, IN_FIVE_WEEKS, "11111111", waiting=True)
    b = book(store, pilot, IN_ONE_WEEK, "22222222")
    deliver_all(store, drain(store))
    return a, b


def test_joining_at_booking_stores_an_entry_keyed_to_the_rdv(store, waiting):
    a, b = waiting
    entry = store.waiting_list.get(a.rdv.id)
    assert (entry.motif_id, entry.lieu_id) == (a.rdv.motif_id, a.rdv.lieu_id)
    assert store.waiting_list.get(b.rdv.id) is None
    assert [e.id for e in store.waiting_list.of_motif_lieu(a.rdv.motif_id, a.rdv.lieu_id)] == [
        a.rdv.id
    ]


def test_a_cancellation_offers_the_slot_once_and_accepting_moves_the_rdv(store, waiting):
    a, b = waiting
    later = NOW + timedelta(minutes=90)  # A's confirmation SMS went out at NOW
    manage.cancel_by_usager(store, b.manage_token, later)
    bodies = drain(store)
    assert {"kind": "slot_freed"}.items() <= next(m for m in bodies if "kind" in m).items()
    deliver_all(store, bodies + bodies, now=later)  # delivered twice: sent once
    [sms] = [t for t in sms_to("+33611111111") if offer_links(t)]
    [email] = [
        m
        for m in sent_emails()
        if m["To"] == "u11111111@example.org" and "plus tôt" in m["Subject"]
    ]
    assert "lun. 30/11 à 9h00" in sms
    assert "nourrisson" not in sms.lower() and "nourrisson" not in email.as_string().lower()
    [token] = offer_links(sms)
    assert token in email.as_string()
    # The link is stored hashed only, and expires before the slot.
    offer = store.waiting_list.offer(hash_token(token))
    assert offer.rdv_id == a.rdv.id and offer.starts_at == IN_ONE_WEEK
    assert offer.ends_at <= IN_ONE_WEEK
    assert store.waiting_list.offer(token) is None
    receipts = store.receipts.of_rdv(a.rdv.id)
    assert {r.channel for r in receipts if r.event is NotificationEvent.WAITING_LIST_OFFER} == {
        Channel.SMS,
        Channel.EMAIL,
    }

    view = waiting_list.accept_offer(store, token, later + timedelta(minutes=1))
    assert view.accepted and view.moved_now
    moved = store.rdvs.get(a.rdv.id)
    assert moved.starts_at == IN_ONE_WEEK and moved.status is RdvStatus.UNKNOWN
    assert store.waiting_list.get(a.rdv.id) is None  # moved earlier: off the list
    # The five-week slot is free again, and offered in turn (queued).
    assert availability.slot_at(
        store,
        store.catalogue.get_motif(a.rdv.motif_id),
        store.catalogue.get_lieu(a.rdv.lieu_id),
        IN_FIVE_WEEKS,
        NOW,
    )
    # Nobody else waits: no freed-slot message (see the next test for the turn after).
    queued = drain(store)
    assert [m.get("event") for m in queued] == ["rdv_date_updated"]
    # The move is confirmed by SMS at once (the offer's SMS does not make it wait).
    deliver_all(store, queued, now=later + timedelta(minutes=2))
    assert any("30/11" in t and "/r/" in t for t in sms_to("+33611111111"))
    # Agents see that it came from the waiting list, and the offer's sends.
    page = agent_rdvs.rdv_page(store, a.rdv.organisation_id, a.rdv.id, NOW)
    [moved_entry] = [e for e in page.history if e.kind == "moved"]
    assert moved_entry.waiting_list and moved_entry.to_starts_at == IN_ONE_WEEK
    assert any("créneau plus tôt" in r.text for r in page.receipts)

    again = waiting_list.accept_offer(store, token, later + timedelta(minutes=3))
    assert again.accepted and not again.moved_now
    assert store.rdvs.get(a.rdv.id).version == moved.version  # nothing changed
    assert drain(store) == []


def test_the_time_freed_by_an_accepted_offer_is_offered_in_turn(store, pilot, waiting):
    _a, b = waiting
    c = book(store, pilot, IN_FIVE_WEEKS + timedelta(weeks=1), "33333333", waiting=True)
    deliver_all(store, drain(store))
    manage.cancel_by_usager(store, b.manage_token, NOW)
    deliver_all(store, drain(store))
    [token] = offer_links(next(t for t in sms_to("+33611111111") if offer_links(t)))
    waiting_list.accept_offer(store, token, NOW)
    freed = [m for m in drain(store) if m.get("kind") == "slot_freed"]
    assert [m["starts_at"] for m in freed] == [IN_FIVE_WEEKS.isoformat()]
    # C had their offer of the day (the one-week slot, taken by A): tomorrow, this one.
    deliver_all(store, freed)
    assert len([t for t in sms_to("+33633333333") if offer_links(t)]) == 1
    deliver_all(store, freed, now=NOW + timedelta(days=1))
    offers = [t for t in sms_to("+33633333333") if offer_links(t)]
    assert len(offers) == 2 and "28/12 à 9h00" in offers[-1]
    assert store.rdvs.get(c.rdv.id).starts_at == IN_FIVE_WEEKS + timedelta(weeks=1)


def test_no_offer_to_a_rdv_earlier_than_the_freed_slot(store, pilot):
    early = book(store, pilot, IN_ONE_WEEK + timedelta(days=1), "33333333", waiting=True)
    later = book(store, pilot, IN_FIVE_WEEKS, "44444444")
    deliver_all(store, drain(store))
    manage.cancel_by_usager(store, later.manage_token, NOW)
    deliver_all(store, drain(store))
    assert not any(offer_links(t) for t in sms_to("+33633333333"))
    assert store.rdvs.get(early.rdv.id).starts_at == IN_ONE_WEEK + timedelta(days=1)


def test_in_the_quiet_hours_the_offer_waits_for_eight(store, waiting):
    _a, b = waiting
    evening = NOW.replace(hour=20)  # 21:00 in Paris
    manage.cancel_by_usager(store, b.manage_token, evening)
    bodies = drain(store)
    deliver_all(store, bodies, now=evening)
    assert not any(offer_links(t) for t in sms_to("+33611111111"))
    # The message came back to the queue, delayed (SQS: 15 minutes at most a time).
    from chalicelib.notify.clients import client
    from chalicelib.notify.queue import queue_url

    sqs = client("sqs", store.settings)
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url(store.settings), AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesDelayed"]) == 1
    # Delivered twice meanwhile, it comes back once.
    deliver_all(store, bodies, now=evening + timedelta(minutes=1))
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url(store.settings), AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert int(attributes["ApproximateNumberOfMessagesDelayed"]) == 1
    # Delivered again at 8:00 (Paris) the next morning, it is offered then.
    morning = NOW.replace(day=24, hour=7)
    deliver_all(store, [m for m in bodies if m.get("kind")], now=morning)
    assert len([t for t in sms_to("+33611111111") if offer_links(t)]) == 1


def test_one_offer_message_a_day_per_usager(store, pilot, waiting):
    _a, b = waiting
    c = book(store, pilot, IN_ONE_WEEK + timedelta(minutes=30), "55555555")
    deliver_all(store, drain(store))
    manage.cancel_by_usager(store, b.manage_token, NOW)
    manage.cancel_by_usager(store, c.manage_token, NOW)
    deliver_all(store, drain(store))
    assert len([t for t in sms_to("+33611111111") if offer_links(t)]) == 1


def test_at_most_three_usagers_are_offered_a_slot_the_latest_first(store, pilot):
    waiting = [
        book(store, pilot, IN_FIVE_WEEKS + timedelta(days=day), f"7000000{day}", waiting=True)
        for day in range(4)  # Monday to Thursday of the fifth week
    ]
    b = book(store, pilot, IN_ONE_WEEK, "22222222")
    deliver_all(store, drain(store))
    manage.cancel_by_usager(store, b.manage_token, NOW)
    deliver_all(store, drain(store))
    offered = [day for day in range(4) if any(offer_links(t) for t in sms_to(f"+3367000000{day}"))]
    assert offered == [1, 2, 3]
    assert waiting


def test_two_waiting_usagers_accepting_together_exactly_one_moves(store, pilot):
    a = book(store, pilot, IN_FIVE_WEEKS, "11111111", waiting=True)
    c = book(store, pilot, IN_FIVE_WEEKS + timedelta(days=1), "33333333", waiting=True)
    b = book(store, pilot, IN_ONE_WEEK, "22222222")
    deliver_all(store, drain(store))
    manage.cancel_by_usager(store, b.manage_token, NOW)
    deliver_all(store, drain(store))
    [token_a] = offer_links(sms_to("+33611111111")[-1])
    [token_c] = offer_links(sms_to("+33633333333")[-1])
    # Two agents work that morning: fill the other one's 9:00 so one slot is left.
    other = book(store, pilot, IN_ONE_WEEK, "66666666")
    assert other.rdv.starts_at == IN_ONE_WEEK
    results, barrier = [], threading.Barrier(2)

    def accept(token):
        barrier.wait()
        try:
            results.append(waiting_list.accept_offer(store, token, NOW).accepted)
        except SlotTaken as taken:
            results.append(str(taken))

    threads = [threading.Thread(target=accept, args=(t,)) for t in (token_a, token_c)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == sorted([True, waiting_list.TAKEN], key=str)
    starts = {store.rdvs.get(r.rdv.id).starts_at for r in (a, c)}
    assert IN_ONE_WEEK in starts and len(starts) == 2


def test_the_offer_page_shows_both_times_a_get_changes_nothing(client, store, waiting, monkeypatch):
    monkeypatch.setattr(context, "now", lambda: NOW)
    a, b = waiting
    manage.cancel_by_usager(store, b.manage_token, NOW)
    deliver_all(store, drain(store))
    [token] = offer_links(sms_to("+33611111111")[-1])
    for _ in range(2):
        page = client.http.get(f"/o/{token}")
        assert page.status_code == 200
    body = page.body.decode()
    assert "lundi 30 novembre 2026" in body and "lundi 28 décembre 2026" in body
    assert store.rdvs.get(a.rdv.id).starts_at == IN_FIVE_WEEKS
    assert client.http.get("/o/AbCdEfGhIjKlMnOpQrStUv").status_code == 404
    answer = client.http.post(f"/o/{token}", headers=FORM, body="")
    assert answer.status_code == 303
    assert store.rdvs.get(a.rdv.id).starts_at == IN_ONE_WEEK
    done = client.http.get(answer.headers["Location"]).body.decode()
    assert "C’est fait : votre rendez-vous est maintenant le lundi 30 novembre 2026" in done
    second = client.http.post(f"/o/{token}", headers=FORM, body="")
    shown = client.http.get(second.headers["Location"]).body.decode()
    assert "Vous avez déjà accepté ce créneau : rien n’a changé" in shown
    assert store.rdvs.get(a.rdv.id).starts_at == IN_ONE_WEEK


def test_a_taken_slot_answers_409_in_french(client, store, pilot, waiting, monkeypatch):
    monkeypatch.setattr(context, "now", lambda: NOW)
    a, b = waiting
    manage.cancel_by_usager(store, b.manage_token, NOW)
    deliver_all(store, drain(store))
    [token] = offer_links(sms_to("+33611111111")[-1])
    for who in ("66666666", "77777777"):  # both agents' 9:00 taken again
        book(store, pilot, IN_ONE_WEEK, who)
    page = client.http.get(f"/o/{token}").body.decode()
    assert "Ce créneau a déjà été pris" in page and "Prendre ce créneau" not in page
    answer = client.http.post(f"/o/{token}", headers=FORM, body="")
    assert answer.status_code == 409
    assert "Ce créneau a déjà été pris" in answer.body.decode()
    assert store.rdvs.get(a.rdv.id).starts_at == IN_FIVE_WEEKS


def test_leaving_the_list_is_one_click_on_the_manage_page(client, store, waiting, monkeypatch):
    monkeypatch.setattr(context, "now", lambda: NOW)
    a, b = waiting
    page = client.http.get(f"/r/{a.manage_token}").body.decode()
    assert "Ne plus être prévenu" in page
    answer = client.http.post(
        f"/r/{a.manage_token}/liste-attente", headers=FORM, body="liste_attente=non"
    )
    assert answer.status_code == 303
    assert store.waiting_list.get(a.rdv.id) is None
    client.http.post(f"/r/{b.manage_token}/liste-attente", headers=FORM, body="liste_attente=oui")
    assert store.waiting_list.get(b.rdv.id) is not None


def test_the_api_booking_request_joins_the_list(client, store, pilot, monkeypatch):
    monkeypatch.setattr(context, "now", lambda: NOW)
    answer = client.http.post(
        "/api/v1/public/organisations/org-1/motifs/m30/lieux/lieu-1/bookings",
        headers={"Content-Type": "application/json"},
        body=json.dumps(
            {
                "starts_at": IN_FIVE_WEEKS.isoformat().replace("+00:00", "Z"),
                "first_name": "Amandine",
                "last_name": "Dupont",
                "phone": "06 12 34 56 78",
                "waiting_list": True,
            }
        ),
    )
    assert answer.status_code == 201, answer.body
    token = json.loads(answer.body)["manage_token"]
    rdv = store.rdvs.get_by_token_hash(hash_token(token))
    assert store.waiting_list.get(rdv.id) is not None


def test_the_booking_form_has_the_waiting_list_choice(client, store, pilot, monkeypatch):
    monkeypatch.setattr(context, "now", lambda: NOW)
    from chalicelib.web.forms import BookingForm

    form = BookingForm(
        {
            "debut": IN_FIVE_WEEKS.isoformat(),
            "pour": "moi",
            "prenom": "Amandine",
            "nom": "Dupont",
            "telephone": "06 12 34 56 78",
            "liste_attente": "oui",
        },
        NOW.date(),
    )
    request = form.booking_request(pilot.organisation, pilot.motif, pilot.lieu)
    assert request.waiting_list
    from chalicelib.rendering import environment

    template = environment().get_template("public/booking_form.html")  # it compiles
    assert 'name="liste_attente"' in Path(template.filename).read_text(encoding="utf-8")


def test_an_agent_puts_a_caller_on_the_waiting_list(store, pilot):
    from chalicelib.domain.models import BookingChannel
    from chalicelib.services import agent_booking
    from tests import factories as f

    store.usagers.save(f.usager(id="u-sophie", phone="+33612345678"))
    request = agent_booking.AgentBookingRequest(
        organisation=pilot.organisation,
        booked_by="agent-1",
        usager_id="u-sophie",
        motif_id=pilot.motif.id,
        lieu_id=pilot.lieu.id,
        starts_at=IN_FIVE_WEEKS,
        agent_id="agent-1",
        channel=BookingChannel.PHONE,
        key="k" * 22,
        waiting_list=True,
    )
    booked = agent_booking.book_for_caller(store, request, NOW)
    assert store.waiting_list.get(booked.rdv.id) is not None


def test_an_offer_ends_when_the_slot_is_too_close(store, waiting):
    from chalicelib.domain.errors import LinkExpired

    a, b = waiting
    manage.cancel_by_usager(store, b.manage_token, NOW)
    deliver_all(store, drain(store))
    [token] = offer_links(next(t for t in sms_to("+33611111111") if offer_links(t)))
    too_late = IN_ONE_WEEK - timedelta(minutes=10)  # within the motif's minimum delay
    assert not waiting_list.offer_for_token(store, token, too_late).open
    with pytest.raises(LinkExpired):
        waiting_list.accept_offer(store, token, too_late)
    assert store.rdvs.get(a.rdv.id).starts_at == IN_FIVE_WEEKS


@pytest.fixture
def second_lieu(store, pilot):
    """Antenne de Marck, lieu-2 of the pilot MDS: agent-3 sees m30 there on weekday
    mornings."""
    from datetime import date, time

    from chalicelib.domain.models import Agent, Recurrence, Role
    from tests import factories as f

    other = f.lieu(id="lieu-2", name="Antenne de Marck", address="2 rue Test, 62730 Marck")
    store.catalogue.save_lieu(other)
    store.agents.save(
        Agent(
            id="agent-3",
            email="agent3@example.fr",
            first_name="Agent",
            last_name="3",
            roles={pilot.organisation.id: Role.AGENT},
        )
    )
    store.planning.save_plage(
        f.plage(
            id="plage-3",
            agent_id="agent-3",
            lieu_id="lieu-2",
            motif_ids=("m30",),
            first_day=date(2026, 11, 2),
            start_time=time(9),
            end_time=time(12),
            recurrence=Recurrence(1, (0, 1, 2, 3, 4)),
        )
    )
    return other


def test_an_usager_who_said_any_lieu_is_offered_and_moved_to_another_lieu(
    store, pilot, second_lieu
):
    other = second_lieu
    anywhere = booking.book_rdv(
        store,
        request_for(
            pilot,
            starts_at=IN_FIVE_WEEKS,
            phone="+33611111111",
            email="u11111111@example.org",
            waiting_list=True,
            waiting_any_lieu=True,
        ),
        NOW,
    )
    here_only = book(store, pilot, IN_FIVE_WEEKS + timedelta(days=1), "33333333", waiting=True)
    b = booking.book_rdv(
        store,
        request_for(pilot, starts_at=IN_ONE_WEEK, lieu=other, phone="+33622222222"),
        NOW,
    )
    deliver_all(store, drain(store))
    manage.cancel_by_usager(store, b.manage_token, NOW)
    deliver_all(store, drain(store))
    assert not any(offer_links(t) for t in sms_to("+33633333333"))  # lieu-1 only
    [sms] = [t for t in sms_to("+33611111111") if offer_links(t)]
    assert "Antenne de Marck" in sms
    [token] = offer_links(sms)
    waiting_list.accept_offer(store, token, NOW)
    moved = store.rdvs.get(anywhere.rdv.id)
    assert (moved.starts_at, moved.lieu_id, moved.agent_id) == (IN_ONE_WEEK, "lieu-2", "agent-3")
    assert store.rdvs.get(here_only.rdv.id).starts_at == IN_FIVE_WEEKS + timedelta(days=1)


def test_the_queue_consumer_lambda_offers_the_slot(client, store, waiting, monkeypatch):
    from chalicelib.routes.events import NOTIFICATIONS_QUEUE

    monkeypatch.setattr(context, "now", lambda: NOW)
    _a, b = waiting
    manage.cancel_by_usager(store, b.manage_token, NOW)
    bodies = [m for m in drain(store) if m.get("kind")]
    event = client.events.generate_sqs_event(
        message_bodies=[json.dumps(m) for m in bodies], queue_name=NOTIFICATIONS_QUEUE
    )
    client.lambda_.invoke("deliver_notifications", event)
    assert len([t for t in sms_to("+33611111111") if offer_links(t)]) == 1


def test_a_slot_refilled_from_the_waiting_list_is_counted_and_shown(
    client, store, pilot, waiting, monkeypatch
):
    from tests.integration.test_statistics import counts, sign_in

    monkeypatch.setattr(context, "now", lambda: NOW)
    a, b = waiting
    manage.cancel_by_usager(store, b.manage_token, NOW)
    deliver_all(store, drain(store))
    [token] = offer_links(sms_to("+33611111111")[-1])
    waiting_list.accept_offer(store, token, NOW)
    waiting_list.accept_offer(store, token, NOW)  # a second click counts nothing more
    org = f"organisation#{a.rdv.organisation_id}"
    # Counted in the month of the slot it took (30 November), in the write's transaction.
    assert counts(store, org, "2026-11")["refilled_from_waiting_list"] == 1
    assert counts(store, f"motif#{a.rdv.motif_id}", "2026-11")["refilled_from_waiting_list"] == 1
    assert "refilled_from_waiting_list" not in counts(store, org, "2026-12")
    cookie = sign_in(client, store, pilot.agents[0])
    page = client.http.get(
        "/agents/statistiques?mois=2026-11", headers={"Cookie": cookie}
    ).body.decode()
    assert re.search(
        r'<span class="value">1</span><span class="label">Créneaux libérés repris par la liste',
        page,
    )


def test_the_daytime_sweep_offers_free_time_no_change_freed_once(store, waiting):
    a, _b = waiting
    # Free time nobody's change freed (the pilot's plages have room this week): the
    # sweep queues it for the one usager waiting, the earliest slot.
    found = waiting_list.sweep_free_time(store, NOW, lambda: 60_000)
    assert found.finished and found.queued == 1
    [message] = drain(store)
    assert message["kind"] == "slot_freed" and message["freed_by"] == ""
    starts_at = message["starts_at"]
    assert NOW.isoformat() < starts_at < IN_FIVE_WEEKS.isoformat()
    deliver_all(store, [message])
    [sms] = [t for t in sms_to("+33611111111") if offer_links(t)]
    # A second sweep (an overlapping one) queues the same slot: nothing is sent twice.
    again = waiting_list.sweep_free_time(store, NOW, lambda: 60_000)
    assert again.queued == 1
    [repeat] = drain(store)
    assert repeat["starts_at"] == starts_at
    deliver_all(store, [repeat], now=NOW + timedelta(minutes=1))
    # A quarter of an hour later the earliest slot may be another one: its offer would
    # be a second of the day, so nothing is sent either.
    later = NOW + timedelta(minutes=15)
    assert waiting_list.sweep_free_time(store, later, lambda: 60_000).queued == 1
    deliver_all(store, drain(store), now=later)
    assert [t for t in sms_to("+33611111111") if offer_links(t)] == [sms]
    # Accepted: the rdv leaves the list, the next sweep has nobody to offer to.
    [token] = offer_links(sms)
    assert waiting_list.accept_offer(store, token, NOW + timedelta(minutes=1)).moved_now
    drain(store)
    assert waiting_list.sweep_free_time(store, later, lambda: 60_000).queued == 0
    assert store.rdvs.get(a.rdv.id).starts_at.isoformat() == starts_at


def test_the_sweep_does_nothing_in_the_quiet_hours_or_without_time(store, waiting):
    evening = NOW.replace(hour=19, minute=15)  # 20:15 in Paris
    assert waiting_list.sweep_free_time(store, evening, lambda: 60_000).queued == 0
    out_of_time = waiting_list.sweep_free_time(store, NOW, lambda: 1_000)
    assert (out_of_time.queued, out_of_time.finished) == (0, False)
    assert drain(store) == []


def test_the_sweep_offers_nothing_at_an_archived_lieu(store, pilot, waiting):
    from dataclasses import replace

    store.catalogue.save_lieu(replace(pilot.lieu, archived_at=NOW))
    assert waiting_list.sweep_free_time(store, NOW, lambda: 60_000).queued == 0
    assert drain(store) == []


# --- the organisation's own limits ----------------------------------------------------


def set_rules(store, pilot, **changes):
    from dataclasses import replace

    rules = replace(waiting_list.default_rules(store.settings), **changes)
    store.catalogue.save_waiting_list_rules(pilot.organisation.id, rules)
    return rules


def offered_days(days):
    return [d for d in days if any(offer_links(t) for t in sms_to(f"+3367000000{d}"))]


@pytest.fixture
def four_waiting(store, pilot):
    """Four usagers wait, Monday to Thursday of the fifth week; B's rdv in one week."""
    for day in range(4):
        book(store, pilot, IN_FIVE_WEEKS + timedelta(days=day), f"7000000{day}", waiting=True)
    b = book(store, pilot, IN_ONE_WEEK, "22222222")
    deliver_all(store, drain(store))
    return b


def test_an_organisations_own_limits_are_stored_kept_and_removed(store, pilot):
    from dataclasses import replace
    from datetime import time

    org = pilot.organisation.id
    assert store.catalogue.get_organisation(org, fresh=True).waiting_list_rules is None
    assert waiting_list.rules_of(store, org) == waiting_list.default_rules(store.settings)
    rules = set_rules(store, pilot, quiet_from=time(21, 30), offers_per_slot=1)
    assert store.catalogue.get_organisation(org, fresh=True).waiting_list_rules == rules
    assert waiting_list.rules_of(store, org) == rules
    # Saving the organisation (its sectors; or a demo reload, which knows no limits)
    # keeps them: only save_waiting_list_rules sets them.
    store.catalogue.save_organisation(store.catalogue.get_organisation(org, fresh=True))
    store.catalogue.save_organisation(replace(pilot.organisation, waiting_list_rules=None))
    assert store.catalogue.get_organisation(org, fresh=True).waiting_list_rules == rules
    store.catalogue.save_waiting_list_rules(org, None)
    assert waiting_list.rules_of(store, org) == waiting_list.default_rules(store.settings)


def test_an_organisation_may_offer_a_slot_to_one_usager_at_a_time(store, pilot, four_waiting):
    set_rules(store, pilot, offers_per_slot=1)
    manage.cancel_by_usager(store, four_waiting.manage_token, NOW)
    deliver_all(store, drain(store))
    assert offered_days(range(4)) == [3]


def test_an_offer_unanswered_for_two_hours_goes_to_the_next_usager(store, pilot, four_waiting):
    manage.cancel_by_usager(store, four_waiting.manage_token, NOW)
    [freed] = [m for m in drain(store) if m.get("kind")]
    deliver_all(store, [freed])
    assert offered_days(range(4)) == [1, 2, 3]
    # The sweep queues the slot again while it stays free: within the round nobody new
    # is offered it; after two hours unanswered, the next usager is.
    deliver_all(store, [freed], now=NOW + timedelta(hours=1, minutes=59))
    assert offered_days(range(4)) == [1, 2, 3]
    deliver_all(store, [freed], now=NOW + timedelta(hours=2))
    assert offered_days(range(4)) == [0, 1, 2, 3]
    assert len([t for t in sms_to("+33670000003") if offer_links(t)]) == 1


def test_later_quiet_hours_of_an_organisation_let_an_evening_offer_go(store, pilot, waiting):
    from datetime import time

    _a, b = waiting
    set_rules(store, pilot, quiet_from=time(21, 0), quiet_until=time(7, 0))
    evening = NOW.replace(hour=19, minute=30)  # 20:30 in Paris
    manage.cancel_by_usager(store, b.manage_token, evening)
    deliver_all(store, drain(store), now=evening)
    assert len([t for t in sms_to("+33611111111") if offer_links(t)]) == 1


def test_the_deployment_may_let_offers_go_at_any_hour(store, waiting, monkeypatch):
    _a, b = waiting
    monkeypatch.setattr(store.settings, "waiting_list_quiet_hours", "00:00-00:00")
    night = NOW.replace(hour=2)  # 3:00 in Paris
    manage.cancel_by_usager(store, b.manage_token, night)
    deliver_all(store, drain(store), now=night)
    assert len([t for t in sms_to("+33611111111") if offer_links(t)]) == 1


def test_two_offers_a_day_when_the_organisation_allows_them(store, pilot, waiting):
    _a, b = waiting
    set_rules(store, pilot, offers_per_person_per_day=2)
    c = book(store, pilot, IN_ONE_WEEK + timedelta(minutes=30), "55555555")
    d = book(store, pilot, IN_ONE_WEEK + timedelta(minutes=60), "56565656")
    deliver_all(store, drain(store))
    for rdv in (b, c, d):
        manage.cancel_by_usager(store, rdv.manage_token, NOW)
    deliver_all(store, drain(store))
    assert len([t for t in sms_to("+33611111111") if offer_links(t)]) == 2


def test_the_sweep_follows_each_organisations_quiet_hours(store, pilot, waiting):
    from datetime import time

    evening = NOW.replace(hour=19, minute=15)  # 20:15 in Paris
    set_rules(store, pilot, quiet_from=time(21, 0), quiet_until=time(7, 0))
    assert waiting_list.sweep_free_time(store, evening, lambda: 60_000).queued == 1
    drain(store)
    night = NOW.replace(hour=20, minute=15)  # 21:15 in Paris
    assert waiting_list.sweep_free_time(store, night, lambda: 60_000).queued == 0


def test_the_sweep_looks_at_every_lieu_for_who_said_any_lieu(store, pilot, second_lieu):
    book_anywhere(store, pilot)
    book(store, pilot, IN_FIVE_WEEKS + timedelta(days=1), "33333333", waiting=True)
    deliver_all(store, drain(store))
    waiting_list.sweep_free_time(store, NOW, lambda: 60_000)
    queued = [m for m in drain(store) if m.get("kind")]
    at = {lieu: len([m for m in queued if m["lieu_id"] == lieu]) for lieu in ("lieu-1", "lieu-2")}
    # Two usagers wait at lieu-1, one of them at any lieu: lieu-2's earliest slot too.
    assert at == {"lieu-1": 2, "lieu-2": 1}


def test_an_offer_refused_by_one_mds_limit_leaves_another_mds_its_own(store):
    """The daily count is the person's, whoever offers: a refusal counts nothing, so an
    MDS allowing one offer a day does not use up another's two by retrying."""
    from chalicelib.services.rate_limits import offer_of_the_day

    phone, email = "+33611111111", "u@example.org"
    assert offer_of_the_day(store, phone, email, NOW, per_day=1)
    for minutes in (15, 30, 45):  # the sweep tries again every quarter of an hour
        assert not offer_of_the_day(store, phone, None, NOW + timedelta(minutes=minutes), 1)
    assert offer_of_the_day(store, phone, None, NOW + timedelta(hours=1), per_day=2)
    assert not offer_of_the_day(store, phone, email, NOW + timedelta(hours=2), per_day=2)


def test_the_same_time_at_two_lieux_is_two_offers(store, pilot, second_lieu):
    from chalicelib.domain.waiting_list import FreedSlot

    set_rules(store, pilot, offers_per_person_per_day=2)
    anywhere = book_anywhere(store, pilot)
    deliver_all(store, drain(store))
    messages = [
        waiting_list.freed_message(
            FreedSlot(pilot.organisation.id, "m30", lieu_id, IN_ONE_WEEK, freed_by_rdv_id="")
        )
        for lieu_id in ("lieu-1", "lieu-2")
    ]
    deliver_all(store, messages)
    links = [offer_links(t) for t in sms_to("+33611111111") if offer_links(t)]
    assert len(links) == 2 and links[0] != links[1]
    assert anywhere.rdv.starts_at == IN_FIVE_WEEKS
