"""Texts of the notifications, rendered from templates/messages/.

They say the service, the date, the time, where (a lieu, "par téléphone", "à votre
domicile") and the private link; never the motif, which can reveal a health or social
situation to whoever reads the phone. SMS are GSM-7 and fit in one part: when a long
lieu name would make two, the lieu's name is cut at a word."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.models import NotificationEvent
from chalicelib.domain.sms import sms_parts, to_gsm7
from chalicelib.filters import day_fr, local, time_fr
from chalicelib.rendering import render_message

SUBJECTS = {
    NotificationEvent.RDV_CREATED: "Votre rendez-vous du {day} à {time} est confirmé",
    NotificationEvent.RDV_DATE_UPDATED: "Votre rendez-vous est déplacé au {day} à {time}",
    NotificationEvent.RDV_CANCELLED: "Votre rendez-vous du {day} à {time} est annulé",
    NotificationEvent.RDV_REVOKED: "Votre rendez-vous du {day} à {time} est annulé par la MDS",
    NotificationEvent.RDV_UPCOMING_REMINDER: "Rappel : rendez-vous le {day} à {time}",
}
AGENT_HEADLINES = {
    NotificationEvent.RDV_CREATED: "Nouveau rendez-vous pris en ligne",
    NotificationEvent.RDV_DATE_UPDATED: "Rendez-vous déplacé par l’usager",
    NotificationEvent.RDV_CANCELLED: "Rendez-vous annulé par l’usager",
}
DANGLING = {"et", "de", "du", "des", "la", "le", "les", "à", "au", "aux", "d", "l", "en", "-", "–"}
WEEKDAYS_SHORT = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


@dataclass(frozen=True)
class RdvFacts:
    """What a message may say about a rdv (no motif, no name)."""

    service: str
    organisation: str
    organisation_phone: str
    starts_at: datetime
    duration: int
    where: str  # short: a lieu's name, "par téléphone", "à votre domicile"
    where_full: str  # with the address
    manage_url: str
    rebook_url: str

    @property
    def day(self) -> str:
        value = local(self.starts_at)
        return f"{WEEKDAYS_SHORT[value.weekday()]} {value.day:02d}/{value.month:02d}"

    @property
    def day_long(self) -> str:
        return day_fr(self.starts_at)

    @property
    def time(self) -> str:
        return time_fr(self.starts_at)


def sms_text(event: NotificationEvent, facts: RdvFacts) -> str:
    """GSM-7, one part: the lieu is shortened if the text would take two."""
    text = _sms(event, facts)
    for keep in range(len(facts.where) - 2, 10, -4):
        if sms_parts(text) == 1:
            break
        words = facts.where[:keep].rsplit(" ", 1)[0].rstrip(" -–,").split(" ")
        while len(words) > 1 and words[-1].lower() in DANGLING:
            words.pop()  # "centre social et" reads badly
        shorter = " ".join(words)
        text = _sms(event, replace(facts, where=shorter))
    return text


def _sms(event: NotificationEvent, facts: RdvFacts) -> str:
    return to_gsm7(render_message(f"messages/sms/{event.value}.txt", f=facts).strip())


def email_parts(event: NotificationEvent, facts: RdvFacts) -> tuple[str, str, str]:
    """(subject, text, html) of the e-mail to the usager."""
    subject = SUBJECTS[event].format(day=facts.day_long, time=facts.time)
    text = render_message(f"messages/email/{event.value}.txt", f=facts, subject=subject)
    html = render_message(f"messages/email/{event.value}.html", f=facts, subject=subject)
    return subject, text, html


def agent_email_parts(event: NotificationEvent, facts: RdvFacts) -> tuple[str, str, str]:
    headline = AGENT_HEADLINES[event]
    subject = f"{headline} : {facts.day_long} à {facts.time}"
    context = {"f": facts, "subject": subject, "headline": headline}
    return (
        subject,
        render_message("messages/email/agent_rdv.txt", **context),
        render_message("messages/email/agent_rdv.html", **context),
    )
