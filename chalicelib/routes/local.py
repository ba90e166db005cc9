"""Local-only pages for developers: what the SMS and e-mails look like (404 elsewhere)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web.errors import html_errors
from chalicelib.web.lazy import lazy
from chalicelib.web.templating import HTML_HEADERS, render

outbox = lazy("chalicelib.services.outbox")
context = lazy("chalicelib.services.context")
errors = lazy("chalicelib.domain.errors")

local = Blueprint(__name__)


@local.route("/local/envois", methods=["GET"])
@html_errors
def sent_messages():
    sms, emails = outbox.outbox(context.settings())
    return render("local/outbox.html", sms=sms, emails=emails)


@local.route("/local/envois/{number}", methods=["GET"])
@html_errors
def sent_email_html(number):
    _, emails = outbox.outbox(context.settings())
    if not number.isdigit() or int(number) >= len(emails):
        raise errors.NotFound()
    return Response(body=emails[int(number)].html, status_code=200, headers=HTML_HEADERS)
