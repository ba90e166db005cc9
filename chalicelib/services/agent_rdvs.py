"""An agent's work on one rdv: its page (usagers, contact, history, receipts), its
status changes, rescheduling (« reporter ») to a free slot or a forced time, and
resending its confirmation.

Every read and write is scoped by the agent's organisation: a rdv of another
organisation is not found (404), whatever id the browser sends. Every change is one
attempt on the one write path (`write_path`), made `by` the agent: the counters, the
reminders and the usager's notification follow from it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from chalicelib.domain.changes import BY_USAGER, move, set_status
from chalicelib.domain.errors import Busy, DomainError, NotFound
from chalicelib.domain.models import (
    Agent,
    BookingChannel,
    Channel,
    CreatedBy,
    Lieu,
    LocationType,
    Motif,
    NotificationEvent,
    NotificationReceipt,
    Organisation,
    Rdv,
    RdvContact,
    RdvStatus,
    ReceiptOutcome,
    Service,
    Usager,
)
from chalicelib.domain.slots import Slot
from chalicelib.services.availability import WeekOfSlots, slot_at, tz_of, week_of_slots
from chalicelib.services.rate_limits import count_resend
from chalicelib.services.views import contact_of
from chalicelib.services.write_path import Committed, Proposal, propose, write
from chalicelib.store import Store

NOT_FOUND = "Ce rendez-vous n’existe pas ou n’est pas un rendez-vous de votre organisation."
BUSY = "Le rendez-vous n’a pas pu être modifié. Réessayez dans un instant."

# What each status is called on the dashboard (`unknown`: see `status_label`).
STATUS_LABELS = {
    RdvStatus.SEEN: "Vu",
    RdvStatus.NOSHOW: "Absent (non excusé)",
    RdvStatus.EXCUSED: "Annulé à la demande de l’usager (excusé)",
    RdvStatus.REVOKED: "Annulé par la MDS",
}
BOOKED_VIA = {
    BookingChannel.ONLINE: "en ligne, par l’usager",
    BookingChannel.PHONE: "au téléphone",
    BookingChannel.DESK: "à l’accueil",
}
# How receipts name events: (name, feminine).
EVENT_NAMES = {
    NotificationEvent.RDV_CREATED: ("Confirmation", True),
    NotificationEvent.RDV_DATE_UPDATED: ("Changement d’horaire", False),
    NotificationEvent.RDV_CANCELLED: ("Annulation", True),
    NotificationEvent.RDV_REVOKED: ("Annulation par la MDS", True),
    NotificationEvent.RDV_UPCOMING_REMINDER: ("Rappel", False),
    NotificationEvent.WAITING_LIST_OFFER: ("Proposition d’un créneau plus tôt", True),
}
CHANNEL_NAMES = {Channel.SMS: "SMS", Channel.EMAIL: "e-mail"}


class Refused(DomainError):
    """A change the agent cannot make as asked; the message says why and what to do."""

    status_code = 409


def status_label(rdv: Rdv, now: datetime) -> str:
    if rdv.status is RdvStatus.UNKNOWN:
        return "À venir" if now < rdv.starts_at else "À renseigner"
    return STATUS_LABELS[rdv.status]


# --- the rdv page -------------------------------------------------------------------------


@dataclass(frozen=True)
class UsagerLine:
    usager: Usager
    responsable: Usager | None  # who holds the contact details of a child


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # "created", "moved", "status"
    by: str  # « l’usager », an agent's name, or « — » when not recorded
    status: RdvStatus | None = None
    status_label: str = ""
    from_starts_at: datetime | None = None  # a move: from when…
    to_starts_at: datetime | None = None  # …to when
    channel: str = ""  # a creation: how it was booked
    waiting_list: bool = False  # a move: an earlier slot accepted from the waiting list


@dataclass(frozen=True)
class ReceiptLine:
    at: datetime
    text: str  # « Confirmation SMS envoyée le 3/12 à 9h02 »
    recipient: str
    outcome: ReceiptOutcome
    agent: str = ""  # the agent's name when it went to an agent (an online booking)


@dataclass(frozen=True)
class StatusAction:
    status: RdvStatus
    label: str  # the button's text
    hint: str = ""


@dataclass(frozen=True)
class RdvPage:
    rdv: Rdv
    motif: Motif
    service: Service | None
    organisation: Organisation
    lieu: Lieu | None
    agent: Agent | None
    usagers: list[UsagerLine]
    contact: RdvContact | None
    contact_holder: Usager | None
    status_label: str
    started: bool
    booked_via: str
    booked_by: str  # « l’usager » or the agent's name
    history: list[HistoryEntry]
    receipts: list[ReceiptLine]
    actions: list[StatusAction]
    can_reschedule: bool
    can_resend: bool
    resend_hint: str

    @property
    def where(self) -> str:
        if self.motif.location_type is LocationType.PHONE:
            return "Par téléphone"
        if self.motif.location_type is LocationType.HOME:
            return "À domicile"
        return f"{self.lieu.name}, {self.lieu.address}" if self.lieu else self.organisation.name


def rdv_page(store: Store, organisation_id: str, rdv_id: str, now: datetime) -> RdvPage:
    rdv = _rdv_of(store, organisation_id, rdv_id)
    motif, organisation = _motif_of(store, rdv)
    names = _AgentNames(store)
    usagers = []
    for usager in store.usagers.get_many(list(rdv.usager_ids)):
        if usager.organisation_id != organisation_id:
            continue
        responsable = store.usagers.get(usager.responsable_id) if usager.responsable_id else None
        if responsable is not None and responsable.organisation_id != organisation_id:
            responsable = None
        usagers.append(UsagerLine(usager, responsable))
    order = {u: i for i, u in enumerate(rdv.usager_ids)}
    usagers.sort(key=lambda line: order.get(line.usager.id, 0))
    holder = next((line.responsable for line in usagers if line.responsable), None)
    if holder is None and usagers:
        holder = usagers[0].usager
    started = now >= rdv.starts_at
    can_resend, resend_hint = _resend_possible(rdv, contact_of(store, rdv), now)
    return RdvPage(
        rdv=rdv,
        motif=motif,
        service=store.catalogue.get_service(rdv.service_id),
        organisation=organisation,
        lieu=store.catalogue.get_lieu(rdv.lieu_id) if rdv.lieu_id else None,
        agent=names.agent(rdv.agent_id),
        usagers=usagers,
        contact=contact_of(store, rdv),
        contact_holder=holder,
        status_label=status_label(rdv, now),
        started=started,
        booked_via=BOOKED_VIA.get(rdv.booked_via, ""),
        booked_by=_creator(rdv, names),
        history=_history(rdv, names),
        receipts=_receipts(store, rdv, names),
        actions=_actions(rdv, started),
        can_reschedule=rdv.status is RdvStatus.UNKNOWN,
        can_resend=can_resend,
        resend_hint=resend_hint,
    )


class _AgentNames:
    """Agents named in a page, each read once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.known: dict[str, Agent | None] = {}

    def agent(self, agent_id: str | None) -> Agent | None:
        if not agent_id:
            return None
        if agent_id not in self.known:
            self.known[agent_id] = self.store.agents.get(agent_id)
        return self.known[agent_id]

    def by(self, who: str | None) -> str:
        if who == BY_USAGER:
            return "l’usager"
        agent = self.agent(who)
        return agent.full_name if agent else "—"


