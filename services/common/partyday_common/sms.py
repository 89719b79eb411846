"""Text messages through an HTTP gateway: one JSON POST of phone, template id and parameters, signed with a
shared secret, to `PARTYDAY_SMS_WEBHOOK_URL`; without a URL a message is written to the log. The directory's
one-time codes and the notifications service's messages leave by this one channel."""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Partyday-Signature"


class SmsError(Exception):
    """The gateway refused the message or could not be reached; the sender may try again later."""


def signature(secret: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of the body under the shared secret, as the gateway checks it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class SmsSender:
    """One text message to one phone: `send(phone, template_id, parameters)`."""

    def __init__(self, url: str | None, secret: str, timeout_s: float = 5.0):
        self.url = url
        self.secret = secret
        self.timeout_s = timeout_s

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def send(self, phone: str, template_id: str, parameters: dict) -> None:
        if not self.url:
            log.info(
                "text message %s to %s: %s",
                template_id,
                phone,
                parameters,
                extra={"fields": {"phone": phone, "template_id": template_id, "parameters": parameters}},
            )
            return
        body = json.dumps(
            {"phone": phone, "template_id": template_id, "parameters": parameters}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature(self.secret, body)},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise SmsError(f"the SMS gateway answered {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise SmsError(f"the SMS gateway could not be reached: {error}") from error


def sms_sender(settings) -> SmsSender:
    return SmsSender(settings.sms_webhook_url, settings.sms_webhook_secret, settings.sms_webhook_timeout_s)
