"""What moto received (local stage only): the SMS and e-mails usagers would get.

`make run` serves moto in this same process (devtools/run.py), so this reads moto's
backends directly: the SMS SNS sent to phone numbers and the raw MIME e-mails of SES.
(`GET /moto-api/data.json` has them too, but it serialises every DynamoDB item and
took seconds once the demo agenda was loaded.)"""

from __future__ import annotations

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
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses import ses_backends
    from moto.sns import sns_backends

    sns = sns_backends[DEFAULT_ACCOUNT_ID][settings.aws_region]
    ses = ses_backends[DEFAULT_ACCOUNT_ID][settings.aws_region]
    sms = [SentSms(phone, text) for phone, text in list(sns.sms_messages.values())]
    emails = []
    for sent in list(ses.sent_messages):
        message = message_from_string(getattr(sent, "raw_data", ""), policy=policy.default)
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
