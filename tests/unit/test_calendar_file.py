"""The .ics of a rdv: nothing in it hands the rdv over (no private link), it names the
MDS as organiser, is stamped when it is sent, and a cancelled event offers no cancel."""

from datetime import UTC, datetime

from icalendar import Calendar

from chalicelib.domain.models import LocationType, Service
from chalicelib.notify.ics import rdv_calendar
from tests import factories as f

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SITE = "https://rdv.example.fr"
PRIVATE_LINK = f"{SITE}/r/AbCdEfGhIjKlMnOpQrStUv"
ORGANISATION = f.organisation(name="MDS Nœux-les-Mines", email="mds-noeux@example.fr")
SERVICE = Service(id="pmi", territoire_id="t-62", name="PMI", short_name="PMI")
RDV = f.rdv(
    starts_at=datetime(2026, 12, 1, 8, tzinfo=UTC), created_at=datetime(2026, 11, 1, tzinfo=UTC)
)


def event_of(ics: bytes):
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event


def calendar(**kw) -> bytes:
    args = dict(organisation=ORGANISATION, site_url=SITE, now=NOW, cancelled=False)
    args.update(kw)
    return rdv_calendar(
        RDV,
        f.motif(name="Consultation nourrisson"),
        args.pop("organisation"),
        SERVICE,
        f.lieu(),
        args.pop("site_url"),
        args.pop("now"),
        **args,
    )


def test_the_description_gives_the_mds_phone_and_the_site_not_the_private_link():
    ics = calendar()
    description = str(event_of(ics)["description"])
    assert "03 21 00 00 00" in description and SITE in description
    assert "/r/" not in ics.decode()
    assert "nourrisson" not in ics.decode().lower()


def test_a_private_link_given_as_the_site_is_cut_to_the_site():
    """services/manage.calendar_for_token passes the rdv's link here: it must not leak."""
    ics = calendar(site_url=PRIVATE_LINK)
    assert "AbCdEfGhIjKlMnOpQrStUv" not in ics.decode()
    assert SITE in str(event_of(ics)["description"])


def test_the_organiser_is_the_mds_with_its_email():
    organizer = event_of(calendar())["organizer"]
    assert str(organizer).lower() == "mailto:mds-noeux@example.fr"
    assert organizer.params["CN"] == "MDS Nœux-les-Mines"


def test_without_an_mds_email_the_organiser_is_the_sender_given():
    no_email = f.organisation(name="MDS Test", email=None)
    organizer = event_of(
        calendar(organisation=no_email, organizer_email="ne-pas-repondre@example.fr")
    )["organizer"]
    assert str(organizer).lower() == "mailto:ne-pas-repondre@example.fr"
    assert organizer.params["CN"] == "MDS Test"
    assert "ORGANIZER" not in calendar(organisation=no_email).decode()


def test_dtstamp_is_when_it_is_sent_not_when_the_rdv_was_made():
    assert event_of(calendar()).decoded("dtstamp") == NOW


def test_a_cancelled_event_no_longer_offers_to_cancel():
    ics = calendar(cancelled=True)
    event = event_of(ics)
    assert str(event["status"]) == "CANCELLED" and b"METHOD:CANCEL" in ics
    description = str(event["description"]).lower()
    assert "annulé" in description
    assert "pour annuler" not in description and "déplacer" not in description


def test_a_phone_rdv_is_located_by_phone():
    ics = rdv_calendar(
        RDV, f.motif(location_type=LocationType.PHONE), ORGANISATION, SERVICE, None, SITE, NOW
    )
    assert str(event_of(ics)["location"]) == "Par téléphone"
