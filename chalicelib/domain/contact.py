"""Contact details: French mobile phones (for SMS) and e-mail addresses."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

# Mobile numbers of metropolitan France and the overseas départements (DROM), in the
# order a number typed the national way (`0692 12 34 56`) is tried.
SMS_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")
_MOBILE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
INVALID_PHONE = "Ce numéro de téléphone n’est pas valide."
NOT_A_MOBILE = "Indiquez un numéro de portable français (06 ou 07) pour recevoir les SMS."
INVALID_EMAIL = "Cette adresse e-mail n’est pas valide (exemple : nom@exemple.fr)."
ACCENTED_EMAIL = (
    "Cette adresse e-mail ne pourrait pas recevoir nos messages : écrivez la partie "
    "avant le @ sans accent ni caractère spécial."
)


def normalise_mobile(text: str) -> str:
    """`06 12 34 56 78`, `+33 6 12…`, `0033…`, an overseas mobile typed the national
    way (`0692 12 34 56`, La Réunion) → E.164 (`+33612345678`, `+262692123456`).

    Raises ValueError with a French message for anything that cannot receive an SMS."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("Indiquez un numéro de téléphone portable.")
    # A number with its country code is read as it says; a national one (0…) is read
    # as metropolitan first, then as each overseas département's.
    international = cleaned.startswith(("+", "00"))
    numbers = []
    for region in ("FR",) if international else SMS_REGIONS:
        try:
            numbers.append(phonenumbers.parse(cleaned, region))
        except NumberParseException:
            continue
    valid = [n for n in numbers if phonenumbers.is_valid_number(n)]
    for number in valid:
        if (
            phonenumbers.region_code_for_number(number) in SMS_REGIONS
            and phonenumbers.number_type(number) in _MOBILE
        ):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValueError(NOT_A_MOBILE if valid else INVALID_PHONE)


def normalise_email(text: str) -> str:
    """The address as mail servers read it (RFC 5321 syntax, checked by email-validator;
    no DNS look-up): domain in lower case and, if internationalised, in its ASCII form.
    A display name (`Nom <a@b.fr>`), quotes, `:` or `;` and reserved domains
    (`.invalid`, `localhost`) are refused: such an address costs failed deliveries.

    Raises ValueError with a French message."""
    from email_validator import EmailNotValidError, validate_email  # 50 ms: when used

    cleaned = text.strip()
    local, at, _ = cleaned.rpartition("@")
    if at and not local.isascii():
        raise ValueError(ACCENTED_EMAIL)  # SES cannot send to such an address
    try:
        checked = validate_email(cleaned, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise ValueError(INVALID_EMAIL) from None
    return checked.ascii_email or checked.normalized
