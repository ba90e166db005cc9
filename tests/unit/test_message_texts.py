"""Every SMS template fits one GSM-7 part with realistic long values (a 60-character
base URL, long lieu names, a child's name), says what is true when it is sent (« demain »,
whether cancelling online is still possible), and no message names the motif."""

import itertools
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib.domain.models import NotificationEvent
from chalicelib.domain.sms import is_gsm7, sms_parts, to_gsm7
from chalicelib.notify.messages import (
    AT_HOME,
    BY_PHONE,
    RdvFacts,
    agent_email_parts,
    email_parts,
    shorter_places,
    sms_text,
)

LONG = RdvFacts(
    service="Service social",
    organisation="Maison départementale des solidarités de Nœux-les-Mines",
    organisation_phone="03 21 00 62 29",
    starts_at=datetime(2026, 12, 10, 13, 30, tzinfo=UTC),
    duration=45,
    where="Permanence du centre social et culturel Jean-Jaurès – bâtiment B, 2e étage",
    where_full="Permanence du centre social, 12 avenue de la Mine, 62290 Nœux-les-Mines",
    manage_url="https://rdv-solidarites.pasdecalais.fr/r/AbCdEfGhIjKlMnOpQrStUv",
    rebook_url="https://rdv-solidarites.pasdecalais.fr/mds/mds-noeux-les-mines",
)


@pytest.mark.parametrize("event", list(NotificationEvent))
def test_every_sms_is_gsm7_in_one_part_even_with_long_values(event):
    text = sms_text(event, LONG)
    assert is_gsm7(text), text
    assert sms_parts(text) == 1, (len(text), text)
    assert "14h30" in text
    if event is NotificationEvent.RDV_REVOKED:
        assert LONG.organisation_phone in text
    elif event is NotificationEvent.RDV_CANCELLED:
        assert LONG.rebook_url in text
    else:
        assert LONG.manage_url in text


def test_the_reminder_sms_reads_well():
    text = sms_text(NotificationEvent.RDV_UPCOMING_REMINDER, LONG)
    assert text.startswith("Rappel : RDV Service social le jeu. 10/12 à 14h30, Permanence")


@pytest.mark.parametrize("event", list(NotificationEvent))
def test_emails_say_date_time_and_place(event):
    subject, text, html = email_parts(event, LONG)
    assert "jeudi 10 décembre 2026" in subject
    assert "14h30" in text and "14h30" in html
    assert "<html" in html and 'lang="fr"' in html


@pytest.mark.parametrize(
    "event",
    [
        NotificationEvent.RDV_CREATED,
        NotificationEvent.RDV_DATE_UPDATED,
        NotificationEvent.RDV_UPCOMING_REMINDER,
    ],
)
def test_plain_text_emails_keep_a_blank_line_after_the_details(event):
    _, text, _ = email_parts(event, LONG)
    lines = text.splitlines()
    place = next(i for i, line in enumerate(lines) if line.startswith("Lieu : "))
    assert lines[place + 1] == "", text


def test_the_agent_plain_text_email_keeps_a_blank_line_after_the_details():
    _, text, _ = agent_email_parts(NotificationEvent.RDV_CREATED, LONG)
    assert "Lieu : " + LONG.where_full + "\n\n" + LONG.organisation in text, text


# --- SMS with a 60-character base URL -------------------------------------------------------

BASE_60 = "https://rendez-vous-solidarites.departement-pas-de-calais.fr"
assert len(BASE_60) == 60
TOKEN = "AbCdEfGhIjKlMnOpQrStUv"  # 22 characters, as services/tokens.py makes them
LIEUX = (
    "MDS Nœux-les-Mines – site principal",
    "Permanence du centre social et culturel Jean-Jaurès – bâtiment B, 2e étage",
    "Maison départementale des solidarités de Nœux-les-Mines (antenne de Mazingarbe)",
    "Centre médico-social de l'Arrageois et des communes environnantes",
    BY_PHONE,
    AT_HOME,
)
WIDE = replace(
    LONG,
    manage_url=f"{BASE_60}/r/{TOKEN}",
    rebook_url=f"{BASE_60}/mds/mds-noeux-les-mines",
)
SENT = {
    "two days before": LONG.starts_at - timedelta(days=2),
    "the day before": LONG.starts_at - timedelta(days=1),
    "that morning": LONG.starts_at - timedelta(hours=6),
}
EVERY_CASE = list(
    itertools.product(
        list(NotificationEvent),
        LIEUX,
        ("", "Léa", "Marie-Charlotte"),
        ("PMI", "Service social"),
        (True, False),
        list(SENT),
    )
)


