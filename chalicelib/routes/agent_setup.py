"""The admins' setup pages (« Paramètres »): lieux, motifs, agents, sectors and the
waiting list's limits of their organisation. Admins only (403 for an agent); every id
is looked up within the session's organisation (404 otherwise). See services/setup.py
for the rules."""

from __future__ import annotations

import logging

from chalice import Blueprint

from chalicelib.domain.errors import DomainError, FieldErrors
from chalicelib.domain.models import LocationType, Role
from chalicelib.domain.palette import MOTIF_COLOURS, is_accessible
from chalicelib.services import context, setup
from chalicelib.web.agents import redirect, render_agent, signed_in
from chalicelib.web.errors import html_errors
from chalicelib.web.params import form_data, query

agent_setup = Blueprint(__name__)
log = logging.getLogger(__name__)
FORM = ["application/x-www-form-urlencoded", "multipart/form-data"]
ROOT = "/agents/parametres"

LOCATION_LABELS = {
    LocationType.PUBLIC_OFFICE.value: "Dans un lieu de la MDS",
    LocationType.PHONE.value: "Par téléphone",
    LocationType.HOME.value: "À domicile",
}
# What the list pages say after a change (`?fait=…`).
DONE = {
    "cree": "C’est enregistré.",
    "modifie": "Les modifications sont enregistrées.",
    "archive": "C’est archivé : plus aucun nouveau rendez-vous, ceux déjà pris sont gardés.",
    "restaure": "C’est de nouveau ouvert aux rendez-vous.",
    "invite": "L’agent est ajouté : une invitation à choisir son mot de passe lui est envoyée.",
    "ajoute": "L’agent, qui avait déjà un compte, est ajouté à votre organisation.",
    "reinvite": "Une nouvelle invitation, valable une semaine, est envoyée à l’agent.",
    "role": "Le rôle est modifié.",
    "retire": "L’agent ne fait plus partie de votre organisation.",
    "secteurs": "Les secteurs sont enregistrés : la recherche des usagers en tient compte.",
    "liste": "Les règles de la liste d’attente sont enregistrées.",
    "defaut": "La MDS suit de nouveau les règles par défaut de la liste d’attente.",
}


def _request():
    return agent_setup.current_request


def _done(me, page: str, done: str, subject_id: str):
    """After a change: one log line of who changed what (ids only), then the list."""
    log.info(
        "setup %s %s %s by agent %s in %s", page, done, subject_id, me.agent.id, me.organisation.id
    )
    return redirect(f"{ROOT}/{page}?fait={done}")


def _data() -> dict[str, str]:
    return form_data(_request().raw_body)


def _page(template: str, me, status_code: int = 200, **values):
    done = query(_request().query_params, "fait")
    return render_agent(
        template,
        me,
        status_code=status_code,
        section="parametres",
        done=DONE.get(done),
        **values,
    )


