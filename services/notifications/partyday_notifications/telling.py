"""Who is told of each event, and with which parameters: one function per event consumed, each deciding the
recipients from what notifications follows (members, roles, activities) and storing the notifications."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_notifications import people
from partyday_notifications.models import Activity
from partyday_notifications.notify import notify
from partyday_notifications.settings import get_settings

THEME_DAY = "theme_day"


def local_time(moment: datetime) -> str:
    """A time as members read it: in the members' time zone, to the minute."""
    return moment.astimezone(ZoneInfo(get_settings().notifications_time_zone)).strftime("%Y-%m-%d %H:%M")


def plan_published(session: Session, event_id: str, payload, now: datetime, birthdays: list[dict]) -> int:
    """The branch's members (the approved roster) are told the party day or meeting, named by its kind, and it is
    kept to remind them of; for the theme day, the secretary is told the month's political `birthdays`."""
    members = [entry.member_id for entry in payload.roster]
    if session.get(Activity, payload.activity_id) is None:
        session.add(
            Activity(
                activity_id=payload.activity_id,
                branch_id=payload.branch_id,
                kind=payload.kind,
                theme=payload.theme,
                venue_name=payload.venue_name,
                starts_at=payload.starts_at,
                member_ids=members,
                on_leave=[],
                day_before_sent=False,
                hour_before_sent=False,
            )
        )
    parameters = {
        "branch": people.org_name(session, payload.branch_id),
        "occasion": payload.kind,
        "theme": payload.theme,
        "starts_at": local_time(payload.starts_at),
        "venue": payload.venue_name,
        "actions": "、".join(payload.required_actions) or "—",
    }
    told = notify(session, event_id, "plan_published", members, parameters, now, payload.activity_id)
    if payload.kind != THEME_DAY:
        return told
    return told + political_birthdays(session, event_id, payload, now, birthdays)


def political_birthdays(session: Session, event_id: str, payload, now: datetime, birthdays: list[dict]) -> int:
    """Before the party day, the secretary is told whose political birthday (the anniversary of the day they joined
    the Party) falls in its month, with the years in the Party, to mark it at the party day. Who they are is the
    directory's rule (`political_birthdays`), not this service's."""
    if not birthdays:
        return 0
    parameters = {
        "month": payload.month,
        "members": "、".join(f"{found['name']}（{found['joined_on']}，{found['years']}年）" for found in birthdays),
        "starts_at": local_time(payload.starts_at),
    }
    recipients = people.secretaries(session, payload.branch_id)
    return notify(session, f"{event_id}:birthdays", "political_birthdays", recipients, parameters, now)


def plan_returned(session: Session, event_id: str, payload, now: datetime) -> int:
    """The branch's secretary is told the reviewer's comment."""
    parameters = {
        "branch": people.org_name(session, payload.branch_id),
        "month": payload.month,
        "comment": payload.review_comment or "—",
    }
    recipients = people.secretaries(session, payload.branch_id)
    return notify(session, event_id, "plan_returned", recipients, parameters, now, payload.plan_id)


def overdue(session: Session, event_id: str, kind: str, payload, now: datetime) -> int:
    """A missed deadline: the branch's secretary, and the admins above the branch."""
    parameters = {
        "branch": people.org_name(session, payload.branch_id),
        "month": payload.month,
        "deadline": local_time(payload.deadline),
    }
    recipients = people.secretaries(session, payload.branch_id) + people.superiors(session, payload.branch_path)
    return notify(session, event_id, kind, recipients, parameters, now, payload.branch_id)


def rectification_issued(session: Session, event_id: str, payload, now: datetime) -> int:
    """The branch's secretary is told what to fix by when."""
    parameters = {
        "branch": people.org_name(session, payload.branch_id),
        "issue": payload.issue,
        "due_on": payload.due_on.isoformat(),
    }
    recipients = people.secretaries(session, payload.branch_id)
    return notify(session, event_id, "rectification_issued", recipients, parameters, now, payload.rectification_id)


def rectification_answered(session: Session, event_id: str, payload, now: datetime) -> int:
    """Whoever issued the notice (else the admins above the branch) is told the branch answered."""
    recipients = [payload.issued_by] if payload.issued_by else people.superiors(session, payload.branch_path)
    parameters = {"branch": people.org_name(session, payload.branch_id), "issue": payload.issue}
    return notify(session, event_id, "rectification_answered", recipients, parameters, now, payload.rectification_id)


def rectification_reopened(session: Session, event_id: str, payload, now: datetime) -> int:
    """The branch's secretary is told the answer was not accepted."""
    parameters = {
        "branch": people.org_name(session, payload.branch_id),
        "issue": payload.issue,
        "due_on": payload.due_on.isoformat(),
    }
    recipients = people.secretaries(session, payload.branch_id)
    return notify(session, event_id, "rectification_reopened", recipients, parameters, now, payload.rectification_id)


