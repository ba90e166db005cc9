"""Contact details: French mobile phones (for SMS) and e-mail addresses."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

# Mobile numbers of metropolitan France and the overseas départements (DROM).
SMS_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_mobile(text: str) -> str:
    """`06 12 34 56 78`, `+33 6 12…`, `0033…` → E.164 (`+33612345678`).

    Raises ValueError with a French message for anything that cannot receive an SMS."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("Indiquez un numéro de téléphone portable.")
    try:
        number = phonenumbers.parse(cleaned, "FR")
    except NumberParseException:
        raise ValueError("Ce numéro de téléphone n’est pas valide.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Ce numéro de téléphone n’est pas valide.")
    region = phonenumbers.region_code_for_number(number)
    kind = phonenumbers.number_type(number)
    if region not in SMS_REGIONS or kind not in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValueError(
            "Indiquez un numéro de portable français (06 ou 07) pour recevoir les SMS."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise ValueError("Cette adresse e-mail n’est pas valide (exemple : nom@exemple.fr).")
    local, _, domain = cleaned.rpartition("@")
    return f"{local}@{domain.lower()}"