def _creator(rdv: Rdv, names: _AgentNames) -> str:
    if rdv.created_by is CreatedBy.USAGER:
        return "l’usager"
    return names.by(rdv.created_by_agent_id)


def _history(rdv: Rdv, names: _AgentNames) -> list[HistoryEntry]:
    channel = BOOKED_VIA.get(rdv.booked_via, "")
    entries = [HistoryEntry(rdv.created_at, "created", _creator(rdv, names), channel=channel)]
    for index, moved in enumerate(rdv.moves):
        later = rdv.moves[index + 1].from_starts_at if index + 1 < len(rdv.moves) else None
        entries.append(
            HistoryEntry(
                moved.at,
                "moved",
                names.by(moved.by),
                from_starts_at=moved.from_starts_at,
                to_starts_at=later or rdv.starts_at,
                waiting_list=moved.waiting_list,
            )
        )
    for change in rdv.status_history:
        label = (
            "À venir / à renseigner"
            if change.status is RdvStatus.UNKNOWN
            else STATUS_LABELS[change.status]
        )
        entries.append(
            HistoryEntry(
                change.at, "status", names.by(change.by), status=change.status, status_label=label
            )
        )
    return sorted(entries, key=lambda e: e.at)


def _receipts(store: Store, rdv: Rdv, names: _AgentNames) -> list[ReceiptLine]:
    """The rdv's receipts; those of e-mails to its agent (told of what the usager did
    online) are named so: they are no messages to the usager."""
    names.agent(rdv.agent_id)  # the agents named on the page are known by now
    agents = {a.email.lower(): a.full_name for a in names.known.values() if a is not None}
    tz = tz_of(store)
    lines = []
    for receipt in store.receipts.of_rdv(rdv.id):
        line = receipt_line(receipt, tz)
        agent = agents.get(receipt.recipient.lower()) if receipt.channel is Channel.EMAIL else None
        lines.append(replace(line, agent=agent) if agent else line)
    return lines


