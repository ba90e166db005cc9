"""Texts of the notifications, rendered from templates/messages/.

They say the service, the date, the time, where (a lieu, "par téléphone", "à votre
domicile"), the child's first name for a message to a parent, and the private link;
never the motif, which can reveal a health or social situation to whoever reads the
phone. Each text is right at the moment it is sent: a reminder says « demain » the day
before, and a text offers online cancellation only before the motif's cancellation
deadline (the MDS's phone number otherwise).

SMS are GSM-7 and fit in one part (160 characters), even with a long base URL: when a
text would take two, it is said more briefly (`level` 1 to 3 in the SMS templates) and
the lieu's name is shortened, dropping its last parts (« – site principal ») and, last,
words, never cutting one nor ending on one like « et » or « de »."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.models import NotificationEvent
from chalicelib.domain.sms import sms_parts, to_gsm7
from chalicelib.filters import day_fr, local, time_fr
from chalicelib.rendering import render_message

# Where a rdv that takes place at no lieu happens: said whole, never shortened.
BY_PHONE = "par téléphone"
AT_HOME = "à votre domicile"

AGENT_HEADLINES = {
    NotificationEvent.RDV_CREATED: "Nouveau rendez-vous pris en ligne",
    NotificationEvent.RDV_DATE_UPDATED: "Rendez-vous déplacé par l’usager",
    NotificationEvent.RDV_CANCELLED: "Rendez-vous annulé par l’usager",
}
DANGLING = {"et", "de", "du", "des", "la", "le", "les", "à", "au", "aux", "d", "l", "en", "-", "–"}
WEEKDAYS_SHORT = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
# Where a lieu's name splits into parts: « MDS Calais II – site principal », « …, 2e étage ».
_PART_BREAK = re.compile(r"\s+[–—-]\s+|,\s+|\s+\(|\s+/\s+")


@dataclass(frozen=True)
class RdvFacts:
    """What a message may say about a rdv (no motif, no usager's name), at the time it
    is sent."""

    service: str
    organisation: str
    organisation_phone: str
    starts_at: datetime
    duration: int
    where: str  # short: a lieu's name, BY_PHONE, AT_HOME
    where_full: str  # with the address
    manage_url: str
    rebook_url: str
    child: str = ""  # the child's first name, in a message to their parent
    can_cancel_online: bool = True  # before the motif's cancellation deadline, at `sent_at`
    sent_at: datetime | None = None  # when the message is sent: « demain » is relative to it

    @property
    def day(self) -> str:
        value = local(self.starts_at)
        return f"{WEEKDAYS_SHORT[value.weekday()]} {value.day:02d}/{value.month:02d}"

    @property
    def day_digits(self) -> str:
        value = local(self.starts_at)
        return f"{value.day:02d}/{value.month:02d}"

    @property
    def day_long(self) -> str:
        return day_fr(self.starts_at)

    @property
    def time(self) -> str:
        return time_fr(self.starts_at)

    @property
    def rdv_of(self) -> str:
        """« votre rendez-vous », or « le rendez-vous de Léa » to a parent."""
        return f"le rendez-vous de {self.child}" if self.child else "votre rendez-vous"

    @property
    def rdv_title(self) -> str:
        """`rdv_of` at the start of a sentence."""
        return self.rdv_of[:1].upper() + self.rdv_of[1:]

    @property
    def relative_day(self) -> str:
        """« aujourd'hui » or « demain » (Europe/Paris days, from when the message is
        sent); empty otherwise, or when the sending time is not known."""
        if self.sent_at is None:
            return ""
        ahead = (local(self.starts_at).date() - local(self.sent_at).date()).days
        if ahead == 0:
            return "aujourd'hui"
        if ahead == 1:
            return "demain"
        return ""


def sms_text(event: NotificationEvent, facts: RdvFacts) -> str:
    """GSM-7, in one part when it can be: the briefer wordings first, then a shorter
    lieu's name. (A text that fits in no way is sent whole, in two parts; the tests
    keep every realistic case in one.)"""
    text = ""
    for level, where in _sms_variants(facts.where):
        text = _sms(event, replace(facts, where=where), level)
        if sms_parts(text) == 1:
            break
    return text


def _sms_variants(where: str) -> Iterator[tuple[int, str]]:
    """(level, lieu) to try, in order. Levels (see the SMS templates): 0 says it all;
    1 leaves out the courtesies and the details link; 2 has the shortest labels and
    says « demain » without the date; 3 leaves out the service and the weekday. A lieu
    first loses its last parts (« – site principal »), then words, keeping two before
    the service goes."""
    parts, words = _shorter(where)
    yield 0, where
    for place in (where, *parts):
        yield 1, place
    for place in (where, *parts, *(w for w in words if len(w.split()) > 1)):
        yield 2, place
    for place in (where, *parts, *words):
        yield 3, place


def shorter_places(where: str) -> list[str]:
    """Shorter names of a lieu, longest first: its last parts dropped one by one, then
    the last words of its first part, never ending on a word like « et » or « de ».
    « par téléphone » is said whole, « à votre domicile » at least as « à domicile »."""
    parts, words = _shorter(where)
    return parts + words


def _shorter(where: str) -> tuple[list[str], list[str]]:
    """(the lieu without its last parts, then without its last words)."""
    if where == BY_PHONE:
        return [], []
    if where == AT_HOME:
        return [], ["à domicile"]
    parts = [where[: m.start()] for m in reversed(list(_PART_BREAK.finditer(where)))]
    words = (parts[-1] if parts else where).split()
    cuts = []
    for count in range(len(words) - 1, 0, -1):
        kept = words[:count]
        while len(kept) > 1 and kept[-1].lower().rstrip("'’") in DANGLING:
            kept.pop()
        cuts.append(" ".join(kept))
    parts = _unique(parts, {where})
    return parts, _unique(cuts, {where, *parts})


def _unique(places: list[str], seen: set[str]) -> list[str]:
    kept = []
    for place in places:
        place = place.strip(" ,–—-")
        if place and place not in seen:
            seen.add(place)
            kept.append(place)
    return kept


def _sms(event: NotificationEvent, facts: RdvFacts, level: int) -> str:
    text = render_message(f"messages/sms/{event.value}.txt", f=facts, level=level)
    return to_gsm7(" ".join(text.split()))  # the templates are written over several lines


def subject(event: NotificationEvent, facts: RdvFacts) -> str:
    rdv = facts.rdv_title
    when = f"{facts.day_long} à {facts.time}"
    if event is NotificationEvent.RDV_CREATED:
        return f"{rdv} du {when} est confirmé"
    if event is NotificationEvent.RDV_DATE_UPDATED:
        return f"{rdv} est déplacé au {when}"
    if event is NotificationEvent.RDV_CANCELLED:
        return f"{rdv} du {when} est annulé"
    if event is NotificationEvent.RDV_REVOKED:
        return f"{rdv} du {when} est annulé par la MDS"
    if event is NotificationEvent.WAITING_LIST_OFFER:
        return f"Un créneau plus tôt s’est libéré pour {facts.rdv_of} : {when}"
    child = f" de {facts.child}" if facts.child else ""
    relative = f"{facts.relative_day}, " if facts.relative_day else "le "
    return f"Rappel : rendez-vous{child} {relative}{when}"


def email_parts(event: NotificationEvent, facts: RdvFacts) -> tuple[str, str, str]:
    """(subject, text, html) of the e-mail to the usager."""
    title = subject(event, facts)
    text = render_message(f"messages/email/{event.value}.txt", f=facts, subject=title)
    html = render_message(f"messages/email/{event.value}.html", f=facts, subject=title)
    return title, text, html


def agent_email_parts(event: NotificationEvent, facts: RdvFacts) -> tuple[str, str, str]:
    headline = AGENT_HEADLINES[event]
    title = f"{headline} : {facts.day_long} à {facts.time}"
    context = {"f": facts, "subject": title, "headline": headline}
    return (
        title,
        render_message("messages/email/agent_rdv.txt", **context),
        render_message("messages/email/agent_rdv.html", **context),
    )
