"""What moto received (local stage only): the SMS and e-mails usagers would get.

Reads moto's own record, `GET /moto-api/data.json` on its server: `sns.SMS` lists
the SMS sent to phone numbers, `ses.RawMessage` the raw MIME e-mails."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from email import message_from_string, policy

from chalicelib.domain.errors import NotFound
from chalicelib.settings import Settings


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str


@dataclass(frozen=True)
class SentEmail:
    to: str
    subject: str
    text: str
    html: str
    attachments: list[str]


def outbox(settings: Settings) -> tuple[list[SentSms], list[SentEmail]]:
    """Newest first. NotFound outside a local stage: this page must not exist there."""
    if not settings.is_local or not settings.aws_endpoint_url:
        raise NotFound()
    url = settings.aws_endpoint_url.rstrip("/") + "/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=5) as answer:
        data = json.load(answer)
    sms = [
        SentSms(item.get("phone_number", ""), item.get("message", ""))
        for item in data.get("sns", {}).get("SMS", [])
    ]
    emails = []
    for item in data.get("ses", {}).get("RawMessage", []):
        message = message_from_string(item.get("raw_data", ""), policy=policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        emails.append(
            SentEmail(
                to=str(message.get("To", "")),
                subject=str(message.get("Subject", "")),
                text=text.get_content() if text else "",
                html=html.get_content() if html else "",
                attachments=[p.get_filename() or "" for p in message.iter_attachments()],
            )
        )
    return list(reversed(sms)), list(reversed(emails))