def _short(at: datetime, tz) -> str:
    local = at.astimezone(tz)
    return f"{local.day}/{local.month} à {local.hour}h{local.minute:02d}"


def receipt_line(receipt: NotificationReceipt, tz) -> ReceiptLine:
    """A receipt as agents read it: « Confirmation SMS envoyée le 3/12 à 9h02 »,
    « Rappel e-mail : échec le 2/12 à 9h00 », « Confirmation SMS non envoyée
    (désinscrit) »."""
    name, feminine = EVENT_NAMES.get(receipt.event, (receipt.event.value, False))
    extra = receipt.send_key.rsplit("#", 1)[-1] if "#" in receipt.send_key else ""
    if receipt.event is NotificationEvent.RDV_CREATED and extra.startswith("resend-"):
        name = "Confirmation renvoyée"
    elif receipt.event is NotificationEvent.RDV_CREATED and extra.startswith("restored-"):
        name = "Confirmation (rendez-vous rétabli)"
    e = "e" if feminine else ""
    what = f"{name} {CHANNEL_NAMES[receipt.channel]}"
    when = _short(receipt.at, tz)
    outcome = receipt.outcome
    if outcome is ReceiptOutcome.SENT:
        text = f"{what} envoyé{e} le {when}"
    elif outcome is ReceiptOutcome.FAILED:
        text = f"{what} : échec le {when}"
    elif outcome is ReceiptOutcome.RETRY:
        text = f"{what} : échec le {when}, nouvel essai prévu"
    elif outcome is ReceiptOutcome.SKIPPED:
        reason = "désinscrit" if receipt.channel is Channel.SMS else "adresse invalide"
        text = f"{what} non envoyé{e} ({reason})"
    else:
        text = f"{what} en cours d’envoi ({when})"
    return ReceiptLine(receipt.at, text, receipt.recipient, outcome)


def _actions(rdv: Rdv, started: bool) -> list[StatusAction]:
    """The status changes the page offers (the service checks them again on POST)."""
    actions = []
    if rdv.status is not RdvStatus.UNKNOWN:
        actions.append(
            StatusAction(
                RdvStatus.UNKNOWN,
                "Remettre à venir / à renseigner",
                "Pour corriger une erreur. Un rendez-vous annulé reprend son horaire s’il est "
                "encore libre, et l’usager en est prévenu.",
            )
        )
    if started:
        actions += [
            StatusAction(RdvStatus.SEEN, "Vu"),
            StatusAction(RdvStatus.NOSHOW, "Absent (non excusé)"),
        ]
    actions.append(
        StatusAction(
            RdvStatus.EXCUSED,
            "Annuler à la demande de l’usager (excusé)",
            "L’usager reçoit la confirmation de l’annulation.",
        )
    )
    if not started:
        actions.append(
            StatusAction(
                RdvStatus.REVOKED,
                "Annuler par la MDS",
                "L’usager est prévenu par SMS ou e-mail, avec le numéro de la MDS.",
            )
        )
    return [a for a in actions if a.status is not rdv.status]


