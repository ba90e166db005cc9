"""The messaging resources of a local or test stage, on moto: the notification queue
and its dead-letter queue, the SES feedback topic, the verified sender. Deployed
stages get them from infra/ instead."""

from __future__ import annotations

import json
from email.utils import parseaddr

from chalicelib.notify.clients import client
from chalicelib.settings import Settings


def ensure_local_messaging(settings: Settings) -> None:
    sqs = client("sqs", settings)
    dead = sqs.create_queue(QueueName=settings.notifications_dlq)["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sqs.create_queue(
        QueueName=settings.notifications_queue,
        Attributes={
            "VisibilityTimeout": "60",
            "RedrivePolicy": json.dumps(
                {
                    "deadLetterTargetArn": dead_arn,
                    "maxReceiveCount": str(settings.max_delivery_attempts),
                }
            ),
        },
    )
    client("sns", settings).create_topic(Name=settings.ses_feedback_topic)
    _, sender = parseaddr(settings.email_sender)
    client("ses", settings).verify_email_identity(EmailAddress=sender)
