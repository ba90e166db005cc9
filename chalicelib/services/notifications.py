"""Confirmations, changes, cancellations and reminders by SMS and e-mail.

The use cases hand a message per (rdv, event) to the SQS queue and return: a web
request never waits for SNS or SES. The queue's consumer (`deliver`) sends each
channel once: before calling SNS or SES it claims the (rdv, event, channel, recipient)
send with a conditional write, so a redelivered message, two overlapping sweeps or a
retried Lambda never send twice. Every send leaves a receipt agents can see.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.headerregistry import Address
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.models import (
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
    receipt_key,
)
from chalicelib.domain.policies import quiet_hours_end, usager_can_change
from chalicelib.domain.reminders import in_quiet_hours
from chalicelib.domain.sms import first_name_for_messages
from chalicelib.notify import messages, queue
from chalicelib.notify.email import EmailSender, build_message, email_address, mailbox
from chalicelib.notify.sms import SmsSender
from chalicelib.services.tokens import manage_token
from chalicelib.services.views import contact_of
from chalicelib.store import Store

log = logging.getLogger(__name__)

# Events an agent of the rdv hears about (when it was the usager's doing).
AGENT_EVENTS = {
    NotificationEvent.RDV_CREATED,
    NotificationEvent.RDV_DATE_UPDATED,
    NotificationEvent.RDV_CANCELLED,
}
CANCELLING_EVENTS = {NotificationEvent.RDV_CANCELLED, NotificationEvent.RDV_REVOKED}
# Events of the usager's own doing whose SMS are spaced out (see _sms_deferred).
COALESCED_EVENTS = {NotificationEvent.RDV_DATE_UPDATED, NotificationEvent.RDV_CANCELLED}
SMS_SPACING = timedelta(hours=1)
# A reminder found due later than this (the sweep was down) is not sent any more.
REMINDER_LATE = timedelta(hours=2)


# --- what the write path calls --------------------------------------------------------------


def message_for(
    rdv: Rdv, event: NotificationEvent, extra: str = "", by: str = "usager"
) -> dict[str, Any]:
    return {"rdv_id": rdv.id, "event": event.value, "extra": extra, "by": by}


def announce(
    store: Store, rdv: Rdv, event: NotificationEvent, extra: str = "", by: str = "usager"
) -> None:
    """Queue the notifications of an event. A queue failure is logged, not raised: the
    rdv is already written, and the usager sees the confirmation page anyway."""
    try:
        queue.enqueue(store.settings, [message_for(rdv, event, extra, by)])
    except Exception:
        log.exception("could not queue %s of rdv %s", event.value, rdv.id)


# --- the reminder sweep (EventBridge schedule) ----------------------------------------------


@dataclass
class SweepResult:
    queued: int
    finished: bool  # False when it stopped for lack of time; the next run goes on


def send_due_reminders(
    store: Store,
    now: datetime,
    time_left_ms: Callable[[], int],
    reserve_ms: int = 10_000,
    batch: int = 10,
) -> SweepResult:
    """Queue every reminder due by now, a page at a time, and take each out of the due
    index; stop while `reserve_ms` of the Lambda's time is left."""
    queued, pending = 0, []

    def flush() -> None:
        nonlocal queued
        if not pending:
            return
        queue.enqueue(
            store.settings,
            [
                {
                    "rdv_id": r.rdv_id,
                    "event": NotificationEvent.RDV_UPCOMING_REMINDER.value,
                    "extra": str(r.offset_minutes),
                    "due_at": r.due_at.isoformat(),
                }
                for r in pending
            ],
        )
        for reminder in pending:
            store.reminders.mark_handled(reminder)
        queued += len(pending)
        pending.clear()

    for reminder in store.reminders.due_before(now):
        if time_left_ms() < reserve_ms:
            flush()
            return SweepResult(queued, finished=False)
        pending.append(reminder)
        if len(pending) >= batch:
            flush()
    flush()
    return SweepResult(queued, finished=True)


# --- the queue's consumer (SQS) ----------------------------------------------------------------


@dataclass
class Senders:
    sms: SmsSender
    email: EmailSender

    @classmethod
    def from_store(cls, store: Store) -> Senders:
        return cls(SmsSender(store.settings), EmailSender(store.settings))


class DeliveryFailed(Exception):
    """A provider failed and another try is due: SQS delivers the message again."""