# --- status changes -----------------------------------------------------------------------


def set_status_by_agent(
    store: Store,
    organisation_id: str,
    rdv_id: str,
    status: RdvStatus,
    agent_id: str,
    now: datetime,
) -> Rdv:
    """Mark the rdv (seen, noshow, excused, revoked) or put it back to `unknown`, on the
    write path. Seen and noshow only once it has started, revoked only before; a
    cancelled rdv put back (or marked) takes its time again only if it is still free.
    Asking for the status it already has changes nothing (a double click)."""
    read = _rdv_of(store, organisation_id, rdv_id)

    def attempt(number: int) -> Proposal | Rdv | None:
        rdv = read if number == 0 else _rdv_of(store, organisation_id, rdv_id)
        if rdv.status is status:
            return rdv
        started = now >= rdv.starts_at
        if status in (RdvStatus.SEEN, RdvStatus.NOSHOW) and not started:
            raise Refused(
                "Ce rendez-vous n’a pas encore commencé : il ne peut être marqué vu ou absent "
                "qu’à partir de son heure de début."
            )
        if status is RdvStatus.REVOKED and started:
            raise Refused(
                "Ce rendez-vous a déjà commencé : il ne peut plus être annulé par la MDS. "
                "Marquez-le vu, absent ou excusé."
            )
        motif, _ = _motif_of(store, rdv)
        change = set_status(rdv, status, now, by=agent_id)
        return propose(store, change, motif.reminder_offsets_minutes)

    outcome = write(store, attempt, _busy)
    if outcome is None:
        raise Refused(
            "L’horaire de ce rendez-vous a été repris par un autre rendez-vous : il ne peut "
            "pas être rétabli. Prenez un nouveau rendez-vous pour l’usager."
        )
    return outcome.rdv if isinstance(outcome, Committed) else outcome


# --- resending the confirmation ----------------------------------------------------------


def _resend_possible(rdv: Rdv, contact: RdvContact | None, now: datetime) -> tuple[bool, str]:
    if rdv.status is not RdvStatus.UNKNOWN or now >= rdv.starts_at:
        return False, "Seul un rendez-vous à venir et non annulé peut être confirmé à nouveau."
    if contact is None or not _reachable(contact):
        return False, "L’usager n’a ni numéro de portable ni adresse e-mail où le prévenir."
    return True, ""


def _reachable(contact: RdvContact) -> bool:
    sms = bool(contact.phone) and contact.notify_sms
    email = bool(contact.email) and contact.notify_email and not contact.email_invalid
    return sms or email


def resend_confirmation(
    store: Store, organisation_id: str, rdv_id: str, agent_id: str, now: datetime
) -> int:
    """Queue the rdv's confirmation again (SMS and e-mail, as at its booking), counted
    per rdv and per phone or e-mail a day (`rate_limits.count_resend`). Returns the
    number of this resend today; each is its own send for the receipts."""
    # Loaded here: the e-mail and SMS modules are not needed by a page.
    from chalicelib.services import notifications

    rdv = _rdv_of(store, organisation_id, rdv_id)
    contact = contact_of(store, rdv)
    possible, why = _resend_possible(rdv, contact, now)
    if not possible:
        raise Refused(why)
    assert contact is not None
    phone = contact.phone if contact.notify_sms else None
    email = contact.email if contact.notify_email and not contact.email_invalid else None
    nth = count_resend(store, rdv.id, phone, email, now)
    day = now.astimezone(tz_of(store)).date().isoformat()
    notifications.announce(
        store, rdv, NotificationEvent.RDV_CREATED, extra=f"resend-{day}-{nth}", by=agent_id
    )
    return nth


# --- rescheduling (« reporter ») ----------------------------------------------------------


