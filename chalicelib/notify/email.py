"""E-mail through SES: raw MIME with a text part, an HTML part and the rdv's .ics."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from chalicelib.notify.clients import client
from chalicelib.settings import Settings


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    ics: bytes | None = None,
    ics_method: str = "PUBLISH",
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="rdv-solidarites")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if ics is not None:
        message.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename="rendez-vous.ics",
            params={"method": ics_method},
        )
    return message


class EmailSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> str:
        kwargs = {}
        if self.settings.ses_configuration_set:
            kwargs["ConfigurationSetName"] = self.settings.ses_configuration_set
        answer = client("ses", self.settings).send_raw_email(
            RawMessage={"Data": message.as_bytes()}, **kwargs
        )
        return answer["MessageId"]
