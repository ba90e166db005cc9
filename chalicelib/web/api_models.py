"""The public API's bodies as pydantic models: each request model validates the JSON
(or the HTML form mapped onto it) with one French message per field and gives the use
case's input; the response models serialise the answers. The OpenAPI document's
schemas are generated from these classes (see openapi_doc.py).

Loads pydantic (about 120 ms): import it inside the handlers that need it, never at the
top of a route module, so that `import app` stays cheap for cold starts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from chalicelib.domain.contact import normalise_email, normalise_mobile
from chalicelib.domain.errors import FieldErrors
from chalicelib.domain.models import LocationType, RdvStatus
from chalicelib.services import booking
from chalicelib.web import params

Model = TypeVar("Model", bound=BaseModel)

# --- French messages ----------------------------------------------------------------------

# Raised by our validators: the message is already the French one shown to the usager.
OURS = "invalid"

SLOT_EXAMPLE = "2026-12-01T08:00:00Z"
UNREADABLE_BODY = "Le corps de la requête doit être un objet JSON."
DATE_TIME = f"Indiquez une date et une heure au format RFC 3339, par exemple {SLOT_EXAMPLE}."

# pydantic's own errors, by type; `{name}` takes the error's context (e.g. min_length).
BY_TYPE = {
    "missing": "Ce champ est obligatoire.",
    "extra_forbidden": "Ce champ n’est pas attendu.",
    "string_type": "Indiquez du texte.",
    "bool_type": "Indiquez true ou false.",
    "bool_parsing": "Indiquez true ou false.",
    "model_type": "Indiquez un objet JSON.",
    "model_attributes_type": "Indiquez un objet JSON.",
    "dict_type": "Indiquez un objet JSON.",
    "date_type": "Indiquez une date au format AAAA-MM-JJ, par exemple 2022-03-14.",
    "date_parsing": "Indiquez une date au format AAAA-MM-JJ, par exemple 2022-03-14.",
    "date_from_datetime_parsing": "Indiquez une date au format AAAA-MM-JJ, par exemple 2022-03-14.",
    "date_from_datetime_inexact": "Indiquez une date sans heure, par exemple 2022-03-14.",
    "datetime_type": DATE_TIME,
    "datetime_parsing": DATE_TIME,
    "datetime_from_date_parsing": DATE_TIME,
    "timezone_aware": DATE_TIME,
    "string_too_short": "Indiquez au moins {min_length} caractères.",
    "string_too_long": "Indiquez au plus {max_length} caractères.",
}
OTHERWISE = "Cette valeur n’est pas valide."

# What a missing field means, in the words of the form (the same as an empty one).
REQUIRED = {
    "starts_at": f"Indiquez le début du créneau choisi, par exemple {SLOT_EXAMPLE}.",
    "first_name": "Indiquez votre prénom.",
    "last_name": "Indiquez votre nom.",
    "child.first_name": "Indiquez le prénom de l’enfant.",
    "child.last_name": "Indiquez le nom de l’enfant.",
    "child.birth_date": "Indiquez la date de naissance de l’enfant.",
}
NAME_LABELS = {
    "first_name": "votre prénom",
    "last_name": "votre nom",
    "child.first_name": "le prénom de l’enfant",
    "child.last_name": "le nom de l’enfant",
}


def field_errors(error: ValidationError) -> dict[str, str]:
    """One French message per field, keyed by its path in the JSON (`child.birth_date`);
    an error about the whole body is under `body`."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"]) or "body"
        kind = item["type"]
        if kind == OURS:
            message = item["msg"]
        elif kind == "missing" and path in REQUIRED:
            message = REQUIRED[path]
        else:
            message = BY_TYPE.get(kind, OTHERWISE).format(**item.get("ctx", {}))
        fields.setdefault(path, message)
    return fields


def parse_json(model: type[Model], raw: bytes | None, **context: Any) -> Model:
    """A JSON body as `model`: FieldErrors 400 when it is not a JSON object, 422 with a
    message per field when a field is wrong. `context` reaches the validators (today)."""
    try:
        return model.model_validate_json(raw or b"", context=context)
    except ValidationError as error:
        if any(not item["loc"] for item in error.errors(include_url=False)):
            raise FieldErrors(
                {"body": UNREADABLE_BODY}, status_code=400, message="Requête illisible."
            ) from None
        raise FieldErrors(field_errors(error)) from None


