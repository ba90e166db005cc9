"""Plages d'ouverture and absences on the dashboard: the forms and their French
validation (input kept), the preview without JavaScript, who manages whose, and the
rdvs a change leaves to deal with, rescheduled or cancelled on the write path."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.models import RdvStatus, Recurrence, Role
from chalicelib.services import agent_auth, availability
from tests import factories as f
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_agent_auth import PASSWORD, cookie_of, csrf_of, sign_in
from tests.integration.test_agent_rdvs import book, held, text_of
from tests.integration.test_notifications import deliver_all, drain, sent_sms

TUESDAY = date(2026, 12, 1)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    state = {"now": NOW}
    monkeypatch.setattr(context, "now", lambda: state["now"])
    return state


@pytest.fixture
def people(client, store, pilot, clock):
    """Agent 1 (an agent) and agent 2 (an admin) of MDS Test, each signed in, and a
    second lieu."""
    store.catalogue.save_lieu(f.lieu(id="lieu-2", name="Antenne de Coulogne", address="2 rue"))
    agent = replace(pilot.agents[0], password_hash=agent_auth.hash_password(PASSWORD))
    admin = replace(
        pilot.agents[1],
        roles={"org-1": Role.ADMIN},
        password_hash=agent_auth.hash_password(PASSWORD),
    )
    store.agents.save(agent)
    store.agents.save(admin)
    return {
        "agent": cookie_of(sign_in(client)),
        "admin": cookie_of(sign_in(client, email="agent2@example.fr")),
    }


def get(client, cookie, path):
    answer = client.http.get(path, headers={"Cookie": cookie})
    return answer, text_of(answer)


def send(client, cookie, path, fields):
    """POST a dashboard form (fields: a dict, or pairs for repeated checkboxes)."""
    _, home = get(client, cookie, "/agents")
    pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
    body = urlencode([("csrf", csrf_of(home)), *pairs])
    answer = client.http.post(path, headers={**FORM, "Cookie": cookie}, body=body)
    return answer, text_of(answer)


def plage_fields(**changes):
    fields = {
        "agent": "agent-1",
        "lieu": "lieu-1",
        "motifs": ["m30", "m45"],
        "premier_jour": "2026-12-07",
        "debut": "14:00",
        "fin": "17:00",
        "repetition": "hebdomadaire",
        "intervalle": "1",
        "jours": ["0", "3"],
        "jusqu_au": "",
        "titre": "Permanence de l’après-midi",
        "action": "enregistrer",
    }
    fields.update(changes)
    return [(k, x) for k, v in fields.items() for x in (v if isinstance(v, list) else [v])]


def absence_fields(**changes):
    fields = {
        "agent": "agent-1",
        "premier_jour": "2026-12-01",
        "debut": "08:00",
        "dernier_jour": "2026-12-01",
        "fin": "13:00",
        "repetition": "aucune",
        "intervalle": "1",
        "titre": "Formation",
    }
    fields.update(changes)
    return [(k, x) for k, v in fields.items() for x in (v if isinstance(v, list) else [v])]


def plages_of(store, agent_id):
    return {p.id: p for p in store.planning.plages_of_agent(agent_id, NOW.date(), date(2030, 1, 1))}


# --- plages -------------------------------------------------------------------------------


def test_the_nav_links_to_plages_and_absences(client, people):
    _, text = get(client, people["agent"], "/agents")
    assert '<a href="/agents/plages">Plages et absences</a>' in text


def test_an_agent_previews_then_saves_a_weekly_plage(client, store, people):
    before = set(plages_of(store, "agent-1"))
    fields = plage_fields(
        premier_jour="2026-12-18", jours=["4"], action="apercu", feries=""
    )  # Fridays: 25 December and 1 January are holidays
    answer, text = send(client, people["agent"], "/agents/plages", fields)
    assert answer.status_code == 200
    assert "Prochains jours de la plage" in text
    assert "vendredi 18 décembre 2026, 14h00–17h00" in text
    assert (
        '<span class="closed">vendredi 25 décembre 2026, 14h00–17h00</span> '
        '<span class="tag">Jour férié : fermée</span>'
    ) in text
    assert "vendredi 1er janvier 2027" in text and "vendredi 8 janvier 2027" in text
    assert set(plages_of(store, "agent-1")) == before  # a preview saves nothing
    # The form keeps what was typed.
    assert 'value="2026-12-18"' in text and 'value="4" checked' in text
    assert 'value="m45" checked' in text and "Permanence de l’après-midi" in text

    saved, _ = send(
        client, people["agent"], "/agents/plages",
        plage_fields(premier_jour="2026-12-18", jours=["4"]),
    )  # fmt: skip
    assert saved.status_code == 303
    assert saved.headers["Location"] == "/agents/plages?fait=plage"
    [new] = [p for i, p in plages_of(store, "agent-1").items() if i not in before]
    assert new.recurrence == Recurrence.weekly((4,))
    assert (new.start_time, new.end_time, new.lieu_id) == (time(14), time(17), "lieu-1")
    assert new.motif_ids == ("m30", "m45") and not new.open_on_holidays
    _, listing = get(client, people["agent"], "/agents/plages?fait=plage")
    assert "La plage d’ouverture est enregistrée." in listing
    assert "Chaque semaine : vendredi" in listing
    # The engine offers it, and not on Christmas.
    friday = availability.slots_between(
        store, store.catalogue.get_motif("m30"), store.catalogue.get_lieu("lieu-1"),
        date(2026, 12, 18), date(2026, 12, 25), NOW,
    )  # fmt: skip
    days = {s.starts_at.date() for s in friday if "agent-1" in s.agent_ids}
    assert date(2026, 12, 18) in days and date(2026, 12, 25) not in days


def test_a_preview_says_when_a_plage_opens_on_holidays(client, people):
    fields = plage_fields(premier_jour="2026-12-25", jours=["4"], action="apercu", feries="oui")
    _, text = send(client, people["agent"], "/agents/plages", fields)
    assert 'vendredi 25 décembre 2026, 14h00–17h00 <span class="tag">Jour férié : ouverte' in text


def test_a_weekly_plage_keeps_its_paris_hours_across_the_october_change(
    client, store, pilot, people, clock
):
    """Clocks go back on Sunday 25 October 2026: 9h in Paris is 7h UTC before, 8h after."""
    clock["now"] = datetime(2026, 10, 12, 8, 0, tzinfo=UTC)
    fields = plage_fields(
        premier_jour="2026-10-19", jours=["0"], debut="09:00", fin="12:00", action="apercu",
        jusqu_au="2026-10-31",
    )  # fmt: skip
    _, text = send(client, people["agent"], "/agents/plages", fields)
    assert "lundi 19 octobre 2026, 9h00–12h00" in text
    assert "lundi 26 octobre 2026, 9h00–12h00" in text
    saved, _ = send(client, people["agent"], "/agents/plages", [*fields[:-1], ("action", "x")])
    assert saved.status_code == 303
    slots = availability.slots_between(
        store, pilot.motif, pilot.lieu, date(2026, 10, 19), date(2026, 10, 26), clock["now"],
    )  # fmt: skip
    starts = [s.starts_at for s in slots]
    assert datetime(2026, 10, 19, 7, 0, tzinfo=UTC) in starts  # 9h CEST
    assert datetime(2026, 10, 26, 8, 0, tzinfo=UTC) in starts  # 9h CET
    assert datetime(2026, 10, 26, 7, 0, tzinfo=UTC) not in starts  # 8h CET: closed
    assert max(starts) == datetime(2026, 10, 26, 10, 30, tzinfo=UTC)  # last slot 11h30


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"debut": "15:00", "fin": "14:00"}, "fin", "L’heure de fin est avant l’heure de début."),
        ({"debut": "14:00", "fin": "14:00"}, "fin", "La plage dure zéro minute"),
        (
            {"debut": "14:00", "fin": "14:20"},
            "fin",
            "La plage dure 20 min : moins que le plus court",
        ),
        ({"debut": "25:00"}, "debut", "L’heure de début n’est pas une heure valide (HH:MM)."),
        ({"fin": ""}, "fin", "Indiquez l’heure de fin (HH:MM)."),
        ({"premier_jour": "31/02/2026"}, "premier_jour", "n’est pas une date valide"),
        ({"premier_jour": ""}, "premier_jour", "Indiquez le premier jour (JJ/MM/AAAA)."),
        ({"premier_jour": "2026-11-22"}, "premier_jour", "Le premier jour est passé"),
        ({"motifs": []}, "motifs", "Cochez au moins un motif proposé sur cette plage."),
        ({"lieu": "lieu-d-ailleurs"}, "lieu", "Choisissez un lieu de la MDS."),
        (
            {"lieu": ""},
            "lieu",
            "un motif sur place ne peut être proposé que sur une plage à un lieu",
        ),
        ({"jours": []}, "jours", "Cochez au moins un jour de la semaine."),
        ({"intervalle": "0"}, "intervalle", "Indiquez un intervalle entre 1 et 52."),
        ({"intervalle": "²"}, "intervalle", "Indiquez un intervalle entre 1 et 52."),
        ({"jusqu_au": "2026-12-01"}, "jusqu_au", "La répétition doit finir après le premier jour."),
        ({"repetition": "mensuelle_jour", "jour_du_mois": "32"}, "jour_du_mois", "entre 1 et 31"),
        ({"repetition": "mensuelle_semaine", "rang": "9", "jour_semaine": "1"}, "rang", "rang"),
        ({"repetition": "tous-les-siecles"}, "repetition", "Choisissez une répétition"),
        ({"agent": "agent-inconnu"}, "agent", "Choisissez un agent de la MDS."),
        ({"titre": "x" * 101}, "titre", "Le libellé fait au plus 100 caractères."),
    ],
)
def test_a_plage_form_is_refused_with_a_french_message_and_the_input_kept(
    client, store, people, changes, field, message
):
    before = plages_of(store, "agent-1")
    answer, text = send(client, people["admin"], "/agents/plages", plage_fields(**changes))
    assert answer.status_code == 422
    assert message in text
    assert f'<a href="#{field}">' in text  # the summary leads to the field
    assert "<title>Erreur – Nouvelle plage d’ouverture" in text
    assert "Permanence de l’après-midi" in text or field == "titre"  # typed values kept
    assert plages_of(store, "agent-1") == before


def test_a_plage_at_another_lieu_at_the_same_time_is_refused(client, store, people):
    """Agent 1 holds plage-1 at lieu-1, weekdays 9h–12h: not at lieu-2 on Tuesdays 11h–13h."""
    fields = plage_fields(lieu="lieu-2", jours=["1"], debut="11:00", fin="13:00")
    answer, text = send(client, people["agent"], "/agents/plages", fields)
    assert answer.status_code == 422
    assert (
        "Cet agent a déjà une plage à MDS Test – site principal de 9h00 à 12h00 le mardi "
        "8 décembre 2026 : on ne peut pas être à deux lieux à la fois."
    ) in text
    # Touching is not overlapping, and another agent's plage is no clash.
    ok, ok_text = send(
        client, people["agent"], "/agents/plages", plage_fields(lieu="lieu-2", debut="12:00")
    )
    assert ok.status_code == 303, re.findall(r"field-error[^>]*>([^<]+)", ok_text)
    # Same lieu, same time: the engine merges them, nothing to refuse.
    same, _ = send(
        client, people["agent"], "/agents/plages", plage_fields(debut="10:00", fin="12:00")
    )
    assert same.status_code == 303


def test_an_agent_manages_only_their_own_plages_and_an_admin_everyones(client, store, people):
    # plage-2 is agent 2's (the admin's).
    assert get(client, people["agent"], "/agents/plages/plage-2")[0].status_code == 404
    delete, _ = send(client, people["agent"], "/agents/plages/plage-2/supprimer", {})
    assert delete.status_code == 404 and "plage-2" in plages_of(store, "agent-2")
    forged, _ = send(client, people["agent"], "/agents/plages", plage_fields(agent="agent-2"))
    assert forged.status_code == 403
    _, mine = get(client, people["agent"], "/agents/plages")
    assert "/agents/plages/plage-1" in mine and "/agents/plages/plage-2" not in mine
    assert 'id="agent-filtre"' not in mine
    _, everyone = get(client, people["admin"], "/agents/plages")
    assert "/agents/plages/plage-1" in everyone and "/agents/plages/plage-2" in everyone
    _, filtered = get(client, people["admin"], "/agents/plages?agent=agent-2")
    assert "/agents/plages/plage-1" not in filtered and "/agents/plages/plage-2" in filtered
    answer, text = get(client, people["admin"], "/agents/plages/plage-1")
    assert answer.status_code == 200 and "Modifier la plage d’ouverture" in text
    assert "lundi 23 novembre 2026, 9h00–12h00" in text  # its next days


def test_editing_a_plage_keeps_its_rdvs_and_lists_those_left_outside(client, store, pilot, people):
    booked = book(store, pilot)  # Tuesday 1 December, 9h, agent 1
    assert booked.rdv.agent_id == "agent-1"
    fields = plage_fields(
        premier_jour="2026-11-02", jours=["0", "2", "3", "4"], debut="09:00", fin="12:00",
        motifs=["m30", "m45", "mtel"], titre="",
    )  # fmt: skip
    answer, _ = send(client, people["agent"], "/agents/plages/plage-1", fields)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/agents/plages/hors-plage?agent=agent-1&fait=plage"
    assert store.rdvs.get(booked.rdv.id).status is RdvStatus.UNKNOWN  # never deleted
    _, text = get(client, people["agent"], answer.headers["Location"])
    assert "La plage d’ouverture est enregistrée." in text
    assert "mardi 1er décembre 2026 à 9h00" in text and "Amandine Dupont" in text
    # Deleting it too leaves the rdv there, listed.
    gone, _ = send(client, people["agent"], "/agents/plages/plage-1/supprimer", {})
    assert (
        gone.headers["Location"] == "/agents/plages/hors-plage?agent=agent-1&fait=plage-supprimee"
    )
    assert "plage-1" not in plages_of(store, "agent-1")
    assert store.rdvs.get(booked.rdv.id).status is RdvStatus.UNKNOWN


def test_a_plage_edit_that_keeps_every_rdv_inside_goes_back_to_the_list(
    client, store, pilot, people
):
    book(store, pilot)
    fields = plage_fields(
        premier_jour="2026-11-02", jours=["0", "1", "2", "3", "4"], debut="08:30", fin="12:00",
        motifs=["m30", "m45", "mtel"],
    )  # fmt: skip
    answer, _ = send(client, people["agent"], "/agents/plages/plage-1", fields)
    assert answer.headers["Location"] == "/agents/plages?fait=plage"
    _, text = get(client, people["agent"], "/agents/plages/hors-plage")
    assert "Aucun rendez-vous à venir n’est concerné." in text


# --- absences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"debut": "13:00", "fin": "08:00"}, "fin", "La fin de l’absence est avant son début."),
        ({"debut": "10:00", "fin": "10:00"}, "fin", "L’absence dure zéro minute"),
        (
            {"dernier_jour": "2026-11-30"},
            "dernier_jour",
            "Le dernier jour est avant le premier jour.",
        ),
        ({"premier_jour": "demain"}, "premier_jour", "n’est pas une date valide"),
        ({"debut": ""}, "debut", "Indiquez l’heure de début (HH:MM)."),
        (
            {"repetition": "hebdomadaire", "jours": ["1"], "dernier_jour": "2026-12-09"},
            "dernier_jour",
            "Une absence répétée doit finir avant sa prochaine occurrence "
            "(le mardi 8 décembre 2026).",
        ),
        ({"repetition": "hebdomadaire"}, "jours", "Cochez au moins un jour de la semaine."),
    ],
)
def test_an_absence_form_is_refused_with_a_french_message_and_the_input_kept(
    client, store, people, changes, field, message
):
    answer, text = send(client, people["agent"], "/agents/absences", absence_fields(**changes))
    assert answer.status_code == 422
    assert message in text and f'<a href="#{field}">' in text
    assert 'value="Formation"' in text
    assert store.planning.absences_of_agent("agent-1", NOW.date(), date(2030, 1, 1)) == []


def test_an_absence_without_rdvs_goes_back_to_the_list(client, store, people):
    answer, _ = send(
        client, people["agent"], "/agents/absences",
        absence_fields(premier_jour="2026-12-24", dernier_jour="2026-12-31", titre="Congés"),
    )  # fmt: skip
    assert answer.headers["Location"] == "/agents/absences?fait=absence"
    _, text = get(client, people["agent"], "/agents/absences?fait=absence")
    assert "L’absence est enregistrée." in text and "Congés" in text
    assert "jeudi 24 décembre 2026 à 8h00" in text and "jeudi 31 décembre 2026 à 13h00" in text


def test_an_absence_over_a_booked_rdv_lists_it_and_reschedules_it(client, store, pilot, people):
    booked = book(store, pilot)  # Tuesday 1 December, 9h, agent 1
    deliver_all(store, drain(store))
    sms_before = len(sent_sms())
    answer, _ = send(client, people["agent"], "/agents/absences", absence_fields())
    assert answer.status_code == 303
    [absence] = store.planning.absences_of_agent("agent-1", TUESDAY, TUESDAY)
    assert answer.headers["Location"] == f"/agents/absences/{absence.id}/rdvs?fait=absence"
    _, text = get(client, people["agent"], answer.headers["Location"])
    assert "mardi 1er décembre 2026 à 9h00" in text and "Amandine Dupont" in text
    # The slot the engine proposes: agent 1's first free one (today, from 9h30).
    debut = re.search(r'name="debut" value="([^"]+)"', text).group(1)
    proposed = datetime.fromisoformat(debut.replace("Z", "+00:00"))
    assert proposed == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert "lundi 23 novembre 2026 à 9h30" in text and "avec Agent 1, Agent 2" in text
    # The slots offered online skip the absence.
    assert availability.slot_at(store, pilot.motif, pilot.lieu, TUESDAY_9H, NOW).agent_ids == (
        "agent-2",
    )

    done, _ = send(
        client, people["agent"], f"/agents/absences/{absence.id}/rdvs/{booked.rdv.id}/reporter",
        {"debut": debut},
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["Location"] == f"/agents/absences/{absence.id}/rdvs?fait=reporte"
    moved = store.rdvs.get(booked.rdv.id)
    assert (moved.starts_at, moved.agent_id) == (proposed, "agent-1")
    assert moved.moves[-1].by == "agent-1"
    # The agent-days follow: freed on Tuesday, held on Monday.
    assert held(store, "agent-1", TUESDAY) == {}
    assert held(store, "agent-1", date(2026, 11, 23)) == {booked.rdv.id: proposed}
    # The usager is told of the new time.
    [message] = drain(store)
    assert message["event"] == "rdv_date_updated"
    deliver_all(store, [message])
    assert len(sent_sms()) == sms_before + 1
    _, after = get(client, people["agent"], done.headers["Location"])
    assert "Le rendez-vous est reporté." in after
    assert "Aucun rendez-vous à venir n’est concerné." in after


def test_a_rdv_under_an_absence_is_cancelled_by_the_mds_with_the_usager_told(
    client, store, pilot, people
):
    booked = book(store, pilot)
    deliver_all(store, drain(store))
    send(client, people["admin"], "/agents/absences", absence_fields())
    [absence] = store.planning.absences_of_agent("agent-1", TUESDAY, TUESDAY)
    done, _ = send(
        client, people["admin"], f"/agents/absences/{absence.id}/rdvs/{booked.rdv.id}/annuler", {}
    )
    assert done.headers["Location"] == f"/agents/absences/{absence.id}/rdvs?fait=annule"
    rdv = store.rdvs.get(booked.rdv.id)
    assert rdv.status is RdvStatus.REVOKED and rdv.status_history[-1].by == "agent-2"
    assert held(store, "agent-1", TUESDAY) == {}
    [message] = drain(store)
    assert message["event"] == "rdv_revoked"  # « La MDS a annulé votre RDV », her phone
    deliver_all(store, [message])
    assert "La MDS a annulé votre RDV PMI" in sent_sms()[-1][1]


def test_a_slot_no_longer_free_is_refused_on_the_list(client, store, pilot, people):
    booked = book(store, pilot)
    send(client, people["agent"], "/agents/absences", absence_fields())
    [absence] = store.planning.absences_of_agent("agent-1", TUESDAY, TUESDAY)
    # Wednesday 9h was proposed, then both agents were booked then meanwhile.
    wednesday_9h = TUESDAY_9H + timedelta(days=1)
    book(store, pilot, starts_at=wednesday_9h, phone="+33612345670")
    book(store, pilot, starts_at=wednesday_9h, phone="+33612345671")
    answer, text = send(
        client, people["agent"], f"/agents/absences/{absence.id}/rdvs/{booked.rdv.id}/reporter",
        {"debut": "2026-12-02T08:00Z"},
    )  # fmt: skip
    assert answer.status_code == 409
    assert "Ce créneau n’est plus libre. Choisissez-en un autre." in text
    assert store.rdvs.get(booked.rdv.id).starts_at == TUESDAY_9H


def test_a_recurring_absence_covers_each_occurrence(client, store, pilot, people):
    first = book(store, pilot)  # Tuesday 1 December, 9h
    second = book(store, pilot, starts_at=TUESDAY_9H + timedelta(days=7), phone="+33612345679")
    other_day = book(store, pilot, starts_at=TUESDAY_9H + timedelta(days=8), phone="+33612345670")
    answer, _ = send(
        client, people["agent"], "/agents/absences",
        absence_fields(repetition="hebdomadaire", jours=["1"], titre="Réunion d’équipe"),
    )  # fmt: skip
    _, text = get(client, people["agent"], answer.headers["Location"])
    for rdv, shown in ((first, True), (second, True), (other_day, False)):
        assert (f'/agents/rdv/{rdv.rdv.id}"' in text) is shown


def test_an_agent_manages_only_their_own_absences(client, store, people):
    store.planning.save_absence(f.absence(id="absence-2", agent_id="agent-2", first_day=TUESDAY,
                                          end_day=TUESDAY))  # fmt: skip
    assert get(client, people["agent"], "/agents/absences/absence-2")[0].status_code == 404
    assert get(client, people["agent"], "/agents/absences/absence-2/rdvs")[0].status_code == 404
    gone, _ = send(client, people["agent"], "/agents/absences/absence-2/supprimer", {})
    assert gone.status_code == 404
    forged, _ = send(client, people["agent"], "/agents/absences", absence_fields(agent="agent-2"))
    assert forged.status_code == 403
    _, listing = get(client, people["admin"], "/agents/absences")
    assert "/agents/absences/absence-2" in listing
    deleted, _ = send(client, people["admin"], "/agents/absences/absence-2/supprimer", {})
    assert deleted.headers["Location"] == "/agents/absences?fait=absence-supprimee"
    assert store.planning.get_absence("absence-2") is None


def test_an_absence_is_edited_from_its_page(client, store, people):
    store.planning.save_absence(f.absence(first_day=TUESDAY, end_day=TUESDAY))
    answer, text = get(client, people["agent"], "/agents/absences/absence-1")
    assert answer.status_code == 200 and 'value="2026-12-01"' in text
    saved, _ = send(
        client, people["agent"], "/agents/absences/absence-1",
        absence_fields(debut="14:00", fin="15:00"),
    )  # fmt: skip
    assert saved.status_code == 303
    assert store.planning.get_absence("absence-1").start_time == time(14)


def test_two_rdvs_under_an_absence_are_not_proposed_the_same_time(client, store, pilot, people):
    first = book(store, pilot)
    second = book(store, pilot, starts_at=TUESDAY_9H + timedelta(minutes=30), phone="+33612345679")
    assert (first.rdv.agent_id, second.rdv.agent_id) == ("agent-1", "agent-1")
    answer, _ = send(client, people["agent"], "/agents/absences", absence_fields())
    _, text = get(client, people["agent"], answer.headers["Location"])
    assert re.findall(r'name="debut" value="([^"]+)"', text) == [
        "2026-11-23T08:30Z",  # agent 1's first free time today, 9h30
        "2026-11-23T09:00Z",  # then 10h00
    ]


def test_the_preview_keeps_paris_hours_across_the_march_change(store, pilot, clock):
    """Clocks go forward on Sunday 28 March 2027: 9h in Paris is 8h UTC before, 7h after."""
    from chalicelib.services import planning_setup

    plage = f.plage(
        id="plage-mars", first_day=date(2027, 3, 22), recurrence=Recurrence.weekly((0,))
    )
    days = planning_setup.preview(store, plage, date(2027, 3, 20), count=2)
    assert [(o.day, o.starts_at.astimezone(UTC)) for o in days] == [
        (date(2027, 3, 22), datetime(2027, 3, 22, 8, 0, tzinfo=UTC)),
        (date(2027, 3, 29), datetime(2027, 3, 29, 7, 0, tzinfo=UTC)),
    ]
    # Easter Monday 2027 is 29 March: closed unless opened on holidays.
    assert [o.closed for o in days] == [False, True]


def test_a_monthly_plage_on_the_second_tuesday_is_previewed_and_saved(client, store, people):
    fields = plage_fields(
        premier_jour="2026-12-01", repetition="mensuelle_semaine", rang="2", jour_semaine="1",
        jours=[], debut="09:00", fin="12:00", lieu="lieu-2", action="apercu",
    )  # fmt: skip
    # Agent 1 is at lieu-1 on weekday mornings: at lieu-2, the afternoon.
    fields = [(k, {"09:00": "13:00", "12:00": "16:00"}.get(v, v)) for k, v in fields]
    answer, text = send(client, people["admin"], "/agents/plages", fields)
    assert answer.status_code == 200
    assert "mardi 8 décembre 2026, 13h00–16h00" in text
    assert "mardi 12 janvier 2027, 13h00–16h00" in text
    saving = [(k, v) for k, v in fields if k != "action"]
    saved, _ = send(client, people["admin"], "/agents/plages", saving)
    assert saved.status_code == 303
    [plage] = [p for p in plages_of(store, "agent-1").values() if p.lieu_id == "lieu-2"]
    assert plage.recurrence == Recurrence.monthly_on_weekday(2, 1)
    _, listing = get(client, people["admin"], "/agents/plages?agent=agent-1")
    assert "Chaque mois, le 2e mardi" in listing


def test_a_rdv_left_outside_the_plages_is_rescheduled_or_cancelled_from_the_list(
    client, store, pilot, people
):
    kept = book(store, pilot)  # Tuesday 1 December 9h, agent 1
    cancelled = book(store, pilot, starts_at=TUESDAY_9H + timedelta(days=7), phone="+33612345679")
    send(client, people["admin"], "/agents/plages/plage-1/supprimer", {})
    _, text = get(client, people["admin"], "/agents/plages/hors-plage?agent=agent-1")
    assert f'/agents/rdv/{kept.rdv.id}"' in text and f'/agents/rdv/{cancelled.rdv.id}"' in text
    # Agent 1 has no plage left: the slot proposed is agent 2's.
    debut = re.search(r'name="debut" value="([^"]+)"', text).group(1)
    assert "avec Agent 2" in text
    moved, _ = send(
        client, people["admin"],
        f"/agents/plages/hors-plage/{kept.rdv.id}/reporter?agent=agent-1", {"debut": debut},
    )  # fmt: skip
    assert moved.headers["Location"] == "/agents/plages/hors-plage?agent=agent-1&fait=reporte"
    assert store.rdvs.get(kept.rdv.id).agent_id == "agent-2"
    done, _ = send(
        client, people["admin"],
        f"/agents/plages/hors-plage/{cancelled.rdv.id}/annuler?agent=agent-1", {},
    )  # fmt: skip
    assert done.headers["Location"] == "/agents/plages/hors-plage?agent=agent-1&fait=annule"
    assert store.rdvs.get(cancelled.rdv.id).status is RdvStatus.REVOKED
    _, after = get(client, people["admin"], done.headers["Location"])
    assert "Le rendez-vous est annulé par la MDS." in after
    assert "Aucun rendez-vous à venir n’est concerné." in after


def test_archived_lieux_and_motifs_are_not_offered_to_new_plages(client, store, people):
    archived = datetime(2026, 11, 1, tzinfo=UTC)
    store.catalogue.save_lieu(replace(store.catalogue.get_lieu("lieu-2"), archived_at=archived))
    store.catalogue.save_motif(replace(store.catalogue.get_motif("m45"), archived_at=archived))
    _, form = get(client, people["agent"], "/agents/plages/nouvelle")
    assert 'value="lieu-1"' in form and 'value="lieu-2"' not in form
    assert 'value="m30"' in form and 'value="m45"' not in form
    answer, text = send(client, people["agent"], "/agents/plages",
                        plage_fields(lieu="lieu-2", motifs=["m45"]))  # fmt: skip
    assert answer.status_code == 422
    assert "Choisissez un lieu de la MDS." in text
    assert "Cochez au moins un motif proposé sur cette plage." in text
    # A plage that already has an archived lieu keeps showing it, to be changed.
    store.catalogue.save_lieu(replace(store.catalogue.get_lieu("lieu-1"), archived_at=archived))
    _, edit = get(client, people["agent"], "/agents/plages/plage-1")
    assert re.search(r'value="lieu-1"[^>]*selected', edit)


# --- the waiting list ------------------------------------------------------------------


def waiting_anywhere(store, pilot):
    """An usager booked m30 at lieu-1 in five weeks, waiting for an earlier slot at any
    lieu of the MDS; the queue drained."""
    from tests.integration.test_waiting_list import book_anywhere

    booked = book_anywhere(store, pilot)
    deliver_all(store, drain(store))
    return booked


def freed_messages(store) -> list[dict]:
    return [m for m in drain(store) if m.get("kind") == "slot_freed"]


def test_a_new_plage_is_offered_at_once_to_who_waits(client, store, pilot, people):
    waiting_anywhere(store, pilot)
    saved, _ = send(client, people["agent"], "/agents/plages", plage_fields(lieu="lieu-2"))
    assert saved.status_code == 303
    # Queued by the save itself, not at the next sweep: the new plage's first slot.
    messages = freed_messages(store)
    assert [m["lieu_id"] for m in messages] == ["lieu-2"]
    assert messages[0]["starts_at"] == "2026-12-07T13:00:00+00:00"  # Monday 14:00 Paris
    deliver_all(store, messages)
    [offer] = [t for number, t in sent_sms() if number == "+33611111111" and "/o/" in t]
    assert "Antenne de Coulogne" in offer and "07/12 à 14h00" in offer


def test_a_removed_or_edited_absence_queues_the_time_it_gives_back(client, store, pilot, people):
    waiting_anywhere(store, pilot)
    created, _ = send(client, people["agent"], "/agents/absences", absence_fields())
    assert created.status_code == 303
    assert freed_messages(store) == []  # a new absence frees nothing
    [absence_id] = [a.id for a in store.planning.absences_of_agent("agent-1", NOW.date(), TUESDAY)]
    edited, _ = send(
        client, people["agent"], f"/agents/absences/{absence_id}", absence_fields(fin="10:00")
    )
    assert edited.status_code == 303
    assert freed_messages(store)
    gone, _ = send(client, people["agent"], f"/agents/absences/{absence_id}/supprimer", {})
    assert gone.status_code == 303
    assert freed_messages(store)


def test_nobody_waiting_nothing_queued_and_nothing_in_the_quiet_hours(client, store, pilot, people):
    from chalicelib.services import waiting_list

    send(client, people["agent"], "/agents/plages", plage_fields(lieu="lieu-2"))
    assert freed_messages(store) == []
    waiting_anywhere(store, pilot)
    [plage] = [p for p in plages_of(store, "agent-1").values() if p.lieu_id == "lieu-2"]
    evening = NOW.replace(hour=21)  # 22:00 in Paris: the sweep goes on at 8:00
    assert waiting_list.after_planning_change(store, "org-1", [plage], evening) == 0
    assert freed_messages(store) == []
    assert waiting_list.after_planning_change(store, "org-1", [plage], NOW) == 1