@agent_setup.route(ROOT, methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def index(me):
    store = context.store()
    open_lieux, _ = setup.lieux(store, me.organisation.id)
    open_motifs, _ = setup.motifs(store, me.organisation.id)
    return _page(
        "agent/setup_index.html",
        me,
        lieux=open_lieux,
        motifs=open_motifs,
        members=setup.members(store, me.organisation.id),
        organisation=store.catalogue.get_organisation(me.organisation.id, fresh=True),
    )


# --- lieux --------------------------------------------------------------------------------


def _lieu_form(data: dict[str, str]) -> setup.LieuForm:
    return setup.LieuForm(
        name=data.get("nom", ""),
        address=data.get("adresse", ""),
        phone=data.get("telephone", ""),
        opening_info=data.get("horaires", ""),
        accessibility=data.get("accessibilite", ""),
    )


def _lieu_values(lieu) -> dict[str, str]:
    return {
        "nom": lieu.name,
        "adresse": lieu.address,
        "telephone": lieu.phone,
        "horaires": lieu.opening_info,
        "accessibilite": lieu.accessibility,
    }


def _lieu_page(me, lieu, values, error: FieldErrors | None = None):
    store = context.store()
    return _page(
        "agent/setup_lieu.html",
        me,
        status_code=error.status_code if error else 200,
        lieu=lieu,
        usage=setup.lieu_usage(store, me.organisation.id, lieu, context.now()) if lieu else None,
        values=values,
        errors=error.errors if error else {},
        error_message=error.message if error else None,
    )


@agent_setup.route(f"{ROOT}/lieux", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def lieux_page(me):
    open_lieux, archived = setup.lieux(context.store(), me.organisation.id)
    return _page("agent/setup_lieux.html", me, lieux=open_lieux, archived=archived)


@agent_setup.route(f"{ROOT}/lieux/nouveau", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def new_lieu_page(me):
    return _lieu_page(me, None, {"cle": setup.new_form_key()})


@agent_setup.route(f"{ROOT}/lieux", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def create_lieu(me):
    data = _data()
    try:
        lieu = setup.save_lieu(
            context.store(), me.organisation.id, _lieu_form(data), key=data.get("cle", "")
        )
    except FieldErrors as error:
        return _lieu_page(me, None, data, error)
    return _done(me, "lieux", "cree", lieu.id)


@agent_setup.route(f"{ROOT}/lieux/{{lieu_id}}", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def lieu_page(me, lieu_id):
    lieu = setup.get_lieu(context.store(), me.organisation.id, lieu_id)
    return _lieu_page(me, lieu, _lieu_values(lieu))


@agent_setup.route(f"{ROOT}/lieux/{{lieu_id}}", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def update_lieu(me, lieu_id):
    store = context.store()
    lieu = setup.get_lieu(store, me.organisation.id, lieu_id)
    data = _data()
    try:
        setup.save_lieu(store, me.organisation.id, _lieu_form(data), lieu_id=lieu.id)
    except FieldErrors as error:
        return _lieu_page(me, lieu, data, error)
    return _done(me, "lieux", "modifie", lieu.id)


@agent_setup.route(f"{ROOT}/lieux/{{lieu_id}}/archiver", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def archive_lieu(me, lieu_id):
    setup.archive_lieu(context.store(), me.organisation.id, lieu_id, context.now())
    return _done(me, "lieux", "archive", lieu_id)


@agent_setup.route(f"{ROOT}/lieux/{{lieu_id}}/restaurer", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def restore_lieu(me, lieu_id):
    setup.restore_lieu(context.store(), me.organisation.id, lieu_id)
    return _done(me, "lieux", "restaure", lieu_id)


# --- motifs -------------------------------------------------------------------------------


def _delay(data: dict[str, str], name: str) -> setup.Delay:
    return setup.Delay(data.get(name, ""), data.get(f"{name}_unite", "heures"))


def _motif_form(data: dict[str, str]) -> setup.MotifForm:
    return setup.MotifForm(
        name=data.get("nom", ""),
        service_id=data.get("service", ""),
        duration=data.get("duree", ""),
        location_type=data.get("lieu_type", ""),
        bookable_online=data.get("en_ligne", "") in ("oui", "on"),
        min_delay=_delay(data, "delai_min"),
        max_delay=_delay(data, "delai_max"),
        cancellation=_delay(data, "annulation"),
        reminders=tuple(_delay(data, f"rappel_{n}") for n in range(1, setup.REMINDERS + 1)),
        instructions=data.get("consignes", ""),
        colour=data.get("couleur", ""),
    )


def _delay_values(name: str, minutes: int | None) -> dict[str, str]:
    delay = setup.Delay.of_minutes(minutes)
    return {name: delay.amount, f"{name}_unite": delay.unit}


def _motif_values(motif) -> dict[str, str]:
    values = {
        "nom": motif.name,
        "service": motif.service_id,
        "duree": str(motif.duration_minutes),
        "lieu_type": motif.location_type.value,
        "en_ligne": "oui" if motif.bookable_online else "",
        "consignes": motif.instructions,
        "couleur": motif.color,
        **_delay_values("delai_min", motif.min_booking_delay_minutes),
        **_delay_values("delai_max", motif.max_booking_delay_minutes),
        **_delay_values("annulation", motif.cancellation_deadline_minutes),
    }
    offsets = list(motif.reminder_offsets_minutes) + [None] * setup.REMINDERS
    for number, offset in enumerate(offsets[: setup.REMINDERS], start=1):
        values.update(_delay_values(f"rappel_{number}", offset))
    return values


NEW_MOTIF = {
    "duree": "30",
    "lieu_type": LocationType.PUBLIC_OFFICE.value,
    "en_ligne": "oui",
    "couleur": MOTIF_COLOURS[0][0],
    **_delay_values("delai_min", 60),
    **_delay_values("delai_max", 60 * 24 * 60),
    **_delay_values("annulation", 24 * 60),
    **_delay_values("rappel_1", 2 * 24 * 60),
    **_delay_values("rappel_2", 24 * 60),
    **_delay_values("rappel_3", None),
}


def _motif_page(me, motif, values, error: FieldErrors | None = None):
    colours = list(MOTIF_COLOURS)
    current = (values.get("couleur") or "").strip().lower()
    if current and current not in dict(colours) and is_accessible(current):
        colours.append((current, "Couleur actuelle"))
    return _page(
        "agent/setup_motif.html",
        me,
        status_code=error.status_code if error else 200,
        motif=motif,
        usage=(
            setup.motif_usage(context.store(), me.organisation.id, motif, context.now())
            if motif
            else None
        ),
        values=values,
        errors=error.errors if error else {},
        error_message=error.message if error else None,
        services=setup.services_of(context.store(), me.organisation),
        location_labels=LOCATION_LABELS,
        colours=colours,
        reminders=range(1, setup.REMINDERS + 1),
    )


@agent_setup.route(f"{ROOT}/motifs", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def motifs_page(me):
    store = context.store()
    open_motifs, archived = setup.motifs(store, me.organisation.id)
    return _page(
        "agent/setup_motifs.html",
        me,
        motifs=open_motifs,
        archived=archived,
        services={s.id: s for s in setup.services_of(store, me.organisation)},
        location_labels=LOCATION_LABELS,
        delay_text=setup.delay_text,
    )


@agent_setup.route(f"{ROOT}/motifs/nouveau", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def new_motif_page(me):
    return _motif_page(me, None, {**NEW_MOTIF, "cle": setup.new_form_key()})


@agent_setup.route(f"{ROOT}/motifs", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def create_motif(me):
    data = _data()
    try:
        motif = setup.save_motif(
            context.store(), me.organisation, _motif_form(data), key=data.get("cle", "")
        )
    except FieldErrors as error:
        return _motif_page(me, None, data, error)
    return _done(me, "motifs", "cree", motif.id)


@agent_setup.route(f"{ROOT}/motifs/{{motif_id}}", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def motif_page(me, motif_id):
    motif = setup.get_motif(context.store(), me.organisation.id, motif_id)
    return _motif_page(me, motif, _motif_values(motif))


@agent_setup.route(f"{ROOT}/motifs/{{motif_id}}", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def update_motif(me, motif_id):
    store = context.store()
    motif = setup.get_motif(store, me.organisation.id, motif_id)
    data = _data()
    try:
        setup.save_motif(store, me.organisation, _motif_form(data), motif_id=motif.id)
    except FieldErrors as error:
        return _motif_page(me, motif, data, error)
    return _done(me, "motifs", "modifie", motif.id)


@agent_setup.route(f"{ROOT}/motifs/{{motif_id}}/archiver", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def archive_motif(me, motif_id):
    setup.archive_motif(context.store(), me.organisation.id, motif_id, context.now())
    return _done(me, "motifs", "archive", motif_id)


@agent_setup.route(f"{ROOT}/motifs/{{motif_id}}/restaurer", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def restore_motif(me, motif_id):
    setup.restore_motif(context.store(), me.organisation.id, motif_id)
    return _done(me, "motifs", "restaure", motif_id)


# --- agents -------------------------------------------------------------------------------


@agent_setup.route(f"{ROOT}/agents", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def agents_page(me):
    return _page(
        "agent/setup_agents.html",
        me,
        members=setup.members(context.store(), me.organisation.id),
        role_labels=setup.ROLE_LABELS,
    )


def _invite_page(me, values, error: FieldErrors | None = None):
    return _page(
        "agent/setup_agent_nouveau.html",
        me,
        status_code=error.status_code if error else 200,
        values=values,
        errors=error.errors if error else {},
        error_message=error.message if error else None,
        role_labels=setup.ROLE_LABELS,
    )


@agent_setup.route(f"{ROOT}/agents/nouveau", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def invite_page(me):
    return _invite_page(me, {"role": Role.AGENT.value})


@agent_setup.route(f"{ROOT}/agents", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def invite(me):
    data = _data()
    try:
        agent, invited = setup.invite(
            context.store(),
            me,
            data.get("email", ""),
            data.get("prenom", ""),
            data.get("nom", ""),
            data.get("role", ""),
            context.now(),
        )
    except FieldErrors as error:
        return _invite_page(me, data, error)
    return _done(me, "agents", "invite" if invited else "ajoute", agent.id)


def _agent_page(me, agent_id, error: DomainError | None = None, values=None):
    store = context.store()
    shown = setup.member(store, me.organisation.id, agent_id)
    rdvs = setup.future_rdvs(store, me.organisation.id, agent_id, context.now())
    motifs = {m.id: m for m in store.catalogue.motifs_of_organisation(me.organisation.id)}
    errors = error.errors if isinstance(error, FieldErrors) else {}
    return _page(
        "agent/setup_agent.html",
        me,
        status_code=error.status_code if error else 200,
        member=shown,
        values=values or {"role": shown.role.value},
        errors=errors,
        error_message=error.message if error else None,
        role_labels=setup.ROLE_LABELS,
        rdvs=rdvs,
        motifs=motifs,
        is_me=shown.agent.id == me.agent.id,
    )


@agent_setup.route(f"{ROOT}/agents/{{agent_id}}", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def agent_page(me, agent_id):
    return _agent_page(me, agent_id)


@agent_setup.route(f"{ROOT}/agents/{{agent_id}}", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def change_role(me, agent_id):
    data = _data()
    try:
        changed = setup.change_role(context.store(), me, agent_id, data.get("role", ""))
    except (FieldErrors, setup.LastAdmin) as error:
        return _agent_page(me, agent_id, error, data)
    answer = _done(me, "agents", "role", agent_id)
    if changed.agent.id == me.agent.id and changed.role is not Role.ADMIN:
        return redirect("/agents")  # no longer an admin: the setup pages are closed
    return answer


@agent_setup.route(f"{ROOT}/agents/{{agent_id}}/inviter", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def invite_again(me, agent_id):
    try:
        setup.invite_again(context.store(), me, agent_id, context.now())
    except setup.AlreadyActive as error:
        return _agent_page(me, agent_id, error)
    return _done(me, "agents", "reinvite", agent_id)


@agent_setup.route(f"{ROOT}/agents/{{agent_id}}/retirer", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def remove_agent(me, agent_id):
    try:
        setup.remove(context.store(), me, agent_id, context.now())
    except (setup.LastAdmin, setup.StillBooked) as error:
        return _agent_page(me, agent_id, error)
    return _done(me, "agents", "retire", agent_id)


# --- sectors ------------------------------------------------------------------------------


def _sectors_page(me, values, error: FieldErrors | None = None):
    return _page(
        "agent/setup_secteurs.html",
        me,
        status_code=error.status_code if error else 200,
        values=values,
        errors=error.errors if error else {},
        error_message=error.message if error else None,
    )


@agent_setup.route(f"{ROOT}/secteurs", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def sectors_page(me):
    organisation = context.store().catalogue.get_organisation(me.organisation.id, fresh=True)
    values = {
        "codes_postaux": " ".join(organisation.postal_codes),
        "communes": "\n".join(organisation.communes),
    }
    return _sectors_page(me, values)


@agent_setup.route(f"{ROOT}/secteurs", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def save_sectors(me):
    data = _data()
    try:
        setup.save_sectors(
            context.store(),
            me.organisation.id,
            data.get("codes_postaux", ""),
            data.get("communes", ""),
        )
    except FieldErrors as error:
        return _sectors_page(me, data, error)
    return _done(me, "secteurs", "secteurs", me.organisation.id)


# --- the waiting list's limits -------------------------------------------------------------


def _rules_values(rules) -> dict[str, str]:
    return {
        "silence_debut": rules.quiet_from.strftime("%H:%M"),
        "silence_fin": rules.quiet_until.strftime("%H:%M"),
        "offres_par_creneau": str(rules.offers_per_slot),
        "delai_jours": str(rules.min_notice_days),
        "offres_par_jour": str(rules.offers_per_person_per_day),
    }


def _waiting_list_page(me, values=None, error: FieldErrors | None = None):
    current = setup.waiting_list_setup(context.store(), me.organisation.id)
    return _page(
        "agent/setup_liste_attente.html",
        me,
        status_code=error.status_code if error else 200,
        values=values or _rules_values(current.rules),
        defaults=_rules_values(current.defaults),
        own=current.own,
        errors=error.errors if error else {},
        error_message=error.message if error else None,
    )


@agent_setup.route(f"{ROOT}/liste-attente", methods=["GET"])
@html_errors
@signed_in(agent_setup, admin=True)
def waiting_list_page(me):
    return _waiting_list_page(me)


@agent_setup.route(f"{ROOT}/liste-attente", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def save_waiting_list(me):
    data = _data()
    form = setup.WaitingListForm(
        quiet_from=data.get("silence_debut", ""),
        quiet_until=data.get("silence_fin", ""),
        offers_per_slot=data.get("offres_par_creneau", ""),
        min_notice_days=data.get("delai_jours", ""),
        offers_per_person_per_day=data.get("offres_par_jour", ""),
    )
    try:
        setup.save_waiting_list_rules(context.store(), me.organisation.id, form)
    except FieldErrors as error:
        return _waiting_list_page(me, data, error)
    return _done(me, "liste-attente", "liste", me.organisation.id)


@agent_setup.route(f"{ROOT}/liste-attente/par-defaut", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_setup, admin=True)
def reset_waiting_list(me):
    setup.reset_waiting_list_rules(context.store(), me.organisation.id)
    return _done(me, "liste-attente", "defaut", me.organisation.id)
