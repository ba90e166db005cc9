"""Notification receipts (which also claim each send once) and planned reminders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.domain.models import (
    Channel,
    NotificationEvent,
    NotificationReceipt,
    ReceiptOutcome,
    Reminder,
)
from chalicelib.store.models import ReceiptModel, ReminderModel

# A claim older than this with no outcome was abandoned (a Lambda timed out or died):
# the next delivery may take it over. Longer than any send takes.
CLAIM_TIMEOUT = timedelta(minutes=5)

# Pending reminders are spread over a few index partitions so that the sweep's
# queries never hit one hot key; the sweep queries each shard.
REMINDER_SHARDS = ("p0", "p1", "p2", "p3")


def _receipt(item: ReceiptModel) -> NotificationReceipt:
    return NotificationReceipt(
        rdv_id=item.rdv_id,
        event=NotificationEvent(item.event),
        channel=Channel(item.channel),
        recipient=item.recipient,
        outcome=ReceiptOutcome(item.outcome),
        at=item.at,
        send_key=item.send_key,
        provider_message_id=item.provider_message_id,
        error=item.error,
    )


class ReceiptRepository:
    def claim(self, receipt: NotificationReceipt, expires_at: datetime | None = None) -> bool:
        """Record the send as claimed unless someone already did: True means "send it".

        A conditional put on (rdv, event#channel#recipient#extra): a redelivered message
        or an overlapping sweep finds the item there and sends nothing, unless the last
        try failed and asked for another (`retry`), or a claim was left unfinished for
        CLAIM_TIMEOUT (the Lambda died between the claim and the provider's answer)."""
        item = ReceiptModel(
            rdv_id=receipt.rdv_id,
            send_key=receipt.send_key,
            event=receipt.event.value,
            channel=receipt.channel.value,
            recipient=receipt.recipient,
            outcome=ReceiptOutcome.CLAIMED.value,
            at=receipt.at,
            expires_at=expires_at,  # a receipt names a phone or an address: same retention
        )
        try:
            item.save(
                condition=ReceiptModel.send_key.does_not_exist()
                | (ReceiptModel.outcome == ReceiptOutcome.RETRY.value)
                | (
                    (ReceiptModel.outcome == ReceiptOutcome.CLAIMED.value)
                    & (ReceiptModel.at < receipt.at - CLAIM_TIMEOUT)
                )
            )
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_outcome(
        self,
        rdv_id: str,
        send_key: str,
        outcome: ReceiptOutcome,
        at: datetime,
        provider_message_id: str | None = None,
        error: str | None = None,
    ) -> None:
        ReceiptModel(rdv_id=rdv_id, send_key=send_key).update(
            actions=[
                ReceiptModel.outcome.set(outcome.value),
                ReceiptModel.at.set(at),
                ReceiptModel.provider_message_id.set(provider_message_id),
                ReceiptModel.error.set(error),
            ]
        )

    def of_rdv(self, rdv_id: str) -> list[NotificationReceipt]:
        receipts = [_receipt(i) for i in ReceiptModel.query(rdv_id)]
        return sorted(receipts, key=lambda r: r.at)

    def last_sent(
        self, rdv_id: str, channel: Channel, excluding: frozenset[NotificationEvent] = frozenset()
    ) -> datetime | None:
        """When the last send of that channel for the rdv went out (None: never),
        leaving out the events `excluding`."""
        sent = [
            r.at
            for r in self.of_rdv(rdv_id)
            if r.channel is channel
            and r.outcome is ReceiptOutcome.SENT
            and r.event not in excluding
        ]
        return max(sent, default=None)


class ReminderRepository:
    def plan(self, reminders: list[Reminder], expires_at: datetime) -> None:
        """Write reminders in bulk (tests and benchmarks; the use cases plan theirs in
        the write path's transaction), each removed by the TTL after `expires_at`."""
        with ReminderModel.batch_write() as batch:
            for reminder in reminders:
                batch.save(
                    ReminderModel(
                        rdv_id=reminder.rdv_id,
                        offset_minutes=reminder.offset_minutes,
                        due_at=reminder.due_at,
                        pending=None if reminder.sent else reminder_shard(reminder.rdv_id),
                        expires_at=expires_at,
                    )
                )

    def of_rdv(self, rdv_id: str) -> list[Reminder]:
        return [
            Reminder(
                rdv_id=i.rdv_id,
                offset_minutes=int(i.offset_minutes),
                due_at=i.due_at,
                sent=i.pending is None,
            )
            for i in ReminderModel.query(rdv_id)
        ]

    def due_before(self, until: datetime, limit_per_shard: int = 100) -> Iterator[Reminder]:
        """Pending reminders due at or before `until`, oldest first within each shard:
        a Query per shard on the sparse `due` index, never a Scan."""
        for shard in REMINDER_SHARDS:
            results = ReminderModel.due.query(
                shard, ReminderModel.due_at <= until, page_size=limit_per_shard
            )
            for item in results:
                yield Reminder(
                    rdv_id=item.rdv_id,
                    offset_minutes=int(item.offset_minutes),
                    due_at=item.due_at,
                )

    def mark_handled(self, reminder: Reminder) -> bool:
        """Take the reminder out of the due index, unless it was re-planned meanwhile
        (a move writes the same key with another due time: that one must stay due)."""
        try:
            ReminderModel(rdv_id=reminder.rdv_id, offset_minutes=reminder.offset_minutes).update(
                actions=[ReminderModel.pending.remove()],
                condition=ReminderModel.due_at == reminder.due_at,
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def postpone(self, reminder: Reminder, due_at: datetime) -> bool:
        """Make the reminder due again at `due_at` (quiet hours), unless it was
        re-planned meanwhile."""
        try:
            ReminderModel(rdv_id=reminder.rdv_id, offset_minutes=reminder.offset_minutes).update(
                actions=[
                    ReminderModel.due_at.set(due_at),
                    ReminderModel.pending.set(reminder_shard(reminder.rdv_id)),
                ],
                condition=ReminderModel.due_at == reminder.due_at,
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True


def reminder_shard(rdv_id: str) -> str:
    return REMINDER_SHARDS[sum(rdv_id.encode()) % len(REMINDER_SHARDS)]
