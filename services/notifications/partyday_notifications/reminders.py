"""Reminders of a party day: the day before and an hour before, to its members who have not asked for leave;
each once per activity (its notifications are keyed by the activity and the reminder)."""

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from partyday_notifications.models import Activity
from partyday_notifications.notify import notify
from partyday_notifications.telling import local_time

REMINDERS = (
    ("reminder_day_before", "day_before_sent", timedelta(days=1)),
    ("reminder_hour_before", "hour_before_sent", timedelta(hours=1)),
)


def send_due(session: Session, now: datetime) -> int:
    """Store the reminders now due (an activity that has started is reminded of no more); how many."""
    told = 0
    upcoming = session.scalars(
        select(Activity)
        .where(
            Activity.starts_at > now,
            Activity.starts_at <= now + timedelta(days=1),
            or_(Activity.day_before_sent.is_(False), Activity.hour_before_sent.is_(False)),
        )
        .with_for_update(skip_locked=True)
    ).all()
    for activity in upcoming:
        starts_at = activity.starts_at
        due = [(kind, flag) for kind, flag, ahead in REMINDERS if now >= starts_at - ahead]
        pending = [(kind, flag) for kind, flag in due if not getattr(activity, flag)]
        for _, flag in due:
            setattr(activity, flag, True)
        if not pending:
            continue
        kind = pending[-1][0]  # the nearer reminder only, when an activity approved late makes both due at once
        members = [member for member in activity.member_ids if member not in activity.on_leave]
        parameters = {
            "occasion": activity.kind,
            "theme": activity.theme,
            "venue": activity.venue_name,
            "starts_at": local_time(starts_at),
        }
        event_id = f"{kind}:{activity.activity_id}"
        told += notify(session, event_id, kind, members, parameters, now, activity.activity_id)
    return told
