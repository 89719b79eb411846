"""How one-time codes reach a phone. Production plugs an SMS gateway in behind `CodeSender`."""

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class CodeSender(Protocol):
    def send(self, phone: str, code: str) -> None: ...


class LogCodeSender:
    """Development delivery: the code is written to the directory's log."""

    def send(self, phone: str, code: str) -> None:
        log.info("one-time code for %s: %s", phone, code, extra={"fields": {"phone": phone, "one_time_code": code}})


SENDERS = {"log": LogCodeSender}
