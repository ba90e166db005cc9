"""The Jinja environment and HTML responses.

Templates live in the project's top-level `templates/`, which sits beside
`chalicelib/` both in the work tree and at the root of the Lambda zip (the build
copies it into `vendor/`, whose content Chalice puts at the zip's root)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from chalice import Response

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

HTML_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    # Pages carry private links and personal data: never stored by shared caches,
    # never sent as Referer to another site, never framed.
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


@lru_cache(maxsize=1)
def environment() -> Any:
    """Built on first use, once per process (Jinja's import is not free)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from chalicelib.web import filters

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(("html", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters.FILTERS)
    return env


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render(template: str, status_code: int = 200, **context: Any) -> Response:
    return Response(
        body=render_text(template, **context), status_code=status_code, headers=HTML_HEADERS
    )
