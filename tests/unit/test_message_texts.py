"""Every SMS template fits one GSM-7 part with realistic long values, and no message
names the motif."""

from datetime import UTC, datetime

import pytest

from chalicelib.domain.models import NotificationEvent
from chalicelib.domain.sms import is_gsm7, sms_parts
from chalicelib.notify.messages import RdvFacts, agent_email_parts, email_parts, sms_text

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
    if event in (NotificationEvent.RDV_CANCELLED, NotificationEvent.RDV_REVOKED):
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
