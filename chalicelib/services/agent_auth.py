"""Agents' sign-in, sessions and e-mailed password links.

- Passwords are hashed with argon2id. Sign-in failures are counted per account and
  per client address (failures only: a correct password always works below the cap),
  and the answer never says whether the e-mail exists (an unknown e-mail costs the
  same argon2 verification as a known one).
- A session is a random id of 256 bits in a cookie; the store keeps its SHA-256 only,
  with an idle expiry (2 h, moved on by use) and an absolute one (12 h); signing out
  deletes it; changing one's password signs out everywhere.
- Password links (« mot de passe oublié », an admin's invitation) are random, stored
  hashed, single use, and expire (1 hour, a week); opening one changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chalicelib.domain.errors import DomainError, FieldErrors, NotFound, RateLimited
from chalicelib.domain.models import (
    Agent,
    AgentLink,
    AgentLinkPurpose,
    AgentSession,
    Organisation,
    Role,
)
from chalicelib.domain.policies import (
    INVITE_LINK_VALIDITY,
    PASSWORD_MIN_LENGTH,
    RESET_LINK_VALIDITY,
    SESSION_ABSOLUTE,
    SESSION_TOUCH_EVERY,
    session_expiry,
)
from chalicelib.services.tokens import hash_token
from chalicelib.store import Store

SIGN_IN_WINDOW = timedelta(minutes=15)
FAILURES_PER_ACCOUNT = 5
FAILURES_PER_ADDRESS = 20
RESETS_PER_ADDRESS = 5


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """Verified against when the e-mail is unknown: the same cost as a real check."""
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _decoy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


class SignInRefused(DomainError):
    status_code = 401
    message = "Adresse e-mail ou mot de passe incorrect."


@dataclass(frozen=True)
class AgentContext:
    """Who is signed in, and where they are working: every dashboard read and write is
    scoped by `organisation.id`, never by an id from the browser alone."""

    session: AgentSession
    agent: Agent
    organisation: Organisation
    role: Role
    organisations: tuple[Organisation, ...]  # every organisation of the agent

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def _window_key(kind: str, subject: str, now: datetime, store: Store) -> tuple[str, datetime]:
    seconds = int(SIGN_IN_WINDOW.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    keyed = hmac.new(
        store.settings.secret_key.encode(), f"{kind}:{subject}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"signin#{kind}#{keyed}#{start}", datetime.fromtimestamp(start + seconds, tz=now.tzinfo)


def _refuse_when_throttled(store: Store, email: str, address: str | None, now: datetime) -> None:
    checks = [("account", email, FAILURES_PER_ACCOUNT)]
    if address:
        checks.append(("address", address, FAILURES_PER_ADDRESS))
    for kind, subject, limit in checks:
        key, window_end = _window_key(kind, subject, now, store)
        if store.rate_limits.count(key) >= limit:
            minutes = max(1, int((window_end - now).total_seconds() // 60) + 1)
            raise RateLimited(
                "Trop de tentatives de connexion. Réessayez dans "
                f"{minutes} minute{'s' if minutes > 1 else ''}."
            )


def _count_failure(store: Store, email: str, address: str | None, now: datetime) -> None:
    for kind, subject in (("account", email), ("address", address)):
        if subject:
            key, window_end = _window_key(kind, subject, now, store)
            store.rate_limits.hit(key, window_end)


def sign_in(
    store: Store, email: str, password: str, client_address: str | None, now: datetime
) -> tuple[str, AgentContext]:
    """A new session's token (for the cookie only) and its context; SignInRefused or
    RateLimited otherwise."""
    email = (email or "").strip().lower()
    _refuse_when_throttled(store, email, client_address, now)
    agent = store.agents.get_by_email(email) if email else None
    valid = verify_password(agent.password_hash if agent else None, password or "")
    if agent is None or not valid or not agent.roles:
        _count_failure(store, email, client_address, now)
        raise SignInRefused()
    if _hasher().check_needs_rehash(agent.password_hash):
        store.agents.save(replace(agent, password_hash=hash_password(password)))
    token = secrets.token_urlsafe(32)
    session = AgentSession(
        token_hash=hash_token(token),
        agent_id=agent.id,
        organisation_id=sorted(agent.roles)[0],
        created_at=now,
        last_seen_at=now,
        expires_at=session_expiry(now, now),
        absolute_expires_at=now + SESSION_ABSOLUTE,
    )
    store.sessions.save(session)
    context = _context(store, session, agent)
    if context is None:
        raise SignInRefused()
    return token, context


def session_for(store: Store, token: str | None, now: datetime) -> AgentContext | None:
    """The context of a session cookie, or None (absent, unknown, expired, or the agent
    no longer in any organisation). Use moves the idle expiry on."""
    if not token or len(token) > 128:
        return None
    session = store.sessions.get(hash_token(token), now)
    if session is None:
        return None
    agent = store.agents.get(session.agent_id)
    if agent is None:
        return None
    if now - session.last_seen_at >= SESSION_TOUCH_EVERY:
        expires_at = session_expiry(session.created_at, now)
        store.sessions.touch(session, now, expires_at)
        session = replace(session, last_seen_at=now, expires_at=expires_at)
    return _context(store, session, agent)


def _context(store: Store, session: AgentSession, agent: Agent) -> AgentContext | None:
    organisations = tuple(
        o
        for o in (store.catalogue.get_organisation(i) for i in sorted(agent.roles))
        if o is not None
    )
    if not organisations:
        return None
    current = next((o for o in organisations if o.id == session.organisation_id), None)
    if current is None:  # removed from that organisation since: the first one left
        current = organisations[0]
        session = replace(session, organisation_id=current.id)
    return AgentContext(session, agent, current, agent.roles[current.id], organisations)


def sign_out(store: Store, token: str | None) -> None:
    if token and len(token) <= 128:
        store.sessions.delete(hash_token(token))


def switch_organisation(store: Store, context: AgentContext, organisation_id: str) -> None:
    if organisation_id not in context.agent.roles:
        raise NotFound("Vous ne faites pas partie de cette organisation.")
    store.sessions.switch_organisation(context.session, organisation_id)


# --- password links ---------------------------------------------------------------------


@dataclass(frozen=True)
class LinkToSend:
    agent: Agent
    token: str  # only ever e-mailed
    purpose: AgentLinkPurpose


def _new_link(store: Store, agent: Agent, purpose: AgentLinkPurpose, now: datetime) -> LinkToSend:
    validity = RESET_LINK_VALIDITY if purpose is AgentLinkPurpose.RESET else INVITE_LINK_VALIDITY
    token = secrets.token_urlsafe(32)
    store.agent_links.save(
        AgentLink(
            token_hash=hash_token(token),
            agent_id=agent.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + validity,
        )
    )
    return LinkToSend(agent, token, purpose)


def request_password_reset(
    store: Store, email: str, client_address: str | None, now: datetime
) -> LinkToSend | None:
    """A reset link for the agent with that e-mail, if there is one (the page says the
    same either way). Requests are capped per client address."""
    if client_address:
        key, window_end = _window_key("reset", client_address, now, store)
        if store.rate_limits.hit(key, window_end) > RESETS_PER_ADDRESS:
            raise RateLimited("Trop de demandes. Réessayez dans quelques minutes.")
    agent = store.agents.get_by_email((email or "").strip().lower())
    if agent is None or not agent.roles:
        return None
    return _new_link(store, agent, AgentLinkPurpose.RESET, now)


INVALID_LINK = "Ce lien n’est plus valable : demandez-en un nouveau."


def open_link(store: Store, token: str, now: datetime) -> tuple[AgentLink, Agent]:
    """The link and its agent, if it can still be used (a GET: nothing changes)."""
    link = store.agent_links.get(hash_token(token)) if token and len(token) <= 128 else None
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise NotFound(INVALID_LINK)
    agent = store.agents.get(link.agent_id)
    if agent is None:
        raise NotFound(INVALID_LINK)
    return link, agent


def set_password(
    store: Store, token: str, password: str, confirmation: str, now: datetime
) -> Agent:
    """Set the password through a link, once; the agent is then signed out everywhere."""
    link, agent = open_link(store, token, now)
    errors = {}
    if len(password or "") < PASSWORD_MIN_LENGTH:
        errors["mot_de_passe"] = (
            f"Choisissez un mot de passe d’au moins {PASSWORD_MIN_LENGTH} caractères."
        )
    elif password != confirmation:
        errors["confirmation"] = "Les deux mots de passe ne sont pas identiques."
    if errors:
        raise FieldErrors(errors)
    if not store.agent_links.use(link.token_hash, now):
        raise NotFound(INVALID_LINK)
    agent = replace(agent, password_hash=hash_password(password))
    store.agents.save(agent)
    store.sessions.delete_of_agent(agent.id)
    return agent


def invite_agent(
    store: Store,
    context: AgentContext,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    now: datetime,
) -> LinkToSend | None:
    """An admin adds an agent to their organisation: a new agent gets an invitation
    link to set their password; one who already has an account gets the role only
    (None: nothing to e-mail)."""
    if not context.is_admin:
        raise NotFound()
    email = (email or "").strip().lower()
    errors = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = "Indiquez l’adresse e-mail professionnelle de l’agent."
    for field, value, label in (("prenom", first_name, "le prénom"), ("nom", last_name, "le nom")):
        if not (value or "").strip():
            errors[field] = f"Indiquez {label} de l’agent."
    if errors:
        raise FieldErrors(errors)
    existing = store.agents.get_by_email(email)
    organisation_id = context.organisation.id
    if existing is not None:
        store.agents.save(replace(existing, roles={**existing.roles, organisation_id: role}))
        return None
    agent = Agent(
        id=str(uuid.uuid4()),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        roles={organisation_id: role},
    )
    store.agents.save(agent)
    return _new_link(store, agent, AgentLinkPurpose.INVITE, now)


def new_invitation(store: Store, agent: Agent, now: datetime) -> LinkToSend:
    """Another invitation link for an invited agent who has not chosen a password yet
    (the first one lasts a week); the earlier links still work until they expire."""
    return _new_link(store, agent, AgentLinkPurpose.INVITE, now)


def send_link(store: Store, link: LinkToSend) -> None:
    """E-mail a password link (its token travels only in this e-mail)."""
    from chalicelib.notify.email import EmailSender, build_message

    url = f"{store.settings.base_url.rstrip('/')}/agents/mot-de-passe/{link.token}"
    if link.purpose is AgentLinkPurpose.RESET:
        subject = "Réinitialiser votre mot de passe RDV Solidarités"
        intro = "Vous avez demandé à réinitialiser votre mot de passe."
        validity = "Ce lien est valable une heure et ne sert qu’une fois."
    else:
        subject = "Votre accès à RDV Solidarités"
        intro = "Un administrateur de votre maison des solidarités vous a ouvert un accès."
        validity = "Ce lien est valable une semaine et ne sert qu’une fois."
    text = (
        f"Bonjour {link.agent.first_name},\n\n{intro}\nChoisissez votre mot de passe : "
        f"{url}\n\n{validity} Si vous n’êtes pas à l’origine de cette demande, ignorez "
        "ce message.\n"
    )
    html = (
        f"<p>Bonjour {_escape(link.agent.first_name)},</p><p>{intro}</p>"
        f'<p><a href="{url}">Choisir mon mot de passe</a></p><p>{validity} Si vous n’êtes '
        "pas à l’origine de cette demande, ignorez ce message.</p>"
    )
    message = build_message(
        sender=store.settings.email_sender,
        to=link.agent.email,
        subject=subject,
        text=text,
        html=html,
    )
    EmailSender(store.settings).send(message)


def _escape(value: str) -> str:
    from html import escape

    return escape(value)