def deliver(
    store: Store, message: dict[str, Any], now: datetime, attempt: int, senders: Senders
) -> list[NotificationReceipt]:
    """Send what one queue message asks for, each channel at most once."""
    if message.get("kind") == "slot_freed":
        from chalicelib.services import waiting_list

        return waiting_list.offer_freed_slot(store, message, now, attempt, senders)
    rdv = store.rdvs.get(message["rdv_id"])
    event = NotificationEvent(message["event"])
    extra = str(message.get("extra", ""))
    if event is NotificationEvent.RDV_UPCOMING_REMINDER:
        # A rdv moved after its reminder went out is reminded again of its new time:
        # a reminder's send is told apart by its due time, not only by its offset.
        extra = f"{extra}@{message.get('due_at', '')}"
    if rdv is None or not _still_relevant(store, rdv, event, message):
        return []
    if event is NotificationEvent.RDV_UPCOMING_REMINDER and not _reminder_still_due(
        store, rdv, message, now
    ):
        return []
    context = _context(store, rdv, now)
    if context is None:
        return []
    facts, usager = context.facts, context.contact
    by = message.get("by", "usager" if rdv.created_by is CreatedBy.USAGER else "")
    sends = []
    if usager is not None:
        if usager.phone and usager.notify_sms and not _sms_deferred(store, rdv, message, by, now):
            sends.append((Channel.SMS, usager.phone, lambda: _sms(senders, event, facts, usager)))
        if usager.email and usager.notify_email and not usager.email_invalid:
            sends.append(
                (Channel.EMAIL, usager.email, lambda: _email(store, senders, event, rdv, context))
            )
    # The agent hears of what the usager did online (not of their own changes).
    if event in AGENT_EVENTS and by == "usager":
        agent = store.agents.get(rdv.agent_id)
        if agent is not None and agent.notify_on_online_booking:
            sends.append(
                (
                    Channel.EMAIL,
                    agent.email,
                    lambda: _agent_email(store, senders, event, facts, agent.email),
                )
            )
    receipts, retry = _send_each(store, rdv, event, sends, extra, now, attempt)
    if event is NotificationEvent.RDV_UPCOMING_REMINDER and rdv.reminded_at is None:
        usager_addresses = {usager.phone, usager.email} if usager is not None else set()
        if any(
            r.outcome is ReceiptOutcome.SENT and r.recipient in usager_addresses for r in receipts
        ):
            record_reminded(store, rdv.id, now)
    if retry:
        raise DeliveryFailed(f"{event.value} of rdv {rdv.id}: a provider failed, retry later")
    return receipts


def record_reminded(store: Store, rdv_id: str, now: datetime) -> bool:
    """Record on the rdv, through the write path, that a reminder reached its usager:
    once (a rdv already reminded is left as it is, so a message delivered twice counts
    once). True when this call recorded it."""
    from chalicelib.domain.changes import mark_reminded
    from chalicelib.services.write_path import Committed, propose, write

    def attempt(_number: int):
        rdv = store.rdvs.get(rdv_id)
        if rdv is None or rdv.reminded_at is not None:
            return None
        return propose(store, mark_reminded(rdv, now), ())

    return isinstance(write(store, attempt, lambda: None), Committed)


def send_offer(
    store: Store,
    rdv: Rdv,
    starts_at: datetime,
    url: str,
    now: datetime,
    attempt: int,
    senders: Senders,
    slot_key: str,
    lieu: Lieu | None = None,
) -> list[NotificationReceipt]:
    """Offer an earlier slot to the usager of `rdv` (file d'attente) by SMS and e-mail,
    each once (receipts keyed by the slot offered, `slot_key`: its time and lieu). The
    texts name the service, the date and the place, never the motif."""
    event = NotificationEvent.WAITING_LIST_OFFER
    context = _context(store, rdv, now)
    if context is None or context.contact is None:
        return []
    facts = replace(context.facts, starts_at=starts_at, manage_url=url, can_cancel_online=True)
    if lieu is not None and lieu.id != rdv.lieu_id:  # another lieu of the MDS
        facts = replace(facts, where=lieu.name, where_full=f"{lieu.name}, {lieu.address}")
    usager, extra = context.contact, slot_key
    sends = []
    if usager.phone and usager.notify_sms:
        sends.append((Channel.SMS, usager.phone, lambda: _sms(senders, event, facts, usager)))
    if usager.email and usager.notify_email and not usager.email_invalid:
        sends.append(
            (Channel.EMAIL, usager.email, lambda: _offer_email(store, senders, facts, usager))
        )
    receipts, retry = _send_each(store, rdv, event, sends, extra, now, attempt)
    if retry:
        raise DeliveryFailed(f"offer to rdv {rdv.id}: a provider failed, retry later")
    return receipts


def _offer_email(store: Store, senders: Senders, facts, usager: RdvContact) -> str | None:
    to = email_address(usager.email or "")
    if to is None:
        return None
    subject, text, html = messages.email_parts(NotificationEvent.WAITING_LIST_OFFER, facts)
    message = build_message(
        sender=mailbox(store.settings.email_sender), to=to, subject=subject, text=text, html=html
    )
    return senders.email.send(message)


