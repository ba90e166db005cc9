"""Calendar files (RFC 5545) of a rdv, built with `icalendar`.

The summary names the service and the MDS, never the motif (it can reveal a health or
social situation to whoever sees the calendar). One UID per rdv; SEQUENCE follows the
rdv's moves, so calendar apps update the event in place; METHOD:CANCEL removes it."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event

from chalicelib.domain.models import Lieu, LocationType, Motif, Organisation, Rdv, Service

PRODID = "-//RDV Solidarites//rdv-solidarites serverless//FR"


def rdv_uid(rdv: Rdv) -> str:
    return f"{rdv.id}@rdv-solidarites"


def rdv_calendar(
    rdv: Rdv,
    motif: Motif,
    organisation: Organisation,
    service: Service | None,
    lieu: Lieu | None,
    manage_url: str,
    now: datetime,
    cancelled: bool = False,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", rdv_uid(rdv))
    event.add("sequence", rdv.sequence + (1 if cancelled else 0))
    event.add("dtstamp", now)
    event.add("dtstart", rdv.starts_at)
    event.add("dtend", rdv.ends_at)
    label = service.name if service else "Rendez-vous"
    event.add("summary", f"Rendez-vous {label} – {organisation.name}")
    event.add("location", location_text(motif, lieu))
    event.add(
        "description",
        f"Pour annuler ou déplacer ce rendez-vous : {manage_url}\n"
        f"{organisation.name} : {organisation.phone}",
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def location_text(motif: Motif, lieu: Lieu | None) -> str:
    if motif.location_type is LocationType.PHONE:
        return "Par téléphone"
    if motif.location_type is LocationType.HOME:
        return "À votre domicile"
    if lieu is None:
        return ""
    return f"{lieu.name}, {lieu.address}"
