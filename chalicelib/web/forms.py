"""The booking form ("who and how to reach you"): the HTML page's fields mapped onto the
JSON API's booking model, so that both are validated by the same rules and messages.

Loads pydantic through api_models: import it inside the handlers that need it."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from pydantic import ValidationError

from chalicelib.domain.errors import FieldErrors
from chalicelib.services import booking
from chalicelib.web import api_models
from chalicelib.web.params import parse_day

# The form's field for each field of the JSON body, in the order of the page.
FORM_FIELDS = {
    "starts_at": "debut",
    "for_child": "pour",
    "first_name": "prenom",
    "last_name": "nom",
    "child": "enfant_prenom",
    "child.first_name": "enfant_prenom",
    "child.last_name": "enfant_nom",
    "child.birth_date": "enfant_naissance",
    "home_address": "adresse",
    "phone": "telephone",
    "email": "email",
    "notify_sms": "sms",
    "notify_email": "rappel_email",
    "waiting_list": "liste_attente",
    "waiting_list_any_lieu": "liste_attente_tout_lieu",
    "idempotency_key": "cle",
}


class BookingForm:
    """`values` keeps what was typed, `key` is the form's one-time idempotency key."""

    def __init__(self, data: dict[str, Any], today: date) -> None:
        self.values = {k: (str(v) if v is not None else "") for k, v in data.items()}
        posted = self.get("cle")
        # One key per form shown, kept across error re-renders (see BookingRequest).
        valid = api_models.KEY_MIN <= len(posted) <= api_models.KEY_MAX
        self.key = posted if valid else self.new_key()
        self.today = today

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(16)

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def checked(self, name: str) -> bool:
        return self.get(name) in ("oui", "on", "true", "1")

    def booking_request(self, organisation, motif, lieu) -> booking.BookingRequest:
        """The use case's input, or FieldErrors keyed as in the JSON (`child.birth_date`):
        `errors_shown` puts them next to the form's fields."""
        body, errors = self._body()
        context = {"today": self.today, "location_type": motif.location_type}
        try:
            model = api_models.BookingRequest.model_validate(body, context=context)
        except ValidationError as error:
            errors = {**api_models.field_errors(error), **errors}
        if errors:
            raise FieldErrors(errors)
        return model.booking_request(organisation, motif, lieu)

    @staticmethod
    def errors_shown(errors: dict[str, str]) -> dict[str, str]:
        """Messages keyed by the form's field names, in the order of the page."""
        order = list(FORM_FIELDS)
        ranked = sorted(errors.items(), key=lambda item: _rank(order, item[0]))
        shown: dict[str, str] = {}
        for path, message in ranked:
            shown.setdefault(FORM_FIELDS.get(path, path), message)
        return shown

    def _body(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The JSON body this form stands for, and what only the form can say is wrong
        (its radio buttons and its JJ/MM/AAAA dates)."""
        errors: dict[str, str] = {}
        if self.get("pour") not in ("moi", "enfant"):
            errors["for_child"] = "Indiquez pour qui est le rendez-vous."
        body: dict[str, Any] = {
            "starts_at": self.get("debut"),
            "for_child": self.get("pour") == "enfant",
            "first_name": self.get("prenom"),
            "last_name": self.get("nom"),
            "phone": self.get("telephone") or None,
            "email": self.get("email") or None,
            "home_address": self.get("adresse") or None,
            "notify_sms": self.checked("sms"),
            "notify_email": self.checked("rappel_email"),
            "waiting_list": self.checked("liste_attente"),
            "waiting_list_any_lieu": self.checked("liste_attente_tout_lieu"),
            "idempotency_key": self.key,
        }
        if body["for_child"]:
            child: dict[str, Any] = {
                "first_name": self.get("enfant_prenom"),
                "last_name": self.get("enfant_nom"),
            }
            typed = self.get("enfant_naissance")
            day = parse_day(typed) if typed else None
            if day is not None:
                child["birth_date"] = day
            elif typed:  # (left out when empty: the model says it is missing)
                errors["child.birth_date"] = (
                    "Indiquez la date de naissance au format JJ/MM/AAAA, par exemple 14/03/2022."
                )
            body["child"] = child
        return body, errors


def _rank(order: list[str], path: str) -> int:
    return order.index(path) if path in order else len(order)
