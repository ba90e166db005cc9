"""HTML responses rendered from templates (see chalicelib/rendering.py)."""

from __future__ import annotations

from typing import Any

from chalice import Response

from chalicelib.rendering import render_text

# Pages and API answers carry private links and personal data: never stored by shared
# caches, never sent as Referer to another site, never framed.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8", **SECURITY_HEADERS}
# The dashboard checks the Origin of every POST. Under `no-referrer` a browser sends
# `Origin: null` for a form posted from the page (Fetch standard, "append a request
# Origin header"): agents could not sign in. `same-origin` still sends nothing to
# another site; the dashboard's URLs carry ids, not the usagers' private links.
DASHBOARD_HEADERS = {**HTML_HEADERS, "Referrer-Policy": "same-origin"}


def render(
    template: str,
    status_code: int = 200,
    extra_headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    return Response(
        body=render_text(template, **context),
        status_code=status_code,
        headers={
            **(DASHBOARD_HEADERS if template.startswith("agent/") else HTML_HEADERS),
            **(extra_headers or {}),
        },
    )
