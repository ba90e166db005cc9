"""Event handlers: the reminder and waiting-list sweeps (EventBridge), the notification
queue's consumer (SQS) and SES's bounces and complaints (SNS). Each runs at least once:
the services they call are idempotent.

The services load PynamoDB and botocore: each handler imports them when it runs, so
that `import app` stays cheap for the web pages' cold starts."""

from __future__ import annotations

import json
import logging

from chalice import Blueprint, Cron, Rate

from chalicelib.settings import get_settings

log = logging.getLogger(__name__)
events = Blueprint(__name__)

# The stage's names, fixed when `chalice package` loads the app for that stage.
NOTIFICATIONS_QUEUE = get_settings().notifications_queue
SES_FEEDBACK_TOPIC = get_settings().ses_feedback_topic


def _time_left(event):
    """Milliseconds left before the Lambda timeout (a generous minute without a context)."""
    lambda_context = getattr(event, "context", None)
    if lambda_context is None:
        return lambda: 60_000
    return lambda_context.get_remaining_time_in_millis


@events.schedule(Rate(5, unit=Rate.MINUTES))
def reminder_sweep(event):
    from chalicelib.services import context, notifications

    result = notifications.send_due_reminders(context.store(), context.now(), _time_left(event))
    log.info("reminder sweep: %s queued, finished=%s", result.queued, result.finished)
    return {"queued": result.queued, "finished": result.finished}


# At each quarter of an hour, day and night: each organisation sets its own quiet hours
# (20:00 to 8:00 by default), and the sweep skips an organisation in them. A cron, not a
# rate: a rate counts from when the rule was made, and the tests keep clear of the
# quarters.
@events.schedule(Cron("0/15", "*", "*", "*", "?", "*"))
def waiting_list_sweep(event):
    from chalicelib.services import context, waiting_list

    result = waiting_list.sweep_free_time(context.store(), context.now(), _time_left(event))
    log.info("waiting-list sweep: %s queued, finished=%s", result.queued, result.finished)
    return {"queued": result.queued, "finished": result.finished}


@events.on_sqs_message(queue=NOTIFICATIONS_QUEUE, batch_size=10)
def deliver_notifications(event):
    from chalicelib.services import context, notifications

    store, senders = context.store(), None
    failed = 0
    for record in event:
        senders = senders or notifications.Senders.from_store(store)
        attempt = int(record.to_dict().get("attributes", {}).get("ApproximateReceiveCount", 1))
        try:
            notifications.deliver(store, json.loads(record.body), context.now(), attempt, senders)
        except notifications.DeliveryFailed:
            failed += 1
    if failed:
        # The whole batch comes back; what was sent is skipped thanks to the receipts.
        raise RuntimeError(f"{failed} notification(s) to retry")


@events.on_sns_message(topic=SES_FEEDBACK_TOPIC)
def ses_feedback(event):
    from chalicelib.services import context, feedback

    feedback.handle_ses_feedback(context.store(), json.loads(event.message), context.now())
