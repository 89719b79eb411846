"""The bodies notifications' RPCs take, and the kinds and channels a member chooses among."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

KINDS = (
    "plan_published",
    "plan_returned",
    "plan_overdue",
    "summary_overdue",
    "rectification_issued",
    "rectification_answered",
    "rectification_reopened",
    "rectification_overdue",
    "absence_flagged",
    "leave_decided",
    "makeup_assigned",
    "upload_rejected",
    "comment_hidden",
    "comment_moderated",
    "evaluation_published",
    "campaign_opened",
    "political_birthdays",
    "reminder_day_before",
    "reminder_hour_before",
    "volunteer_request_submitted",
    "volunteer_request_dispatched",
)
Kind = Literal[KINDS]
CHANNELS = ("inbox", "sms", "email")
Channel = Literal[CHANNELS]
Language = Literal["zh", "en"]


class NotificationSettingsUpdate(BaseModel):
    """A member's choices: their e-mail address (for e-mail; blank removes it), the language of their messages,
    and per kind the channels they want; the inbox, and what the organisation requires, are kept whatever
    they choose."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str | None = Field(None, max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    language: Language | None = None
    channels: dict[Kind, list[Channel]] | None = None
