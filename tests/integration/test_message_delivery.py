"""What a person receives, rendered when it is sent (queue consumer on moto): the
reminder of the day before says « demain », a text offers online cancellation only
before the motif's deadline, a parent reads the child's name, e-mails answer to the MDS
and carry an .ics stamped at sending time that holds no private link."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from icalendar import Calendar

from chalicelib.domain.models import RdvContact
from chalicelib.domain.sms import sms_parts
from chalicelib.services import booking, notifications
from chalicelib.services.booking import Person
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_booking import request_for
from tests.integration.test_notifications import deliver_all, drain, sent_emails, sent_sms

MDS_EMAIL = "mds-test@example.fr"


@pytest.fixture
def mds_with_email(store, pilot):
    store.catalogue.save_organisation(replace(pilot.organisation, email=MDS_EMAIL))
    return pilot


def remind(store, at):
    """The sweep at `at`, and the consumer sending what it queued at that time."""
    notifications.send_due_reminders(store, at, lambda: 60_000)
    before = len(sent_sms())
    deliver_all(store, drain(store), now=at)
    return [text for _, text in sent_sms()[before:]]


def test_the_two_reminders_differ_and_the_last_gives_the_phone_once_too_late(store, pilot):
    booking.book_rdv(store, request_for(pilot), NOW)
    deliver_all(store, drain(store))
    [two_days] = remind(store, TUESDAY_9H - timedelta(days=2))
    assert two_days.startswith("Rappel : RDV PMI le mar. 01/12 à 9h00, MDS Test")
    assert "Pour annuler : https://rdv.example.fr/r/" in two_days
    # The day before at 9:00, the motif's 24-hour deadline has just passed.
    [day_before] = remind(store, TUESDAY_9H - timedelta(days=1))
    assert day_before.startswith("Rappel : RDV PMI demain mar. 01/12 à 9h00, MDS Test")
    assert "appelez le 03 21 00 00 00" in day_before
    assert "/r/" not in day_before.split("Détails")[0]
    assert "Pour annuler :" not in day_before
    reminder_mails = [m for m in sent_emails() if m["Subject"].startswith("Rappel")]
    assert [m["Subject"] for m in reminder_mails] == [
        "Rappel : rendez-vous le mardi 1er décembre 2026 à 9h00",
        "Rappel : rendez-vous demain, mardi 1er décembre 2026 à 9h00",
    ]
    last = reminder_mails[-1].get_body(("plain",)).get_content()
    assert "ne peut plus être annulé ni déplacé en ligne" in last


def test_a_rdv_booked_inside_its_deadline_is_confirmed_with_the_phone(store, pilot):
    tomorrow = NOW + timedelta(hours=23)  # Tuesday 24 November, 8:00 Paris... 9:00 slot:
    tomorrow = tomorrow.replace(hour=8)  # 9:00 Paris, 24 h after NOW: the deadline is now
    booking.book_rdv(store, request_for(pilot, starts_at=tomorrow), NOW)
    deliver_all(store, drain(store))
    [(_, text)] = sent_sms()
    assert text.startswith("RDV PMI confirmé le mar. 24/11 à 9h00, MDS Test")
    assert "Pour annuler ou déplacer, appelez le 03 21 00 00 00." in text
    assert "Annuler ou déplacer :" not in text
    [mail] = [m for m in sent_emails() if m["To"] == "amandine@example.org"]
    body = mail.get_body(("plain",)).get_content()
    assert "ne peut plus être annulé ni déplacé en ligne" in body
    assert "déplacez-le en ligne" not in body


def test_a_parent_reads_the_childs_first_name(store, pilot):
    child = Person("Léa", "Dupont")
    booking.book_rdv(store, request_for(pilot, child=child), NOW)
    deliver_all(store, drain(store))
    [(_, text)] = sent_sms()
    assert text.startswith("RDV PMI pour Léa confirmé le mar. 01/12 à 9h00")
    assert "Dupont" not in text
    [mail] = [m for m in sent_emails() if m["To"] == "amandine@example.org"]
    assert mail["Subject"] == "Le rendez-vous de Léa du mardi 1er décembre 2026 à 9h00 est confirmé"


def test_the_rdvs_own_contact_is_told_and_names_the_child(store, pilot, monkeypatch):
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    drain(store)
    contact = RdvContact(phone="+33698765432", email=None, child_first_name="Noé")
    with_contact = replace(store.rdvs.get(booked.rdv.id), contact=contact)
    monkeypatch.setattr(store.rdvs, "get", lambda rdv_id: with_contact)
    deliver_all(store, [notifications.message_for(with_contact, _created())])
    [(phone, text)] = sent_sms()
    assert phone == "+33698765432" and text.startswith("RDV PMI pour Noé confirmé")
    assert [m for m in sent_emails() if m["To"] == "amandine@example.org"] == []


def _created():
    from chalicelib.domain.models import NotificationEvent

    return NotificationEvent.RDV_CREATED


def test_emails_answer_to_the_mds_and_carry_an_ics_stamped_when_sent(store, mds_with_email):
    booked = booking.book_rdv(store, request_for(mds_with_email), NOW)
    sending = NOW + timedelta(minutes=3)
    deliver_all(store, drain(store), now=sending)
    [mail] = [m for m in sent_emails() if m["To"] == "amandine@example.org"]
    assert mail["From"].addresses[0].addr_spec == "ne-pas-repondre@rdv-solidarites.example"
    assert mail["Reply-To"].addresses[0].addr_spec == MDS_EMAIL
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("charset") == "utf-8"
    ics = part.get_payload(decode=True).decode()
    assert booked.manage_token not in ics and "/r/" not in ics
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstamp") == sending  # not the rdv's creation
    assert str(event["organizer"]).lower() == f"mailto:{MDS_EMAIL}"
    assert "03 21 00 00 00" in str(event["description"])
    assert "https://rdv.example.fr" in str(event["description"])
    # The private link stays in the e-mail's body.
    assert booked.manage_token in mail.get_body(("plain",)).get_content()


def test_the_agent_email_answers_to_no_one_and_reads_its_subject_back(store, pilot):
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    deliver_all(store, drain(store))
    agent = store.agents.get(booked.rdv.agent_id)
    [mail] = [m for m in sent_emails() if m["To"] == agent.email]
    assert mail["Subject"] == "Nouveau rendez-vous pris en ligne : mardi 1er décembre 2026 à 9h00"
    assert "Reply-To" not in mail


@pytest.fixture
def wide_store(monkeypatch, request):
    """The store of a deployment whose base URL is 60 characters long."""
    monkeypatch.setenv(
        "RDVSOL_BASE_URL", "https://rendez-vous-solidarites.departement-pas-de-calais.fr"
    )
    return request.getfixturevalue("store")


def test_with_a_60_character_base_url_every_sms_is_one_part(wide_store, pilot):
    from chalicelib.services import manage

    store = wide_store
    assert len(store.settings.base_url) == 60
    long_name = "Permanence du centre social et culturel Jean-Jaurès – bâtiment B, 2e étage"
    store.catalogue.save_lieu(replace(pilot.lieu, name=long_name))
    child = Person("Marie-Charlotte", "Dupont")
    booked = booking.book_rdv(store, request_for(pilot, child=child), NOW)
    deliver_all(store, drain(store))
    later = NOW + timedelta(hours=2)  # SMS of one rdv are spaced by an hour at least
    manage.move_by_usager(store, booked.manage_token, TUESDAY_9H + timedelta(days=1), later)
    deliver_all(store, drain(store), now=later)
    # Another rdv, cancelled: the cancellation SMS (its own rdv's SMS are spaced too).
    other = booking.book_rdv(
        store, request_for(pilot, child=child, starts_at=TUESDAY_9H + timedelta(days=2)), later
    )
    deliver_all(store, drain(store), now=later)
    two_hours_later = later + timedelta(hours=2)
    manage.cancel_by_usager(store, other.manage_token, two_hours_later)
    deliver_all(store, drain(store), now=two_hours_later)
    # The moved rdv's reminder: the day before (the move's SMS stood for the 2-day one).
    remind(store, TUESDAY_9H)
    texts = [text for _, text in sent_sms()]
    assert [t.split(" ")[0] for t in texts] == ["RDV", "RDV", "RDV", "RDV", "Rappel"], texts
    assert "annulé" in texts[3], texts
    assert all(sms_parts(t) == 1 for t in texts), texts
    assert all("Marie-Charlotte" in t for t in texts), texts


def test_the_downloaded_ics_holds_no_private_link(store, pilot):
    from chalicelib.services import manage

    booked = booking.book_rdv(store, request_for(pilot), NOW)
    ics = manage.calendar_for_token(store, booked.manage_token, NOW).decode()
    assert booked.manage_token not in ics
    assert "https://rdv.example.fr" in ics


def test_the_pipeline_sends_the_sms_parts_the_count_says(store, pilot):
    """The typical life of tests/unit/test_sms_count.py through the real pipeline. It
    costs what `sms_of_a_life(..., move_rule=True)` says: the write path applies
    `reminders_after_move` to a move's plan (3)."""
    from chalicelib.services import manage
    from tests.unit.test_sms_count import STARTS_AT, TYPICAL_MOVE, parts, sms_of_a_life

    assert NOW + timedelta(days=10) == STARTS_AT
    booked = booking.book_rdv(store, request_for(pilot, starts_at=STARTS_AT), NOW)
    deliver_all(store, drain(store))
    manage.move_by_usager(store, booked.manage_token, TYPICAL_MOVE.to, TYPICAL_MOVE.at)
    deliver_all(store, drain(store), now=TYPICAL_MOVE.at)
    for before in (timedelta(days=2), timedelta(days=1)):
        remind(store, TYPICAL_MOVE.to - before)
    sent = sum(sms_parts(text) for _, text in sent_sms())
    assert sent == parts(sms_of_a_life(TYPICAL_MOVE, move_rule=True)) == 3
