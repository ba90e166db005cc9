"""Usagers on the dashboard: search (name or phone), create (a child with their
responsable), the record (contact, preferences, relatives, rdvs, no-shows) and the
correction of contact details. Everything within the agent's organisation."""

from __future__ import annotations

from urllib.parse import quote

from chalice import Blueprint

from chalicelib.domain.errors import FieldErrors
from chalicelib.services import context, usagers
from chalicelib.web.agents import redirect, render_agent, signed_in
from chalicelib.web.errors import html_errors
from chalicelib.web.params import form_data, parse_day, query

agent_usagers = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded", "multipart/form-data"]

STATUS_LABELS = {
    "unknown": "À venir / à renseigner",
    "seen": "Venu",
    "noshow": "Absent (lapin)",
    "excused": "Annulé par l’usager",
    "revoked": "Annulé par la MDS",
}
CHANNEL_LABELS = {"online": "en ligne", "phone": "par téléphone", "desk": "à l’accueil"}


def _request():
    return agent_usagers.current_request


def checked(data: dict[str, str], name: str) -> bool:
    return data.get(name, "").strip() in ("oui", "on", "1", "true")


def identity(data: dict[str, str], prefix: str = "") -> usagers.Identity:
    typed = data.get(prefix + "naissance", "").strip()
    return usagers.Identity(
        first_name=data.get(prefix + "prenom", ""),
        last_name=data.get(prefix + "nom", ""),
        birth_date=parse_day(typed) if typed else None,
        birth_date_typed=typed,
    )


def contact(data: dict[str, str]) -> usagers.ContactInput:
    return usagers.ContactInput(
        phone=data.get("telephone", ""),
        email=data.get("email", ""),
        notify_sms=checked(data, "sms"),
        notify_email=checked(data, "rappel_email"),
    )


def search_results(me, params) -> tuple[str, usagers.Search | None, dict[str, str]]:
    """The search of the `q` parameter (and its page `suite`), or its error."""
    text = query(params, "q")
    if not text:
        return text, None, {}
    try:
        found = usagers.search(
            context.store(), me.organisation.id, text, query(params, "suite") or None
        )
    except FieldErrors as error:
        return text, None, error.errors
    return text, found, {}


@agent_usagers.route("/agents/usagers", methods=["GET"])
@html_errors
@signed_in(agent_usagers)
def search_page(me):
    text, found, errors = search_results(me, _request().query_params)
    return render_agent(
        "agent/usagers.html",
        me,
        status_code=422 if errors else 200,
        section="usagers",
        q=text,
        found=found,
        errors=errors,
        phone_display=usagers.phone_display,
        next_url=lambda cursor: f"/agents/usagers?q={quote(text)}&suite={quote(cursor)}",
    )


def _new_page(me, values, errors=None, responsable=None, status_code=200, message=None):
    return render_agent(
        "agent/usager_nouveau.html",
        me,
        status_code=status_code,
        section="usagers",
        values=values,
        errors=errors or {},
        error_message=message,
        responsable=responsable,
        for_booking=values.get("pour") == "rdv",
    )


@agent_usagers.route("/agents/usagers/nouveau", methods=["GET"])
@html_errors
@signed_in(agent_usagers)
def new_page(me):
    params = _request().query_params or {}
    responsable_id = query(params, "responsable")
    responsable = (
        usagers.get_usager(context.store(), me.organisation.id, responsable_id)
        if responsable_id
        else None
    )
    values = {
        "cle": usagers.new_form_key(),
        "pour": "rdv" if query(params, "pour") == "rdv" else "",
    }
    if responsable is not None:
        values.update(responsable=responsable.id, nom=responsable.last_name)
    else:
        values.update(sms="oui", rappel_email="oui")
    return _new_page(me, values, responsable=responsable)


@agent_usagers.route("/agents/usagers", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_usagers)
def create(me):
    data = form_data(_request().raw_body)
    store = context.store()
    responsable_id = data.get("responsable", "").strip() or None
    with_child = not responsable_id and any(
        data.get(f"enfant_{name}", "").strip() for name in ("prenom", "nom", "naissance")
    )
    new = usagers.NewUsager(
        key=data.get("cle", ""),
        person=identity(data),
        contact=contact(data),
        child=identity(data, "enfant_") if with_child else None,
        responsable_id=responsable_id,
    )
    try:
        usager = usagers.create(store, me.organisation.id, new, context.now())
    except FieldErrors as error:
        responsable = (
            usagers.get_usager(store, me.organisation.id, responsable_id)
            if responsable_id
            else None
        )
        values = {**data, "cle": data.get("cle") or usagers.new_form_key()}
        return _new_page(me, values, error.errors, responsable, error.status_code, error.message)
    if data.get("pour") == "rdv":
        return redirect(f"/agents/prendre-rdv?usager={quote(usager.id)}")
    return redirect(f"/agents/usagers/{quote(usager.id)}?cree=1")


@agent_usagers.route("/agents/usagers/{usager_id}", methods=["GET"])
@html_errors
@signed_in(agent_usagers)
def record_page(me, usager_id):
    params = _request().query_params or {}
    shown = usagers.record(context.store(), me.organisation.id, usager_id, context.now())
    return render_agent(
        "agent/usager.html",
        me,
        section="usagers",
        record=shown,
        created=query(params, "cree") == "1",
        corrected=query(params, "modifie") == "1",
        rdvs_updated=query(params, "rdvs"),
        phone_display=usagers.phone_display,
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


def _edit_page(me, usager, values, errors=None, status_code=200, message=None):
    return render_agent(
        "agent/usager_modifier.html",
        me,
        status_code=status_code,
        section="usagers",
        usager=usager,
        values=values,
        errors=errors or {},
        error_message=message,
    )


@agent_usagers.route("/agents/usagers/{usager_id}/modifier", methods=["GET"])
@html_errors
@signed_in(agent_usagers)
def edit_page(me, usager_id):
    usager = usagers.get_usager(context.store(), me.organisation.id, usager_id)
    values = {
        "prenom": usager.first_name,
        "nom": usager.last_name,
        "naissance": usager.birth_date.strftime("%d/%m/%Y") if usager.birth_date else "",
        "telephone": usagers.phone_display(usager.phone),
        "email": usager.email or "",
        "sms": "oui" if usager.notify_sms else "",
        "rappel_email": "oui" if usager.notify_email else "",
    }
    return _edit_page(me, usager, values)


@agent_usagers.route("/agents/usagers/{usager_id}/modifier", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_usagers)
def correct(me, usager_id):
    store = context.store()
    usager = usagers.get_usager(store, me.organisation.id, usager_id)
    data = form_data(_request().raw_body)
    correction = usagers.Correction(
        identity=identity(data),
        contact=None if usager.responsable_id else contact(data),
    )
    try:
        corrected = usagers.correct(
            store, me.organisation.id, usager.id, correction, me.agent.id, context.now()
        )
    except FieldErrors as error:
        return _edit_page(me, usager, data, error.errors, error.status_code, error.message)
    return redirect(f"/agents/usagers/{quote(usager.id)}?modifie=1&rdvs={corrected.rdvs_updated}")