def _send_each(
    store: Store,
    rdv: Rdv,
    event: NotificationEvent,
    sends: list,
    extra: str,
    now: datetime,
    attempt: int,
) -> tuple[list[NotificationReceipt], bool]:
    """Each (channel, recipient, send) once (`_send_once`): the receipts, and whether a
    provider failed and the message should come back."""
    receipts, retry = [], False
    for channel, recipient, send in sends:
        receipt, wants_retry = _send_once(
            store, rdv, event, channel, recipient, extra, send, now, attempt
        )
        retry = retry or wants_retry
        if receipt is not None:
            receipts.append(receipt)
    return receipts, retry


def _send_once(store, rdv, event, channel, recipient, extra, send, now, attempt):
    key = receipt_key(event, channel, recipient, extra)
    claim = NotificationReceipt(
        rdv_id=rdv.id,
        event=event,
        channel=channel,
        recipient=recipient,
        outcome=ReceiptOutcome.CLAIMED,
        at=now,
        send_key=key,
    )
    if not store.receipts.claim(claim, expires_at=rdv.expires_at):
        return None, False  # already sent (or being sent) by another delivery
    try:
        provider_id = send()
    except Exception as error:  # any provider failure: throttling, network, refusal
        last = attempt >= store.settings.max_delivery_attempts
        outcome = ReceiptOutcome.FAILED if last else ReceiptOutcome.RETRY
        log.warning(
            "%s %s of rdv %s failed (try %s): %s",
            channel.value,
            event.value,
            rdv.id,
            attempt,
            type(error).__name__,
        )
        store.receipts.record_outcome(rdv.id, key, outcome, now, error=type(error).__name__)
        return None, not last
    outcome = ReceiptOutcome.SENT if provider_id else ReceiptOutcome.SKIPPED
    store.receipts.record_outcome(rdv.id, key, outcome, now, provider_message_id=provider_id)
    return replace(claim, outcome=outcome, provider_message_id=provider_id), False


def _still_relevant(store: Store, rdv: Rdv, event: NotificationEvent, message: dict) -> bool:
    if event in CANCELLING_EVENTS:
        return not rdv.status.blocks_time
    if rdv.status is not RdvStatus.UNKNOWN:
        return False  # cancelled meanwhile: no confirmation, no reminder
    if event is NotificationEvent.RDV_DATE_UPDATED:
        return str(rdv.sequence) == str(message.get("extra", ""))  # only the latest move
    if event is NotificationEvent.RDV_UPCOMING_REMINDER:
        # A reminder queued before a move is for the old time: the plan has changed.
        planned = {str(r.offset_minutes): r for r in store.reminders.of_rdv(rdv.id)}
        reminder = planned.get(str(message.get("extra")).split("@")[0])
        return reminder is not None and reminder.due_at.isoformat() == message.get("due_at")
    return True


def _sms_deferred(store: Store, rdv: Rdv, message: dict, by: str, now: datetime) -> bool:
    """At most one SMS per rdv an hour for what the usager does themself (moving it
    again and again would otherwise send an SMS each time, paid by the département):
    within the hour after the last SMS, the SMS waits, the latest state winning (a
    later move or a cancellation makes this message stale), unless it would then
    arrive in the quiet hours. The e-mail goes now."""
    event = NotificationEvent(message["event"])
    if event not in COALESCED_EVENTS or by != "usager":
        return False
    # An offer from the waiting list is not about the rdv's own changes: accepting it
    # is confirmed by SMS at once.
    last = store.receipts.last_sent(
        rdv.id, Channel.SMS, excluding=frozenset({NotificationEvent.WAITING_LIST_OFFER})
    )
    if last is None or now - last >= SMS_SPACING:
        return False
    if in_quiet_hours(last + SMS_SPACING, ZoneInfo(store.settings.timezone)):
        # It would arrive in the quiet hours: no SMS at night for what the usager did
        # themself and saw done on the page (the e-mail, if any, goes now).
        return True
    wait = (last + SMS_SPACING - now).total_seconds()
    queue.enqueue(store.settings, [message], delay_seconds=int(wait) + 1)
    return True


def _reminder_still_due(store: Store, rdv: Rdv, message: dict, now: datetime) -> bool:
    """A reminder is sent when it still makes sense at the moment it would arrive:
    not once the rdv has started, not more than 2 hours after it was due (a sweep
    outage caught up), only the latest one due for the rdv, and never in the quiet
    hours (20:00-8:00 Paris): then it is due again at 8:00, if that is before the rdv."""
    due_at = datetime.fromisoformat(str(message.get("due_at")))
    if now >= rdv.starts_at or now - due_at > REMINDER_LATE:
        return False
    planned = store.reminders.of_rdv(rdv.id)
    if any(due_at < r.due_at <= now for r in planned):
        return False  # a later reminder is due too: that one is sent
    tz = ZoneInfo(store.settings.timezone)
    if in_quiet_hours(now, tz):
        morning = quiet_hours_end(now, tz)
        [reminder] = [r for r in planned if r.due_at == due_at] or [None]
        if reminder is not None and morning < rdv.starts_at:
            store.reminders.postpone(reminder, morning)
        return False
    return True


