"""Calendar files (RFC 5545) of a rdv, built with `icalendar`.

A calendar is often shared or synced to other people and devices: nothing in it may
hand the rdv over. The summary names the service and the MDS, never the motif (it can
reveal a health or social situation); the description gives the MDS's phone and the
site's address, never the rdv's private link (which cancels and moves it). ORGANIZER is
the MDS. One UID per rdv; SEQUENCE follows the rdv's moves, so calendar apps update the
event in place; METHOD:CANCEL removes it. DTSTAMP is when the file is made."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from icalendar import Calendar, Event, vCalAddress, vText

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
    site_url: str,
    now: datetime,
    cancelled: bool = False,
    *,
    organizer_email: str | None = None,
) -> bytes:
    """The rdv's calendar file, made at `now`. `site_url`: the public site's address
    (the settings' base URL); a private link given there is cut to the site's address.
    ORGANIZER: the MDS, with its e-mail, else `organizer_email` (the no-reply sender);
    without either, none."""
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
    event.add("description", description(organisation, site_address(site_url), cancelled))
    address = organisation.email or organizer_email
    if address:
        organizer = vCalAddress(f"mailto:{address}")
        organizer.params["cn"] = vText(organisation.name)
        event.add("organizer", organizer)
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


def description(organisation: Organisation, site: str, cancelled: bool) -> str:
    contact = f"{organisation.name} : {organisation.phone}"
    if cancelled:
        return f"Ce rendez-vous est annulé.\n{contact}\n{site}"
    return (
        f"{contact}\n{site}\n"
        "Un empêchement ? Utilisez le lien reçu par SMS ou par e-mail, ou appelez "
        f"{organisation.phone}."
    )


def site_address(url: str) -> str:
    """The site's address: `url` without the private part of a rdv's link (`/r/…`),
    query or fragment."""
    parts = urlsplit(url)
    path = parts.path.split("/r/", 1)[0].rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
