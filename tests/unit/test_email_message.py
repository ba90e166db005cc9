"""The MIME message of an e-mail: headers read back exactly as written (no double space
in a folded subject), addresses built as addresses, Reply-To the MDS, the .ics in UTF-8."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.headerregistry import Address

import pytest

from chalicelib.domain.models import NotificationEvent
from chalicelib.notify import messages
from chalicelib.notify.email import build_message, email_address
from chalicelib.notify.messages import AGENT_HEADLINES, agent_email_parts
from tests.unit.test_message_texts import LONG

SENDER = "RDV Solidarités <ne-pas-repondre@rdv-solidarites.example>"


def sent(message) -> object:
    """The message as a mail client reads it back."""
    return message_from_bytes(message.as_bytes(policy=policy.SMTP), policy=policy.default)


def raw_header(message, name: str) -> str:
    head = message.as_bytes(policy=policy.SMTP).split(b"\r\n\r\n", 1)[0].decode()
    unfolded = head.replace("\r\n ", " ").replace("\r\n\t", "\t")  # RFC 5322 unfolding
    [line] = [h for h in unfolded.split("\r\n") if h.lower().startswith(name.lower() + ":")]
    return line.split(":", 1)[1].strip()


def message_with(subject: str, **kw):
    base = dict(sender=SENDER, to="amandine@example.org", subject=subject, text="x", html="<p>x")
    return build_message(**{**base, **kw})


def test_subjects_read_back_exactly_on_every_day_of_the_year():
    """Python's folding of a long header puts a line break before an encoded word and
    leaves the space before it: « 2026  à 10h00 » (two spaces), or drops it
    (« 31décembre »). Every agent and usager subject of a year reads back as written."""
    start, wrong = datetime(2026, 1, 1, 8, tzinfo=UTC), []
    for day in range(366):
        facts = replace_start(start + timedelta(days=day, hours=day % 9))
        subjects = [f"{h} : {facts.day_long} à {facts.time}" for h in AGENT_HEADLINES.values()]
        if day % 4 == 0:
            subjects += [messages.subject(e, facts) for e in NotificationEvent]
        for subject in subjects:
            message = message_with(subject)
            if str(make_header(decode_header(raw_header(message, "Subject")))) != subject:
                wrong.append(subject)
        if sent(message)["Subject"] != subject:  # Python's own reader agrees
            wrong.append(subject)
    assert wrong == []


def replace_start(starts_at):
    from dataclasses import replace

    return replace(LONG, starts_at=starts_at)


def test_the_agent_subject_is_the_one_checked_above():
    facts = replace_start(datetime(2026, 5, 10, 8, tzinfo=UTC))
    subject, _, _ = agent_email_parts(NotificationEvent.RDV_CREATED, facts)
    assert subject == "Nouveau rendez-vous pris en ligne : dimanche 10 mai 2026 à 10h00"
    assert raw_header(message_with(subject), "Subject").count("  ") == 0


def test_subject_lines_stay_within_78_characters():
    subject = "Nouveau rendez-vous pris en ligne : dimanche 10 mai 2026 à 10h00" * 2
    head = message_with(subject).as_bytes(policy=policy.SMTP).split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78


def test_reply_to_is_the_mds_and_from_stays_the_no_reply_sender():
    reply_to = Address(display_name="MDS Nœux-les-Mines", addr_spec="mds-noeux@example.fr")
    message = sent(message_with("Sujet", reply_to=reply_to))
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "RDV Solidarités",
        "ne-pas-repondre@rdv-solidarites.example",
    )
    [answer_to] = message["Reply-To"].addresses
    assert answer_to.addr_spec == "mds-noeux@example.fr"
    decoded = str(
        make_header(decode_header(raw_header(message_with("S", reply_to=reply_to), "Reply-To")))
    )
    assert decoded == "MDS Nœux-les-Mines <mds-noeux@example.fr>"
    assert "Reply-To" not in message_with("Sujet")  # no MDS e-mail: no Reply-To


@pytest.mark.parametrize(
    "typed",
    [
        "x<victim@evil.example>",
        "undisclosed:a;@example.org",
        '"><svg/onload=alert(1)>@evil.example',
        "amandine@example.org\r\nBcc: someone@evil.example",
        "amandine@example.org, other@evil.example",
        "josé@example.org",
        "",
    ],
)
def test_an_address_that_is_not_one_address_is_refused_not_turned_into_a_header(typed):
    assert email_address(typed) is None
    with pytest.raises(ValueError):
        message_with("Sujet", to=typed)


def test_a_plain_address_becomes_one_recipient():
    assert email_address(" Amandine@Example.org ") == Address(addr_spec="Amandine@Example.org")
    [to] = sent(message_with("Sujet", to="amandine@example.org"))["To"].addresses
    assert to.addr_spec == "amandine@example.org"


def test_the_calendar_part_says_its_charset_and_method():
    message = sent(
        message_with("Sujet", ics=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", ics_method="CANCEL")
    )
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("charset") == "utf-8"
    assert part.get_param("method") == "CANCEL"


def test_an_international_domain_is_written_in_its_ascii_form():
    assert email_address("jose@exémple.fr") == Address(addr_spec="jose@xn--exmple-cva.fr")
