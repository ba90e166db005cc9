"""GSM-7 transliteration and SMS part counting."""

from chalicelib.domain.sms import is_gsm7, sms_parts, to_gsm7


def test_french_letters_in_gsm7_stay_and_the_others_are_transliterated():
    assert to_gsm7("à é è ù") == "à é è ù"
    assert to_gsm7("Fête à Nœux, garçon, l’île") == "Fete à Noeux, garcon, l'ile"
    assert is_gsm7(to_gsm7("Rendez-vous PMI – Maison des solidarités «Calais II» …"))


def test_parts_are_160_gsm7_characters_or_70_ucs2():
    assert sms_parts("a" * 160) == 1
    assert sms_parts("a" * 161) == 2
    assert sms_parts("a" * 306) == 2
    assert sms_parts("ê" + "a" * 69) == 1
    assert sms_parts("ê" + "a" * 70) == 2
    assert sms_parts("€" * 80) == 1 and sms_parts("€" * 81) == 2  # extension: 2 septets


def test_a_childs_first_name_is_printed_only_as_a_short_name():
    from chalicelib.domain.sms import first_name_for_messages

    assert first_name_for_messages("Léa") == "Léa"
    assert first_name_for_messages("Marie-Charlotte") == "Marie-Charlotte"
    assert first_name_for_messages("Anaïs") == "Anais"
    assert first_name_for_messages("Payez votre amende sur ameli-aide.fr") == "Payez"
    assert first_name_for_messages("ameli-aide.fr") == ""
    assert first_name_for_messages("Maximilienne-Charlotte") == ""  # too long
    assert first_name_for_messages("Алиса") == ""  # cannot be written in GSM-7
    assert first_name_for_messages("") == ""