@pytest.mark.parametrize("event", list(NotificationEvent))
def test_every_sms_fits_one_gsm7_part_with_a_60_character_base_url(event):
    for _, where, child, service, can_cancel, sent in (c for c in EVERY_CASE if c[0] is event):
        facts = replace(
            WIDE,
            where=where,
            child=child,
            service=service,
            can_cancel_online=can_cancel,
            sent_at=SENT[sent],
        )
        text = sms_text(event, facts)
        assert is_gsm7(text), text
        assert sms_parts(text) == 1, (len(text), text)
        said_day = "10/12" if event is not NotificationEvent.RDV_UPCOMING_REMINDER else sent
        said_day = {"the day before": "demain", "that morning": "aujourd'hui"}.get(
            said_day, "10/12"
        )
        assert f"{said_day} à 14h30" in text or "10/12 à 14h30" in text, text
        if child:
            assert f"pour {to_gsm7(child)} " in text, text
        if event is NotificationEvent.RDV_CANCELLED:
            assert text.endswith(f"Nouveau RDV : {WIDE.rebook_url}"), text
        elif event is NotificationEvent.RDV_REVOKED:  # the MDS's phone to call
            assert text.endswith(f"appelez le {WIDE.organisation_phone}."), text
        elif can_cancel or event is NotificationEvent.WAITING_LIST_OFFER:
            # An offer always ends with its own link (nothing to cancel in it).
            assert text.endswith(WIDE.manage_url), text
        else:
            assert f"appelez le {WIDE.organisation_phone}" in text, text
            assert "Pour annuler :" not in text and "Annuler :" not in text, text
        if where in (BY_PHONE, AT_HOME) and event not in (
            NotificationEvent.RDV_CANCELLED,
            NotificationEvent.RDV_REVOKED,
        ):
            # Said whole (« à votre domicile », « à domicile »), never « à votre ».
            assert f", {to_gsm7(where)}." in text or ", à domicile." in text, text


def test_a_long_lieu_name_is_shortened_at_its_parts_then_at_words():
    assert shorter_places("MDS Nœux-les-Mines – site principal") == ["MDS Nœux-les-Mines", "MDS"]
    assert shorter_places(LIEUX[1])[:4] == [
        "Permanence du centre social et culturel Jean-Jaurès – bâtiment B",
        "Permanence du centre social et culturel Jean-Jaurès",
        "Permanence du centre social et culturel",
        "Permanence du centre social",  # not « … social et »
    ]
    assert shorter_places(AT_HOME) == ["à domicile"] and shorter_places(BY_PHONE) == []


@pytest.mark.parametrize("event", list(NotificationEvent))
def test_with_an_ordinary_base_url_every_sms_names_the_service(event):
    for where, child in itertools.product(LIEUX, ("", "Léa")):
        text = sms_text(
            event, replace(LONG, where=where, child=child, sent_at=SENT["the day before"])
        )
        assert sms_parts(text) == 1 and "Service social" in text, text


@pytest.mark.parametrize("where", LIEUX[:4])
def test_a_shortened_lieu_never_ends_on_a_piece_of_its_name(where):
    allowed = {to_gsm7(p) for p in [where, *shorter_places(where)]}
    for event, sent in itertools.product(list(NotificationEvent), SENT.values()):
        for child in ("", "Marie-Charlotte"):
            text = sms_text(event, replace(WIDE, where=where, child=child, sent_at=sent))
            said = re.search(r"à 14h30, (.*?)\. (?:Pour|Annuler|Gérer|Nouveau)", text)
            if said and event is not NotificationEvent.RDV_REVOKED:  # it names no lieu
                assert said.group(1) in allowed, text
    # The SMS of the issue: « MDS Noeux-les-Mines - site » with a longer base URL.
    text = sms_text(NotificationEvent.RDV_CREATED, replace(WIDE, where=LIEUX[0]))
    assert " - site" not in text and ", MDS Noeux-les-Mines" in text, text


def test_the_sms_templates_are_written_in_gsm7():
    """A letter outside GSM-7 in a template (« a dû annuler ») would be transliterated
    into wrong French (« a du annuler »): the templates' own words are GSM-7."""
    folder = Path(__file__).resolve().parents[2] / "templates" / "messages" / "sms"
    for template in folder.glob("*.txt"):
        words = re.sub(r"{#.*?#}", "", template.read_text(), flags=re.S)
        assert is_gsm7(words), template.name


