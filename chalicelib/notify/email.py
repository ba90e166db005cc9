"""E-mail through SES: raw MIME with a text part, an HTML part and the rdv's .ics.

Address headers are built from `email.headerregistry.Address` (an address that is not
exactly one address is refused, never turned into a header), From is the no-reply
sender and Reply-To the MDS. The subject is encoded here (RFC 2047, in words of at most
66 characters, the spaces inside them): Python's own folding of a long subject puts a
line break before an encoded word and keeps the space before it (« 2026  à 10h00 ») or
loses it (« 31décembre »)."""

from __future__ import annotations

from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from chalicelib.notify.clients import client
from chalicelib.settings import Settings

# An encoded subject line: "Subject: " and its first encoded word stay within 78.
_SUBJECT_MAX = 76


def email_address(value: str, display_name: str = "") -> Address | None:
    """`value` as one address, or None when it is not exactly one well-formed bare
    address (« x<victim@evil.example> » is not the address it looks like)."""
    value = (value or "").strip()
    if not value or any(c.isspace() or c in '<>,;"' for c in value):
        return None
    local_part, _, domain = value.rpartition("@")
    if not domain.isascii():  # an international domain name goes in its ASCII form
        try:
            value = f"{local_part}@{domain.encode('idna').decode('ascii')}"
        except UnicodeError:
            return None
    if not value.isascii():
        return None  # a non-ASCII local part needs SMTPUTF8, which SES's raw API lacks
    try:
        address = Address(display_name=display_name, addr_spec=value)
    except (ValueError, IndexError, TypeError):
        return None
    if address.addr_spec != value or not address.username or "." not in address.domain:
        return None
    return address


def mailbox(value: str | Address) -> Address:
    """A configured address, bare or with its name (« RDV Solidarités <a@b.fr> »)."""
    if isinstance(value, Address):
        return value
    name, addr_spec = parseaddr(value)
    address = email_address(addr_spec, name)
    if address is None:
        raise ValueError(f"not one e-mail address: {value!r}")
    return address


def _recipient(value: str | Address) -> Address:
    if isinstance(value, Address):
        return value
    address = email_address(value)
    if address is None:
        raise ValueError("To: not one e-mail address")
    return address


def build_message(
    *,
    sender: str | Address,
    to: str | Address,
    subject: str,
    text: str,
    html: str,
    ics: bytes | None = None,
    ics_method: str = "PUBLISH",
    reply_to: Address | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mailbox(sender)
    message["To"] = _recipient(to)
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message.set_raw(
        "Subject", Header(subject, "utf-8", maxlinelen=_SUBJECT_MAX, header_name="Subject").encode()
    )
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
            params={"method": ics_method, "charset": "utf-8"},
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
