"""Contact details as the usager types them: mobiles (metropolitan and overseas) and
e-mail addresses, read or refused with a French message."""

from __future__ import annotations

import pytest

from chalicelib.domain.contact import normalise_email, normalise_mobile


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("07.81.23.45.67", "+33781234567"),
        # Overseas mobiles typed the local (national) way.
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0639 40 12 34", "+262639401234"),  # Mayotte
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("0694 20 12 34", "+594694201234"),  # Guyane
        ("+262 692 12 34 56", "+262692123456"),
    ],
)
def test_french_mobiles_are_read_however_they_are_typed(typed, stored):
    assert normalise_mobile(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "01 23 45 67 89",
            "Indiquez un numéro de portable français (06 ou 07) pour recevoir les SMS.",
        ),
        (
            "0262 12 34 56",
            "Indiquez un numéro de portable français (06 ou 07) pour recevoir les SMS.",
        ),
        (
            "+44 7911 123456",
            "Indiquez un numéro de portable français (06 ou 07) pour recevoir les SMS.",
        ),
        ("06 12", "Ce numéro de téléphone n’est pas valide."),
        ("bonjour", "Ce numéro de téléphone n’est pas valide."),
    ],
)
def test_what_cannot_receive_an_sms_is_refused_in_french(typed, message):
    with pytest.raises(ValueError) as refused:
        normalise_mobile(typed)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("amandine.dupont@example.fr", "amandine.dupont@example.fr"),
        ("  Amandine@Example.FR ", "Amandine@example.fr"),
        ("a@bücher.de", "a@xn--bcher-kva.de"),  # what a mail server is given
    ],
)
def test_an_address_is_stored_normalised(typed, stored):
    assert normalise_email(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "undisclosed:a;@example.org",
        '"><svg/onload=alert(1)>@evil.example',
        "x<victim@evil.example>",
        "Victime <victim@evil.example>",
        "amandine@",
        "amandine@localhost",
        "a..b@example.fr",
        "a@exemple.invalid",
        "a" * 250 + "@example.fr",
    ],
)
def test_addresses_no_mail_server_would_accept_are_refused(typed):
    with pytest.raises(ValueError) as refused:
        normalise_email(typed)
    assert str(refused.value) == "Cette adresse e-mail n’est pas valide (exemple : nom@exemple.fr)."


def test_an_accent_before_the_at_sign_is_explained():
    with pytest.raises(ValueError) as refused:
        normalise_email("élise@exemple.fr")
    assert "sans accent" in str(refused.value)
