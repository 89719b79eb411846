"""How one-time codes reach a phone: the log in development, or the SMS gateway every text message uses
(`PARTYDAY_CODE_SENDER=sms`, `PARTYDAY_SMS_WEBHOOK_URL`)."""

import logging
from typing import Protocol

from partyday_common.sms import sms_sender
from partyday_directory.settings import get_settings

log = logging.getLogger(__name__)

CODE_TEMPLATE = "one_time_code"


class CodeSender(Protocol):
    def send(self, phone: str, code: str) -> None: ...


class LogCodeSender:
    """Development delivery: the code is written to the directory's log."""

    def send(self, phone: str, code: str) -> None:
        log.info("one-time code for %s: %s", phone, code, extra={"fields": {"phone": phone, "one_time_code": code}})


class SmsCodeSender:
    """The code as a text message through the SMS gateway (template `one_time_code`, parameter `code`)."""

    def __init__(self):
        self.sender = sms_sender(get_settings())

    def send(self, phone: str, code: str) -> None:
        self.sender.send(phone, CODE_TEMPLATE, {"code": code})


SENDERS = {"log": LogCodeSender, "sms": SmsCodeSender}
