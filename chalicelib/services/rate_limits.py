"""How much one client address, one phone and one e-mail may book.

What costs money or reaches a person is counted: bookings and moves made, per phone
number and per e-mail address alike, a day (Paris time). They are counted in the same
transaction as the rdv they make (`CountedLimit`), so a refused or failed attempt
counts nothing and nobody can block someone else's phone by trying it. Attempts from
one client address are capped an hour, high enough for everyone behind a social
centre's Wi-Fi; the per-person limits do the real work."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, time, timedelta

from chalicelib.domain.errors import RateLimited
from chalicelib.domain.policies import CountedLimit
from chalicelib.services.availability import tz_of
from chalicelib.store import Store

ADDRESS_WINDOW = timedelta(hours=1)


def _subject(store: Store, kind: str, value: str) -> str:
    """Phone numbers, e-mails and addresses are personal data: the counters keep a
    keyed hash (a plain hash of a phone number is reversed by trying them all). One
    mailbox is one person: `nom+1@…` and `nom+2@…` count as `nom@…`. One IPv6 client
    usually holds a whole /64."""
    value = value.strip().lower()
    if kind == "email":
        local, _, domain = value.rpartition("@")
        value = f"{local.split('+')[0]}@{domain}"
    elif kind == "ip" and ":" in value:
        value = ":".join(value.split(":")[:4])
    secret = store.settings.secret_key.encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def person_limits(
    store: Store, phone: str | None, email: str | None, now: datetime
) -> tuple[CountedLimit, ...]:
    """The per-person counters a booking or a move made now adds to: give the phone
    only when SMS go to it, the e-mail only when e-mails go to it (a booking that
    messages nobody must not use up someone else's day)."""
    tz = tz_of(store)
    today = now.astimezone(tz).date()
    window_end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    limit = store.settings.bookings_per_person_per_day
    return tuple(
        CountedLimit(
            f"person#{kind}#{_subject(store, kind, value)}#{today.isoformat()}", limit, window_end
        )
        for kind, value in (("phone", phone), ("email", email))
        if value
    )


def check_address_allowed(store: Store, client_address: str | None, now: datetime) -> None:
    """Count this booking attempt from the client's address; RateLimited past the cap."""
    if not client_address:
        return
    seconds = int(ADDRESS_WINDOW.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    window_end = datetime.fromtimestamp(start + seconds, tz=now.tzinfo)
    key = f"booking#ip#{_subject(store, 'ip', client_address)}#{start}"
    if store.rate_limits.hit(key, window_end) > store.settings.bookings_per_address_per_hour:
        minutes = max(1, math.ceil((window_end - now).total_seconds() / 60))
        raise RateLimited(
            "Trop de demandes de rendez-vous depuis cette connexion. "
            f"Réessayez dans {minutes} minute{'s' if minutes > 1 else ''}, ou appelez votre "
            "maison départementale des solidarités."
        )


def person_limit_reached(limit: CountedLimit) -> RateLimited:
    """What the usager is told when their phone or e-mail reached today's limit."""
    return RateLimited(
        "Vous avez déjà pris ou déplacé plusieurs rendez-vous aujourd’hui avec ce numéro ou "
        "cette adresse e-mail. Réessayez demain, ou appelez votre maison départementale "
        "des solidarités."
    )


# An agent resending a rdv's confirmation: an SMS paid by the département each time.
RESENDS_PER_RDV_PER_DAY = 3
RESENDS_PER_PERSON_PER_DAY = 5


def count_resend(
    store: Store, rdv_id: str, phone: str | None, email: str | None, now: datetime
) -> int:
    """Count one resend of a rdv's confirmation by an agent: at most
    RESENDS_PER_RDV_PER_DAY per rdv and RESENDS_PER_PERSON_PER_DAY per phone number or
    e-mail address it goes to (a parent of several children), a day (Paris time);
    RateLimited past them, counting nothing. Returns the rdv's count of the day."""
    tz = tz_of(store)
    today = now.astimezone(tz).date()
    window_end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    counted = [(f"resend#rdv#{rdv_id}#{today.isoformat()}", RESENDS_PER_RDV_PER_DAY)] + [
        (
            f"resend#{kind}#{_subject(store, kind, value)}#{today.isoformat()}",
            RESENDS_PER_PERSON_PER_DAY,
        )
        for kind, value in (("phone", phone), ("email", email))
        if value
    ]

    def refuse(key: str) -> RateLimited:
        if key.startswith("resend#rdv#"):
            return RateLimited(
                f"La confirmation de ce rendez-vous a déjà été renvoyée {RESENDS_PER_RDV_PER_DAY} "
                "fois aujourd’hui. Réessayez demain."
            )
        return RateLimited(
            f"Ce numéro ou cette adresse e-mail a déjà reçu {RESENDS_PER_PERSON_PER_DAY} "
            "confirmations renvoyées aujourd’hui. Réessayez demain."
        )

    for key, limit in counted:
        if store.rate_limits.count(key) >= limit:
            raise refuse(key)
    counts = [store.rate_limits.hit(key, window_end) for key, _ in counted]
    for (key, limit), count in zip(counted, counts, strict=True):
        if count > limit:  # another resend counted meanwhile
            raise refuse(key)
    return counts[0]


def offer_of_the_day(
    store: Store, phone: str | None, email: str | None, now: datetime, per_day: int
) -> bool:
    """Count one waiting-list offer to this person today (Paris) if they have had fewer
    than `per_day` (the offering organisation's limit), by phone and e-mail alike; True
    when counted. A refused offer counts nothing: it must not use up what another MDS,
    with a higher limit, may still offer them."""
    tz = tz_of(store)
    today = now.astimezone(tz).date()
    window_end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    keys = [
        f"waiting-offer#{kind}#{_subject(store, kind, value)}#{today.isoformat()}"
        for kind, value in (("phone", phone), ("email", email))
        if value
    ]
    if not keys or any(store.rate_limits.count(key) >= per_day for key in keys):
        return False
    # Two offers at the same moment may both pass the check: the counts say so after.
    return max(store.rate_limits.hit(key, window_end) for key in keys) <= per_day
