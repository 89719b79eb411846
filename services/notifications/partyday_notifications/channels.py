"""The channels a notification leaves by besides the inbox, each behind one small interface: `send(address,
message)` raises `SendFailed` for a failure worth trying again. Without configuration each writes to the log."""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlparse

from partyday_common.sms import SmsError, sms_sender

log = logging.getLogger(__name__)


class SendFailed(Exception):
    """A send that failed and may succeed later."""


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str
    parameters: dict


class Channel(Protocol):
    def send(self, address: str, message: Message) -> None: ...


class SmsChannel:
    """A text message through the SMS gateway: the kind is the template id, with the event's parameters."""

    def __init__(self, settings):
        self.sender = sms_sender(settings)

    def send(self, address: str, message: Message) -> None:
        try:
            self.sender.send(address, message.kind, {key: str(value) for key, value in message.parameters.items()})
        except SmsError as error:
            raise SendFailed(str(error)) from error


class EmailChannel:
    """An e-mail over SMTP (`smtp://user:password@host:port`, `smtps://` for TLS from the start)."""

    def __init__(self, settings):
        self.url = urlparse(settings.smtp_url) if settings.smtp_url else None
        self.sender = settings.smtp_sender
        self.timeout_s = settings.sms_webhook_timeout_s

    def send(self, address: str, message: Message) -> None:
        if self.url is None:
            log.info("e-mail to %s: %s", address, message.title, extra={"fields": {"email": address}})
            return
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, address, message.title
        email.set_content(message.body)
        connect = smtplib.SMTP_SSL if self.url.scheme == "smtps" else smtplib.SMTP
        try:
            with connect(self.url.hostname, self.url.port or 25, timeout=self.timeout_s) as smtp:
                if self.url.username:
                    smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as error:
            raise SendFailed(f"the SMTP server refused or could not be reached: {error}") from error


def make_channels(settings) -> dict[str, Channel]:
    return {"sms": SmsChannel(settings), "email": EmailChannel(settings)}
