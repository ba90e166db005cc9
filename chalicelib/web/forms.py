"""Form and query parsing: from what a browser sends to validated values, with one
French message per field that is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from chalicelib.domain.errors import FieldErrors, NotFound


@cache
def _patterns():
    """Compiled on first use: `re` is not needed by every cold start."""
    import re

    return (
        re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.-])*$"),  # a name
        re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"),  # JJ/MM/AAAA
    )


def form_data(raw_body: bytes | None) -> dict[str, str]:
    """An urlencoded body as a dict (last value wins), never failing."""
    from urllib.parse import parse_qs

    if not raw_body:
        return {}
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def query(params: dict[str, str] | None, name: str) -> str:
    return ((params or {}).get(name) or "").strip()


def parse_day(text: str) -> date | None:
    """`2026-11-23` (a date input) or `23/11/2026` (typed); None when unreadable."""
    text = text.strip()
    match = _patterns()[1].match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_slot_start(text: str) -> datetime:
    """A slot's start as put in links (`2026-11-24T08:00Z`, UTC); a bad one is a 404."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise NotFound("Ce créneau n’existe pas. Choisissez un créneau dans la liste.") from None
    if value.tzinfo is None:
        raise NotFound("Ce créneau n’existe pas. Choisissez un créneau dans la liste.")
    return value.astimezone(UTC)


class BookingForm:
    """The "who and how to reach you" form. `values` keeps what was typed."""

    def __init__(self, data: dict[str, Any], today: date) -> None:
        self.values = {k: (str(v) if v is not None else "") for k, v in data.items()}
        if not self.values.get("cle"):
            import secrets

            # One key per form shown, kept across error re-renders (see BookingRequest).
            self.key = secrets.token_urlsafe(16)
        else:
            self.key = self.values["cle"]
        self.today = today
        self.errors: dict[str, str] = {}

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def checked(self, name: str) -> bool:
        return self.get(name) in ("oui", "on", "true", "1")

    def validate(self) -> dict[str, Any]:
        """The cleaned values, or FieldErrors with a message per wrong field."""
        # phonenumbers costs 10 ms of import: paid by the booking, not by every cold start.
        from chalicelib.domain.contact import normalise_email, normalise_mobile

        cleaned: dict[str, Any] = {}
        for_child = self.get("pour") == "enfant"
        if self.get("pour") not in ("moi", "enfant"):
            self.errors["pour"] = "Indiquez pour qui est le rendez-vous."
        cleaned["for_child"] = for_child
        cleaned["first_name"] = self._name("prenom", "votre prénom")
        cleaned["last_name"] = self._name("nom", "votre nom")
        if for_child:
            cleaned["child_first_name"] = self._name("enfant_prenom", "le prénom de l’enfant")
            cleaned["child_last_name"] = self._name("enfant_nom", "le nom de l’enfant")
            cleaned["child_birth_date"] = self._birth_date()
        phone, email = self.get("telephone"), self.get("email")
        cleaned["phone"] = cleaned["email"] = None
        if phone:
            try:
                cleaned["phone"] = normalise_mobile(phone)
            except ValueError as error:
                self.errors["telephone"] = str(error)
        if email:
            try:
                cleaned["email"] = normalise_email(email)
            except ValueError as error:
                self.errors["email"] = str(error)
        if not phone and not email:
            self.errors["telephone"] = (
                "Indiquez un numéro de portable ou une adresse e-mail (au moins l’un des deux) "
                "pour recevoir la confirmation."
            )
        key = self.get("cle")
        cleaned["idempotency_key"] = key if 16 <= len(key) <= 64 else None
        cleaned["notify_sms"] = self.checked("sms")
        cleaned["notify_email"] = self.checked("rappel_email")
        if self.errors:
            raise FieldErrors(dict(self.errors))
        return cleaned

    def _name(self, field: str, label: str) -> str:
        value = " ".join(self.get(field).split())
        if not value:
            self.errors[field] = f"Indiquez {label}."
        elif len(value) > 60 or not _patterns()[0].match(value):
            self.errors[field] = f"Indiquez {label} en lettres (60 caractères au plus)."
        return value

    def _birth_date(self) -> date | None:
        text = self.get("enfant_naissance")
        if not text:
            self.errors["enfant_naissance"] = "Indiquez la date de naissance de l’enfant."
            return None
        day = parse_day(text)
        if day is None:
            self.errors["enfant_naissance"] = (
                "Indiquez la date de naissance au format JJ/MM/AAAA, par exemple 14/03/2022."
            )
        elif day > self.today:
            self.errors["enfant_naissance"] = "La date de naissance ne peut pas être dans le futur."
        elif day.year < self.today.year - 25:
            self.errors["enfant_naissance"] = "Vérifiez l’année de naissance de l’enfant."
        return day


def booking_request(organisation, motif, lieu, starts_at, cleaned):
    """The booking use case's input from validated form values (HTML and JSON)."""
    from chalicelib.services.booking import BookingRequest, Person  # loads the store

    child = None
    if cleaned["for_child"]:
        child = Person(
            cleaned["child_first_name"], cleaned["child_last_name"], cleaned["child_birth_date"]
        )
    return BookingRequest(
        organisation=organisation,
        motif=motif,
        lieu=lieu,
        starts_at=starts_at,
        contact=Person(cleaned["first_name"], cleaned["last_name"]),
        child=child,
        phone=cleaned["phone"],
        email=cleaned["email"],
        notify_sms=cleaned["notify_sms"],
        notify_email=cleaned["notify_email"],
        idempotency_key=cleaned.get("idempotency_key"),
    )