def test_the_mds_cancelling_reads_right_in_gsm7():
    text = sms_text(NotificationEvent.RDV_REVOKED, LONG)
    assert text.startswith("La MDS a annulé votre RDV Service social du jeu. 10/12 à 14h30"), text
    text = sms_text(NotificationEvent.RDV_REVOKED, WIDE)  # no link: as long as with LONG
    assert text.startswith("La MDS a annulé votre RDV Service social du jeu. 10/12"), text
    assert text.endswith(f"appelez le {WIDE.organisation_phone}."), text


# --- what is true when the message is sent ----------------------------------------------------


def test_the_two_reminder_sms_differ_and_the_day_before_says_demain():
    facts = replace(LONG, where="MDS Nœux-les-Mines")

    def reminder(sent):
        return sms_text(NotificationEvent.RDV_UPCOMING_REMINDER, replace(facts, sent_at=sent))

    two_days, day_before = reminder(SENT["two days before"]), reminder(SENT["the day before"])
    assert two_days.startswith("Rappel : RDV Service social le jeu. 10/12 à 14h30, MDS Noeux")
    assert day_before.startswith("Rappel : RDV Service social demain jeu. 10/12 à 14h30, MDS")
    same_day = reminder(SENT["that morning"])
    assert same_day.startswith("Rappel : RDV Service social aujourd'hui jeu. 10/12 à 14h30")
    # Short of room, « demain » stays and the date goes.
    wide = replace(WIDE, where="MDS Nœux-les-Mines", sent_at=SENT["the day before"])
    text = sms_text(NotificationEvent.RDV_UPCOMING_REMINDER, wide)
    assert text.startswith("Rappel : RDV Service social demain à 14h30, MDS Noeux-les-Mines."), text


def test_demain_is_the_next_day_in_paris_not_24_hours_ahead():
    # Sent Wednesday 23:30 Paris (22:30 UTC) for Friday 00:30 Paris: « demain » is
    # Thursday, so the rdv is not « demain » though it is 25 hours ahead.
    rdv_at = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)  # Friday 11th, 0:30 in Paris
    facts = replace(LONG, starts_at=rdv_at, sent_at=datetime(2026, 12, 9, 22, 30, tzinfo=UTC))
    assert facts.relative_day == ""
    facts = replace(facts, sent_at=datetime(2026, 12, 9, 23, 30, tzinfo=UTC))  # Thu 0:30
    assert facts.relative_day == "demain"


def test_a_reminder_after_the_cancellation_deadline_gives_the_phone_not_the_link():
    late = replace(WIDE, can_cancel_online=False, sent_at=SENT["the day before"])
    text = sms_text(NotificationEvent.RDV_UPCOMING_REMINDER, late)
    assert "Pour annuler ou déplacer, appelez le 03 21 00 62 29." in text
    assert "Annuler :" not in text and "Pour annuler :" not in text
    early = replace(WIDE, sent_at=SENT["two days before"])
    text = sms_text(NotificationEvent.RDV_UPCOMING_REMINDER, early)
    assert text.endswith(f"Annuler : {WIDE.manage_url}"), text


def test_a_confirmation_inside_the_deadline_says_so_by_sms_and_email():
    late = replace(LONG, can_cancel_online=False, sent_at=SENT["that morning"])
    text = sms_text(NotificationEvent.RDV_CREATED, late)
    assert "appelez le 03 21 00 62 29" in text and "Annuler ou déplacer :" not in text
    _, body, html = email_parts(NotificationEvent.RDV_CREATED, late)
    for part in (body, html):
        assert "ne peut plus être annulé ni déplacé en ligne" in part
        assert "Annulez-le ou déplacez-le en ligne" not in part


def test_messages_to_a_parent_name_the_child():
    facts = replace(LONG, child="Léa", sent_at=SENT["the day before"])
    for event in NotificationEvent:
        assert "pour Léa " in sms_text(event, facts)
        subject, text, html = email_parts(event, facts)
        assert "Léa" in subject and "Léa" in text and "Léa" in html, event
    subject, _, _ = email_parts(NotificationEvent.RDV_UPCOMING_REMINDER, facts)
    assert subject == "Rappel : rendez-vous de Léa demain, jeudi 10 décembre 2026 à 14h30"


def test_no_message_names_the_motif_nor_offers_a_cancellation_that_is_over():
    motif = "Consultation nourrisson"
    for event, child, can_cancel in itertools.product(
        list(NotificationEvent), ("", "Léa"), (True, False)
    ):
        facts = replace(LONG, child=child, can_cancel_online=can_cancel)
        texts = [sms_text(event, facts), *email_parts(event, facts)]
        assert not any(motif.lower() in t.lower() for t in texts)
        if not can_cancel:
            assert not any(
                "déplacez-le en ligne" in t or "annulant en ligne" in t for t in texts
            ), event