def rectification_overdue(session: Session, event_id: str, payload, now: datetime) -> int:
    """A notice still awaiting its branch past its due date: the branch's secretary, and the admins above the
    branch (as for a missed plan deadline)."""
    parameters = {
        "branch": people.org_name(session, payload.branch_id),
        "issue": payload.issue,
        "due_on": payload.due_on.isoformat(),
    }
    recipients = people.secretaries(session, payload.branch_id) + people.superiors(session, payload.branch_path)
    return notify(session, event_id, "rectification_overdue", recipients, parameters, now, payload.rectification_id)


def absence_flagged(session: Session, event_id: str, payload, now: datetime) -> int:
    """The branch's secretary is told who missed party days in a row."""
    parameters = {"member": people.name_of(session, payload.member_id), "count": payload.consecutive_absences}
    recipients = people.secretaries(session, payload.branch_id)
    return notify(session, event_id, "absence_flagged", recipients, parameters, now, payload.member_id)


def makeup_assigned(session: Session, event_id: str, payload, now: datetime) -> int:
    """The member absent without leave is told of their make-up study and when it is due."""
    parameters = {
        "theme": payload.theme,
        "starts_at": local_time(payload.starts_at),
        "due_at": local_time(payload.due_at),
    }
    return notify(session, event_id, "makeup_assigned", [payload.member_id], parameters, now, payload.activity_id)


def leave_requested(session: Session, payload) -> None:
    """A member who asked for leave is not reminded of the activity."""
    activity = session.get(Activity, payload.activity_id, with_for_update=True)
    if activity is not None and payload.member_id not in activity.on_leave:
        activity.on_leave = [*activity.on_leave, payload.member_id]


def leave_decided(session: Session, event_id: str, payload, now: datetime) -> int:
    """The member is told whether their leave was approved."""
    parameters = {"decision": payload.status}
    return notify(session, event_id, "leave_decided", [payload.member_id], parameters, now, payload.activity_id)


def upload_rejected(session: Session, event_id: str, payload, now: datetime) -> int:
    """Whoever uploaded it is told why it was rejected (the branch's secretary when nobody is named)."""
    recipients = [payload.uploaded_by] if payload.uploaded_by else people.secretaries(session, payload.branch_id)
    parameters = {"filename": payload.filename or payload.media_id, "reason": payload.reason}
    return notify(session, event_id, "upload_rejected", recipients, parameters, now, payload.media_id)


def comment_hidden(session: Session, event_id: str, payload, now: datetime) -> int:
    parameters = {"reports": payload.reports}
    return notify(session, event_id, "comment_hidden", [payload.author_id], parameters, now, payload.comment_id)


def comment_moderated(session: Session, event_id: str, payload, now: datetime) -> int:
    parameters = {"decision": payload.decision}
    return notify(session, event_id, "comment_moderated", [payload.author_id], parameters, now, payload.comment_id)


def evaluation_published(session: Session, event_id: str, payload, now: datetime) -> int:
    """The secretaries of the winning activities' branches are told their award."""
    awards = {**{a: "excellent" for a in payload.excellent}, **{a: "best" for a in payload.best}}
    told = 0
    found = session.execute(
        select(Activity.activity_id, Activity.branch_id).where(Activity.activity_id.in_(list(awards)))
    ).all()
    for activity_id, branch_id in found:
        parameters = {
            "period": payload.period,
            "branch": people.org_name(session, branch_id),
            "award": awards[activity_id],
        }
        recipients = people.secretaries(session, branch_id)
        told += notify(session, f"{event_id}:{activity_id}", "evaluation_published", recipients, parameters, now)
    return told


def campaign_opened(session: Session, event_id: str, payload, now: datetime) -> int:
    """The members under the campaign's organisation are told that voting has opened (scoring announces it when
    the campaign's window opens, once), and until when."""
    parameters = {
        "title": payload.title,
        "opens_at": local_time(payload.opens_at),
        "closes_at": local_time(payload.closes_at),
    }
    recipients = people.members_under(session, payload.org_path)
    return notify(session, event_id, "campaign_opened", recipients, parameters, now, payload.campaign_id)


def volunteer_request_submitted(session: Session, event_id: str, payload, now: datetime) -> int:
    """A resident's request: the branch's secretaries are told to take it in."""
    parameters = {
        "branch": people.org_name(session, payload.branch_id),
        "what": payload.what,
        "where": payload.where,
        "wanted_by": local_time(payload.wanted_by),
        "accept_by": local_time(payload.accept_by),
    }
    recipients = people.secretaries(session, payload.branch_id)
    return notify(session, event_id, "volunteer_request_submitted", recipients, parameters, now, payload.request_id)


def volunteer_request_dispatched(session: Session, event_id: str, payload, now: datetime) -> int:
    """A dispatched request: the members named, or every member of the branch it was published to."""
    parameters = {
        "branch": people.org_name(session, payload.branch_id),
        "what": payload.what,
        "where": payload.where,
        "wanted_by": local_time(payload.wanted_by),
    }
    recipients = people.branch_members(session, payload.branch_id) if payload.published else payload.member_ids
    return notify(session, event_id, "volunteer_request_dispatched", recipients, parameters, now, payload.request_id)