@dataclass(frozen=True)
class ReschedulePage:
    rdv: Rdv
    motif: Motif
    lieu: Lieu | None
    organisation: Organisation
    week: WeekOfSlots  # the motif's free slots (of the chosen agent, if one is)
    agents: list[Agent]  # the organisation's agents (filter, forced time)
    agent_filter: Agent | None
    names: dict[str, str]  # agent id → name, for the slots

    def free_agents(self, slot: Slot) -> str:
        return ", ".join(self.names.get(a, a) for a in slot.agent_ids)


def reschedule_page(
    store: Store,
    organisation_id: str,
    rdv_id: str,
    wanted: date | None,
    agent_id: str | None,
    now: datetime,
) -> ReschedulePage:
    """A week of the motif's free slots at the rdv's lieu, the same as online; the
    rdv's own time counts as free (it is shown as its current time)."""
    rdv = _rdv_of(store, organisation_id, rdv_id)
    _reschedulable(rdv)
    motif, organisation = _motif_of(store, rdv)
    lieu = store.catalogue.get_lieu(rdv.lieu_id) if rdv.lieu_id else None
    agents = store.agents.agents_of_organisation(organisation_id)
    chosen = next((a for a in agents if a.id == agent_id), None) if agent_id else None
    week = week_of_slots(store, motif, lieu, wanted, now, ignore_rdv_id=rdv.id)
    if chosen is not None:
        days = [
            (day, [replace(s, agent_ids=(chosen.id,)) for s in slots if chosen.id in s.agent_ids])
            for day, slots in week.days
        ]
        # The next free slot was looked for among every agent's: not said for one.
        week = replace(week, days=days, next_available=None)
    return ReschedulePage(
        rdv=rdv,
        motif=motif,
        lieu=lieu,
        organisation=organisation,
        week=week,
        agents=agents,
        agent_filter=chosen,
        names={a.id: a.full_name for a in agents},
    )


@dataclass(frozen=True)
class Conflict:
    """What a forced time would overlap: another rdv of the agent."""

    starts_at: datetime
    ends_at: datetime
    motif_name: str


@dataclass(frozen=True)
class NeedsConfirmation:
    """A forced time that is no free slot: the agent must confirm it explicitly."""

    rdv: Rdv
    starts_at: datetime
    agent: Agent
    conflicts: list[Conflict]  # other rdvs of the agent it overlaps (else: no plage then)


def forced_start(store: Store, day: date, at: time) -> datetime:
    """A day and a wall-clock time typed by the agent, in the organisation's zone."""
    return datetime.combine(day, at, tzinfo=tz_of(store))


def reschedule_to_slot(
    store: Store,
    organisation_id: str,
    rdv_id: str,
    starts_at: datetime,
    agent_id: str | None,
    by: str,
    now: datetime,
) -> Rdv:
    """Move the rdv to a free slot of its motif: with `agent_id` (the page's filter) to
    that agent, else its own agent when free then, or another free one. Refused when
    the slot was taken meanwhile."""
    read = _rdv_of(store, organisation_id, rdv_id)
    _reschedulable(read)
    lieu = store.catalogue.get_lieu(read.lieu_id) if read.lieu_id else None

    def attempt(number: int) -> Proposal | Rdv | None:
        rdv = read if number == 0 else _rdv_of(store, organisation_id, rdv_id)
        _reschedulable(rdv)
        motif, _ = _motif_of(store, rdv)
        if rdv.starts_at == starts_at and agent_id in (None, rdv.agent_id):
            return rdv  # already there (a double click)
        slot = slot_at(store, motif, lieu, starts_at, now, ignore_rdv_id=rdv.id)
        free = list(slot.agent_ids) if slot else []
        if agent_id is not None:
            free = [a for a in free if a == agent_id]
        for free_agent in sorted(free, key=lambda a: a != rdv.agent_id):  # its agent first
            proposal = propose(
                store, move(rdv, starts_at, free_agent, now, by=by), motif.reminder_offsets_minutes
            )
            if proposal is not None:
                return proposal
        return None

    outcome = write(store, attempt, _busy)
    if outcome is None:
        raise Refused("Ce créneau n’est plus libre. Choisissez-en un autre.")
    return outcome.rdv if isinstance(outcome, Committed) else outcome


