"""Local-only pages for developers: what the SMS and e-mails look like.

`devtools.run` registers this blueprint on the app before serving it; app.py never
imports it, so neither the Lambda zip nor the deployed API has these pages. Its
template lives in devtools/templates/ and extends the site's layout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from chalice import Blueprint, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from chalicelib.domain.errors import NotFound
from chalicelib.filters import FILTERS
from chalicelib.rendering import TEMPLATES_DIR
from chalicelib.services import context
from chalicelib.web.errors import html_errors
from chalicelib.web.templating import HTML_HEADERS
from devtools.outbox import outbox

DEVTOOLS_TEMPLATES = Path(__file__).resolve().parent / "templates"

local_pages = Blueprint(__name__)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """devtools' own templates first, then the site's (layout.html and its CSS)."""
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(str(DEVTOOLS_TEMPLATES)), FileSystemLoader(str(TEMPLATES_DIR))]
        ),
        autoescape=select_autoescape(("html", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


@local_pages.route("/local/envois", methods=["GET"])
@html_errors
def sent_messages():
    sms, emails = outbox(context.settings())
    body = environment().get_template("outbox.html").render(sms=sms, emails=emails)
    return Response(body=body, status_code=200, headers=HTML_HEADERS)


@local_pages.route("/local/envois/{number}", methods=["GET"])
@html_errors
def sent_email_html(number):
    _, emails = outbox(context.settings())
    if not number.isdigit() or int(number) >= len(emails):
        raise NotFound()
    return Response(body=emails[int(number)].html, status_code=200, headers=HTML_HEADERS)
