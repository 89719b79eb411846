"""The rules of telling: which channels a kind goes by, quiet hours, the pause before a failed send is tried
again, and where a branch's superiors are. Plain functions, unit tested."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# What each kind goes by unless the member chooses otherwise; the inbox always.
DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    "plan_published": ("inbox",),
    "plan_returned": ("inbox", "sms", "email"),
    "plan_overdue": ("inbox", "sms", "email"),
    "summary_overdue": ("inbox", "sms", "email"),
    "rectification_issued": ("inbox", "sms", "email"),
    "rectification_answered": ("inbox", "email"),
    "rectification_reopened": ("inbox", "sms", "email"),
    "rectification_overdue": ("inbox", "sms", "email"),
    "absence_flagged": ("inbox", "email"),
    "leave_decided": ("inbox",),
    "makeup_assigned": ("inbox",),
    "upload_rejected": ("inbox",),
    "comment_hidden": ("inbox",),
    "comment_moderated": ("inbox",),
    "evaluation_published": ("inbox",),
    "campaign_opened": ("inbox",),
    "political_birthdays": ("inbox", "email"),
    "reminder_day_before": ("inbox", "sms"),
    "reminder_hour_before": ("inbox",),
    "volunteer_request_submitted": ("inbox", "sms"),
    "volunteer_request_dispatched": ("inbox", "sms"),
}
# What the organisation requires, whatever the member chooses: a missed deadline, a rectification and a missed
# rectification by text.
REQUIRED_CHANNELS: dict[str, tuple[str, ...]] = {
    "plan_overdue": ("sms",),
    "summary_overdue": ("sms",),
    "rectification_issued": ("sms",),
    "rectification_overdue": ("sms",),
}
MAX_BACKOFF = timedelta(hours=1)


def channels_for(kind: str, chosen: dict | None, has_email: bool) -> list[str]:
    """The channels a member is told a kind by: the inbox; their choice among what the kind may go by (all of
    it when they chose nothing for the kind); what is required; e-mail only with an address."""
    allowed = DEFAULT_CHANNELS[kind]
    wanted = set(allowed) if not chosen or kind not in chosen else set(chosen[kind]) & set(allowed)
    wanted |= {"inbox", *REQUIRED_CHANNELS.get(kind, ())}
    if not has_email:
        wanted.discard("email")
    return [channel for channel in ("inbox", "sms", "email") if channel in wanted]


def quiet_until(now: datetime, time_zone: str, start_hour: int, end_hour: int) -> datetime | None:
    """When the quiet hours around `now` end (no text message is sent at night), or None outside them."""
    local = now.astimezone(ZoneInfo(time_zone))
    hour = local.hour
    quiet = start_hour <= hour or hour < end_hour if start_hour > end_hour else start_hour <= hour < end_hour
    if start_hour == end_hour or not quiet:
        return None
    end = local.replace(hour=end_hour, minute=0, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end


def retry_at(now: datetime, attempts: int, base_s: float) -> datetime:
    """When a send that failed `attempts` times is tried again: the pause doubles each time, at most an hour."""
    return now + min(timedelta(seconds=base_s * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def local_day_start(now: datetime, time_zone: str) -> datetime:
    """Midnight of `now`'s day where the members live: the daily cap counts from there."""
    return now.astimezone(ZoneInfo(time_zone)).replace(hour=0, minute=0, second=0, microsecond=0)


def ancestors(path: str) -> list[str]:
    """The ids above a node on its materialised path ('/root/.../own/'), the nearest first."""
    return list(reversed([part for part in path.split("/") if part][:-1]))