def _invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError(OURS, message)


# --- request bodies -----------------------------------------------------------------------

_NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.-])*$")
NAME_MAX = 60
KEY_MIN, KEY_MAX = 16, 64


def _name(value: str, path: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise _invalid(REQUIRED[path])
    if len(value) > NAME_MAX or not _NAME.match(value):
        raise _invalid(f"Indiquez {NAME_LABELS[path]} en lettres ({NAME_MAX} caractères au plus).")
    return value


def _instant(value: Any) -> Any:
    """`2026-12-01T08:00:00Z` or `2026-12-01T08:00Z` (with any offset) → UTC datetime."""
    if not isinstance(value, str):
        raise _invalid(DATE_TIME)
    try:
        instant = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise _invalid(DATE_TIME) from None
    if instant.tzinfo is None:
        raise _invalid(
            "Indiquez le fuseau horaire de l’heure, par exemple "
            f"{SLOT_EXAMPLE} (UTC) ou 2026-12-01T09:00:00+01:00."
        )
    in_range = params.instant(value)
    if in_range is None:  # 9999-12-31T23:59Z: no slot, and past what a calendar holds
        raise _invalid(
            f"Ce créneau n’existe pas : indiquez un créneau proposé, par exemple {SLOT_EXAMPLE}."
        )
    return in_range


# A slot's start as a client sends it: RFC 3339, seconds optional, time zone required.
SlotStart = Annotated[
    dt.datetime,
    BeforeValidator(_instant),
    Field(description="Début du créneau (RFC 3339, avec fuseau horaire)", examples=[SLOT_EXAMPLE]),
]


def _names(description: str) -> Any:
    return Field(description=description, json_schema_extra={"minLength": 1, "maxLength": NAME_MAX})


class Child(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    first_name: str = _names("Prénom de l’enfant")
    last_name: str = _names("Nom de l’enfant")
    birth_date: dt.date = Field(description="Date de naissance (25 ans au plus)")

    @field_validator("first_name", "last_name")
    @classmethod
    def _letters(cls, value: str, info: ValidationInfo) -> str:
        return _name(value, f"child.{info.field_name}")

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        today: dt.date = (info.context or {})["today"]
        if value > today:
            raise _invalid("La date de naissance ne peut pas être dans le futur.")
        if value.year < today.year - 25:
            raise _invalid("Vérifiez l’année de naissance de l’enfant.")
        return value


PHONE_REQUIRED = (
    "Indiquez votre numéro de portable : pour un entretien par téléphone, c’est à ce "
    "numéro que nous vous appelons."
)
HOME_ADDRESS_REQUIRED = (
    "Indiquez l’adresse du rendez-vous à domicile (numéro, rue, code postal et commune)."
)
HOME_ADDRESS_MIN, HOME_ADDRESS_MAX = 8, 200


class BookingRequest(BaseModel):
    """The JSON body of a booking; `booking_request()` gives the booking use case's
    input. Validate it with `parse_json(..., today=..., location_type=...)` or
    `model_validate(..., context={"today": ..., "location_type": ...})`: the child's
    birth date is checked against today, and the motif's location type says whether
    the mobile (by phone) or the address (at home) is required."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "description": "Au moins un moyen de contact : portable ou e-mail.",
            "examples": [
                {
                    "starts_at": SLOT_EXAMPLE,
                    "first_name": "Amandine",
                    "last_name": "Dupont",
                    "phone": "06 12 34 56 78",
                    "email": "amandine.dupont@example.fr",
                    "notify_sms": True,
                    "notify_email": False,
                    "idempotency_key": "k5Jq2vX9rTb8LmN3pQw7",
                }
            ],
        },
    )

    starts_at: SlotStart
    for_child: bool = Field(False, description="Le rdv est pour un enfant (voir `child`)")
    first_name: str = _names("Prénom de la personne à contacter")
    last_name: str = _names("Nom de la personne à contacter")
    child: Child | None = Field(
        None, validate_default=True, description="Obligatoire si `for_child`, ignoré sinon"
    )
    # E-mail comes before phone: the phone's check ("at least one of the two") sees the
    # e-mail's validated value, and reports under `phone` as the form shows it.
    email: str | None = Field(
        None, description="Adresse e-mail", json_schema_extra={"format": "email"}
    )
    phone: str | None = Field(
        None, validate_default=True, description="Portable français, par exemple 06 12 34 56 78"
    )
    home_address: str | None = Field(
        None,
        validate_default=True,
        description="Adresse du rendez-vous à domicile : obligatoire pour un motif à domicile "
        "(`location_type` = `home`), ignorée sinon",
        json_schema_extra={"maxLength": HOME_ADDRESS_MAX},
    )
    notify_sms: bool = Field(True, description="Confirmation et rappel par SMS")
    notify_email: bool = Field(True, description="Confirmation et rappel par e-mail")
    waiting_list: bool = Field(
        False,
        description="File d'attente : être prévenu si un créneau plus tôt se libère "
        "(même motif, même lieu), par SMS et / ou e-mail selon `notify_sms` et `notify_email`",
    )
    waiting_list_any_lieu: bool = Field(
        False, description="Avec `waiting_list` : un créneau dans n'importe quel lieu de la MDS"
    )
    idempotency_key: str | None = Field(
        None,
        min_length=KEY_MIN,
        max_length=KEY_MAX,
        description="Clé aléatoire du client : rejouée, la requête donne le même rdv",
    )

    @field_validator("first_name", "last_name")
    @classmethod
    def _letters(cls, value: str, info: ValidationInfo) -> str:
        return _name(value, info.field_name)

    @field_validator("child")
    @classmethod
    def _child_when_for_child(cls, value: Child | None, info: ValidationInfo) -> Child | None:
        if value is None and info.data.get("for_child"):
            raise _invalid("Indiquez le prénom, le nom et la date de naissance de l’enfant.")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return normalise_email(value)
        except ValueError as error:
            raise _invalid(str(error)) from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value.strip():
            try:
                return normalise_mobile(value)
            except ValueError as error:
                raise _invalid(str(error)) from None
        if _location_type(info) is LocationType.PHONE:
            raise _invalid(PHONE_REQUIRED)
        if "email" in info.data and info.data["email"] is None:  # a wrong e-mail says so
            raise _invalid(
                "Indiquez un numéro de portable ou une adresse e-mail (au moins l’un des deux) "
                "pour recevoir la confirmation."
            )
        return None

    @field_validator("home_address")
    @classmethod
    def _home_address(cls, value: str | None, info: ValidationInfo) -> str | None:
        if _location_type(info) is not LocationType.HOME:
            return None  # ignored: the rdv takes place at a lieu, or by phone
        value = " ".join((value or "").split())
        if not value:
            raise _invalid(HOME_ADDRESS_REQUIRED)
        if not HOME_ADDRESS_MIN <= len(value) <= HOME_ADDRESS_MAX:
            raise _invalid(
                "Indiquez l’adresse complète du rendez-vous à domicile "
                f"({HOME_ADDRESS_MAX} caractères au plus)."
            )
        return value

    def booking_request(self, organisation, motif, lieu) -> booking.BookingRequest:
        """The booking use case's input: this body for this motif (at this lieu).
        FieldErrors if the body was validated without the motif's location type and
        lacks what it requires."""
        missing = {}
        if motif.location_type is LocationType.PHONE and not self.phone:
            missing["phone"] = PHONE_REQUIRED
        home = motif.location_type is LocationType.HOME
        if home and not self.home_address:
            missing["home_address"] = HOME_ADDRESS_REQUIRED
        if missing:
            raise FieldErrors(missing)
        child = None
        if self.for_child and self.child is not None:
            child = booking.Person(
                self.child.first_name, self.child.last_name, self.child.birth_date
            )
        return booking.BookingRequest(
            organisation=organisation,
            motif=motif,
            lieu=lieu,
            starts_at=self.starts_at,
            contact=booking.Person(self.first_name, self.last_name),
            child=child,
            phone=self.phone,
            email=self.email,
            notify_sms=self.notify_sms,
            notify_email=self.notify_email,
            waiting_list=self.waiting_list or self.waiting_list_any_lieu,
            waiting_any_lieu=self.waiting_list_any_lieu,
            idempotency_key=self.idempotency_key,
            home_address=self.home_address if home else None,
        )


def _location_type(info: ValidationInfo) -> LocationType | None:
    """The motif's location type, when the validation was given it."""
    return (info.context or {}).get("location_type")


class MoveRequest(BaseModel):
    model_config = ConfigDict(
        strict=True, extra="forbid", json_schema_extra={"examples": [{"starts_at": SLOT_EXAMPLE}]}
    )

    starts_at: SlotStart


REQUESTS: tuple[type[BaseModel], ...] = (BookingRequest, MoveRequest)

# --- answers ------------------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


# Serialised as `2026-12-01T08:00:00Z`: RFC 3339 with seconds, in UTC.
UtcDateTime = Annotated[AwareDatetime, AfterValidator(_utc), Field(description="UTC")]


def _omitted_when_none(description: str) -> Any:
    """An optional member of an answer: left out rather than sent as null."""
    return Field(
        default=None,
        description=description,
        exclude_if=lambda value: value is None,
        json_schema_extra=lambda schema: schema.pop("default", None),
    )


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class Organisation(Answer):
    id: str
    name: str
    address: str
    phone: str


class Motif(Answer):
    id: str
    name: str
    duration_minutes: int = Field(ge=1)
    location_type: LocationType
    instructions: str


class Service(Answer):
    id: str
    name: str
    motifs: list[Motif]

    @classmethod
    def of(cls, offer: Any) -> Service:
        return cls(id=offer.service.id, name=offer.service.name, motifs=offer.motifs)


class Lieu(Answer):
    id: str
    name: str
    address: str
    phone: str
    opening_info: str


class Slot(Answer):
    starts_at: UtcDateTime
    ends_at: UtcDateTime


class Day(Answer):
    date: dt.date
    slots: list[Slot]


class Week(Answer):
    week_start: dt.date
    days: list[Day]
    previous_week: dt.date | None
    next_week: dt.date | None
    next_available: Slot | None

    @classmethod
    def of(cls, week: Any) -> Week:
        return cls(
            week_start=week.monday,
            days=[Day(date=day, slots=slots) for day, slots in week.days],
            previous_week=week.previous_monday,
            next_week=week.next_monday,
            next_available=week.next_available,
        )


class Organisations(Answer):
    organisations: list[Organisation]


class Services(Answer):
    services: list[Service]


class Lieux(Answer):
    lieux: list[Lieu]


class Rdv(Answer):
    model_config = ConfigDict(
        json_schema_extra={
            "description": (
                "Le rdv tel que le montre son lien privé : sans nom, téléphone ni e-mail."
            )
        }
    )

    starts_at: UtcDateTime
    ends_at: UtcDateTime
    duration_minutes: int
    status: RdvStatus
    service: str | None
    organisation: Organisation
    location_type: LocationType
    lieu: Lieu | None
    can_change: bool

    @classmethod
    def of(cls, managed: Any) -> Rdv:
        rdv = managed.rdv
        return cls(
            starts_at=rdv.starts_at,
            ends_at=rdv.ends_at,
            duration_minutes=rdv.duration_minutes,
            status=rdv.status,
            service=managed.service.name if managed.service else None,
            organisation=managed.organisation,
            location_type=managed.motif.location_type,
            lieu=managed.lieu,
            can_change=managed.can_change,
        )


class RdvAnswer(Answer):
    rdv: Rdv

    @classmethod
    def of(cls, managed: Any) -> RdvAnswer:
        return cls(rdv=Rdv.of(managed))


class Booked(Answer):
    rdv: Rdv
    manage_token: str = Field(min_length=22, description="Jeton du lien privé : à garder")
    manage_url: str = Field(json_schema_extra={"format": "uri"}, description="Le lien privé")

    @classmethod
    def of(cls, managed: Any, token: str, base_url: str) -> Booked:
        url = f"{base_url.rstrip('/')}/r/{token}"
        return cls(rdv=Rdv.of(managed), manage_token=token, manage_url=url)


class ErrorDetail(Answer):
    code: str
    message: str = Field(description="Message en français")
    fields: dict[str, str] | SkipJsonSchema[None] = _omitted_when_none(
        "Un message en français par champ à corriger, par son chemin dans le JSON"
    )
    next_slots: list[Slot] | SkipJsonSchema[None] = _omitted_when_none(
        "Les prochains créneaux libres, quand celui demandé vient d’être pris"
    )


class Error(Answer):
    error: ErrorDetail


ANSWERS: tuple[type[BaseModel], ...] = (
    Organisations,
    Services,
    Lieux,
    Week,
    RdvAnswer,
    Booked,
    Error,
)
