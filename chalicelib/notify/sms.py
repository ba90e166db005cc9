"""SMS through SNS: transactional, from the alphanumeric sender id, GSM-7 text."""

from __future__ import annotations

from chalicelib.domain.sms import is_gsm7
from chalicelib.notify.clients import client
from chalicelib.settings import Settings


class SmsSender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def is_opted_out(self, phone: str) -> bool:
        """SNS's own opt-out list (a number that answered STOP to a long code)."""
        answer = client("sns", self.settings).check_if_phone_number_is_opted_out(phoneNumber=phone)
        return bool(answer.get("isOptedOut"))

    def send(self, phone: str, text: str) -> str:
        if not is_gsm7(text):
            raise ValueError("SMS texts are GSM-7 only (see chalicelib/domain/sms.py)")
        answer = client("sns", self.settings).publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SenderID": {
                    "DataType": "String",
                    "StringValue": self.settings.sms_sender_id,
                },
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        return answer["MessageId"]