def reschedule_at(
    store: Store,
    organisation_id: str,
    rdv_id: str,
    starts_at: datetime,
    agent_id: str,
    by: str,
    now: datetime,
    confirmed: bool = False,
) -> Rdv | NeedsConfirmation:
    """Move the rdv to a time the agent typed, with an agent of the organisation. A
    free slot of the motif is taken as any slot; any other time (outside the plages,
    during an absence, over another rdv) needs the agent's explicit confirmation, and
    is then forced: the agent-day still records it, so the usagers' side never offers
    it."""
    read = _rdv_of(store, organisation_id, rdv_id)
    _reschedulable(read)
    agent = next(
        (a for a in store.agents.agents_of_organisation(organisation_id) if a.id == agent_id),
        None,
    )
    if agent is None:
        raise NotFound("Cet agent ne fait pas partie de votre organisation.")
    if starts_at <= now:
        raise Refused("Choisissez une date et une heure à venir.")
    lieu = store.catalogue.get_lieu(read.lieu_id) if read.lieu_id else None

    def attempt(number: int) -> Proposal | Rdv | NeedsConfirmation | None:
        rdv = read if number == 0 else _rdv_of(store, organisation_id, rdv_id)
        _reschedulable(rdv)
        motif, _ = _motif_of(store, rdv)
        if (rdv.starts_at, rdv.agent_id) == (starts_at, agent.id):
            return rdv  # already there
        change = move(rdv, starts_at, agent.id, now, by=by)
        if confirmed:
            return propose(store, change, motif.reminder_offsets_minutes, force=True)
        slot = slot_at(store, motif, lieu, starts_at, now, ignore_rdv_id=rdv.id)
        if slot is not None and agent.id in slot.agent_ids:
            proposal = propose(store, change, motif.reminder_offsets_minutes)
            if proposal is not None:
                return proposal
        return _needs_confirmation(store, rdv, motif, starts_at, agent)

    outcome = write(store, attempt, _busy)
    if isinstance(outcome, Committed):
        return outcome.rdv
    assert outcome is not None  # a forced proposal always fits
    return outcome


def _needs_confirmation(
    store: Store, rdv: Rdv, motif: Motif, starts_at: datetime, agent: Agent
) -> NeedsConfirmation:
    ends_at = starts_at + motif.duration
    overlapping = [
        other
        for other in store.rdvs.of_agent(agent.id, starts_at, ends_at)
        if other.id != rdv.id and other.status.blocks_time
    ]
    motifs = {m.id: m.name for m in store.catalogue.motifs_of_organisation(rdv.organisation_id)}
    conflicts = [Conflict(o.starts_at, o.ends_at, motifs.get(o.motif_id, "")) for o in overlapping]
    return NeedsConfirmation(rdv=rdv, starts_at=starts_at, agent=agent, conflicts=conflicts)


# --- shared ---------------------------------------------------------------------------------


def _rdv_of(store: Store, organisation_id: str, rdv_id: str) -> Rdv:
    """The rdv, only if it is one of the agent's organisation."""
    rdv = store.rdvs.get(rdv_id) if rdv_id and len(rdv_id) <= 100 else None
    if rdv is None or rdv.organisation_id != organisation_id:
        raise NotFound(NOT_FOUND)
    return rdv


def _motif_of(store: Store, rdv: Rdv) -> tuple[Motif, Organisation]:
    motif = store.catalogue.get_motif(rdv.motif_id)
    organisation = store.catalogue.get_organisation(rdv.organisation_id)
    if motif is None or organisation is None:
        raise NotFound(NOT_FOUND)
    return motif, organisation


def _reschedulable(rdv: Rdv) -> None:
    if rdv.status is not RdvStatus.UNKNOWN:
        raise Refused(
            "Ce rendez-vous est annulé ou déjà renseigné : il ne peut pas être reporté. "
            "Remettez-le d’abord à venir, ou prenez un nouveau rendez-vous."
        )


def _busy() -> None:
    raise Busy(BUSY)
