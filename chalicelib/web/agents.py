"""What every dashboard page shares: the session cookie, the CSRF token and the
Origin check of every POST, and rendering with the agent's context.

`@signed_in(blueprint)` (below `@html_errors`) gives the handler the AgentContext as
its first argument: anonymous visitors go to the sign-in page (303), and every POST
must carry the session's CSRF token and, when the browser sends one, an Origin of
this site. Scoping is then the handler's rule: read and write only within
`context.organisation.id`."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

from chalice import Response

from chalicelib.domain.errors import DomainError
from chalicelib.services import agent_auth, context
from chalicelib.web.errors import error_page
from chalicelib.web.params import form_data
from chalicelib.web.templating import DASHBOARD_HEADERS, render

COOKIE = "rdv_agent"
SIGN_IN = "/agents/connexion"
HOME = "/agents"


class Forbidden(DomainError):
    status_code = 403
    message = "Cette page n’est pas accessible avec votre compte."


class FormExpired(DomainError):
    status_code = 403
    message = "Ce formulaire a expiré. Rechargez la page et recommencez."


def read_token(request: Any) -> str | None:
    cookies = SimpleCookie()
    try:
        cookies.load(((request.headers or {}).get("cookie")) or "")
    except Exception:  # a malformed Cookie header: no session
        return None
    return cookies[COOKIE].value if COOKIE in cookies else None


def session_cookie(token: str) -> str:
    secure = "" if context.settings().is_local else "; Secure"
    return f"{COOKIE}={token}; Path=/agents; HttpOnly; SameSite=Lax{secure}"


def cleared_cookie() -> str:
    secure = "" if context.settings().is_local else "; Secure"
    return f"{COOKIE}=; Path=/agents; Max-Age=0; HttpOnly; SameSite=Lax{secure}"


def csrf_token(agent_context: agent_auth.AgentContext) -> str:
    """Bound to the session: a form of another session (or of nobody's) is refused."""
    secret = context.settings().secret_key.encode()
    digest = hmac.new(secret, f"csrf:{agent_context.session.token_hash}".encode(), hashlib.sha256)
    return digest.hexdigest()


def same_origin(request: Any) -> bool:
    """An Origin header, when the browser sends one, must be this site's."""
    origin = (request.headers or {}).get("origin")
    if not origin:
        return True
    allowed = {_origin(context.settings().base_url)}
    host = (request.headers or {}).get("host")
    if host:
        allowed |= {f"https://{host}", f"http://{host}"}
    return _origin(origin) in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


def _path(request: Any) -> str:
    """The path asked for: the route's template with its parameters (the same behind
    API Gateway, `chalice local` and the test client)."""
    try:
        path = request.path.format(**(request.uri_params or {}))
    except (KeyError, IndexError, ValueError):
        path = HOME
    return safe_next(path)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a dashboard path of this site only."""
    value = (value or "").strip()
    if (value == HOME or value.startswith(HOME + "/")) and "//" not in value and "\\" not in value:
        return value
    return HOME


def redirect(location: str, cookie: str | None = None) -> Response:
    headers = {"Location": location}
    if cookie:
        headers["Set-Cookie"] = cookie
    return Response(body="", status_code=303, headers=headers)


def signed_in(
    blueprint: Any, admin: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def wrapper(**kwargs: Any) -> Any:
            request = blueprint.current_request
            agent_context = agent_auth.session_for(
                context.store(), read_token(request), context.now()
            )
            if agent_context is None:
                wanted = _path(request) if request.method == "GET" else HOME
                return redirect(f"{SIGN_IN}?suite={quote(wanted)}")
            if request.method == "POST":
                posted = form_data(request.raw_body).get("csrf", "")
                if not same_origin(request) or not hmac.compare_digest(
                    posted, csrf_token(agent_context)
                ):
                    raise FormExpired()
            if admin and not agent_context.is_admin:
                # A dashboard page's answer: its Referrer-Policy (see templating.py).
                return error_page(
                    "Cette page est réservée aux administrateurs de la MDS.",
                    Forbidden.status_code,
                    extra_headers={"Referrer-Policy": DASHBOARD_HEADERS["Referrer-Policy"]},
                )
            return handler(agent_context, **kwargs)

        return wrapper

    return decorate


def render_agent(
    template: str, agent_context: agent_auth.AgentContext, status_code: int = 200, **values: Any
) -> Response:
    return render(
        template,
        status_code=status_code,
        me=agent_context,
        csrf=csrf_token(agent_context),
        **values,
    )