@dataclass
class _Context:
    motif: Motif
    organisation: Organisation
    service: Service | None
    lieu: Lieu | None
    facts: messages.RdvFacts
    contact: RdvContact | None
    now: datetime  # when the messages are sent


def _context(store: Store, rdv: Rdv, now: datetime) -> _Context | None:
    """What the messages of `rdv` say, as true at `now` (when they are sent): whether
    it can still be cancelled online, whether it is « demain »."""
    motif = store.catalogue.get_motif(rdv.motif_id)
    organisation = store.catalogue.get_organisation(rdv.organisation_id)
    if motif is None or organisation is None:
        return None
    service = store.catalogue.get_service(rdv.service_id)
    lieu = store.catalogue.get_lieu(rdv.lieu_id) if rdv.lieu_id else None
    base = store.settings.base_url.rstrip("/")
    if motif.location_type is LocationType.PHONE:
        where = where_full = messages.BY_PHONE
    elif motif.location_type is LocationType.HOME:
        where = where_full = messages.AT_HOME
    else:
        where = lieu.name if lieu else organisation.name
        where_full = f"{lieu.name}, {lieu.address}" if lieu else organisation.address
    contact, child = _contact_and_child(store, rdv)
    facts = messages.RdvFacts(
        service=service.name if service else "",
        organisation=organisation.name,
        organisation_phone=organisation.phone,
        starts_at=rdv.starts_at,
        duration=rdv.duration_minutes,
        where=where,
        where_full=where_full,
        manage_url=f"{base}/r/{manage_token(rdv.id, store.settings.secret_key)}",
        rebook_url=f"{base}/mds/{organisation.id}",
        child=first_name_for_messages(child),
        can_cancel_online=usager_can_change(rdv, motif, now),
        sent_at=now,
    )
    return _Context(motif, organisation, service, lieu, facts, contact, now)


def _sms(senders: Senders, event: NotificationEvent, facts, usager: RdvContact) -> str | None:
    if senders.sms.is_opted_out(usager.phone):
        return None  # recorded as skipped
    return senders.sms.send(usager.phone, messages.sms_text(event, facts))


def _email(store: Store, senders: Senders, event, rdv: Rdv, context: _Context) -> str | None:
    """The e-mail to the usager: From the no-reply sender, Reply-To the MDS, with the
    rdv's .ics stamped now. An address that is not one is skipped, not retried."""
    from chalicelib.notify.ics import rdv_calendar  # icalendar: loaded by the sender only

    to = email_address(context.contact.email or "")
    if to is None:
        log.warning("%s of rdv %s: the e-mail address is not one, skipped", event.value, rdv.id)
        return None
    subject, text, html = messages.email_parts(event, context.facts)
    cancelled = event in CANCELLING_EVENTS
    sender = mailbox(store.settings.email_sender)
    ics = rdv_calendar(
        rdv,
        context.motif,
        context.organisation,
        context.service,
        context.lieu,
        store.settings.base_url,
        context.now,
        cancelled=cancelled,
        organizer_email=sender.addr_spec,
    )
    message = build_message(
        sender=sender,
        to=to,
        reply_to=_mds_address(context.organisation),
        subject=subject,
        text=text,
        html=html,
        ics=ics,
        ics_method="CANCEL" if cancelled else "PUBLISH",
    )
    return senders.email.send(message)


def _agent_email(store: Store, senders: Senders, event, facts, address: str) -> str | None:
    to = email_address(address)
    if to is None:
        log.warning("agent %s e-mail: the address is not one, skipped", event.value)
        return None
    subject, text, html = messages.agent_email_parts(event, facts)
    message = build_message(
        sender=mailbox(store.settings.email_sender), to=to, subject=subject, text=text, html=html
    )
    return senders.email.send(message)


# --- helpers of the messages' texts ------------------------------------------------------------


def _contact_and_child(store: Store, rdv: Rdv) -> tuple[RdvContact | None, str]:
    """Who is told of `rdv` (its own contact, or for a rdv made before rdvs had one,
    from the usager's record: `views.contact_of`), and the first name of the child it
    is for when that is a parent."""
    contact = contact_of(store, rdv)
    return contact, (contact.child_first_name or "") if contact else ""


def _mds_address(organisation: Organisation) -> Address | None:
    """Where an usager's answer goes: the MDS's e-mail, when it has a valid one."""
    if not organisation.email:
        return None
    return email_address(organisation.email, organisation.name)
