"""The counts per branch a month: requests received, completed, and the residents' average rating."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.errors import invalid
from partyday_volunteers.models import VolunteerRequest, org_nodes
from partyday_volunteers.requests import under


def month_bounds(month: str, time_zone: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the time zone (400 MONTH_INVALID for a bad month)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1, tzinfo=ZoneInfo(time_zone))
    except ValueError:
        raise invalid("MONTH_INVALID", "month must look like 2026-12", month=month)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=ZoneInfo(time_zone))
    return start, end


def _counted(session: Session, path: str, column, start: datetime, end: datetime, value) -> dict:
    rows = session.execute(
        select(VolunteerRequest.branch_id, value)
        .where(under(path), column >= start, column < end)
        .group_by(VolunteerRequest.branch_id)
    )
    return {branch_id: figure for branch_id, figure in rows}


def per_branch(session: Session, path: str, month: str, time_zone: str) -> dict:
    """Each branch under `path` with any request that month: received (submitted in the month), completed (done in
    the month) and the average of the ratings given in the month (None without one)."""
    start, end = month_bounds(month, time_zone)
    received = _counted(session, path, VolunteerRequest.submitted_at, start, end, func.count())
    completed = _counted(session, path, VolunteerRequest.completed_at, start, end, func.count())
    ratings = _counted(session, path, VolunteerRequest.confirmed_at, start, end, func.avg(VolunteerRequest.rating))
    branch_ids = sorted(set(received) | set(completed) | set(ratings))
    named = session.execute(select(org_nodes.c.org_id, org_nodes.c.name).where(org_nodes.c.org_id.in_(branch_ids)))
    names = dict(named.tuples().all())
    items = [
        {
            "branch_id": branch_id,
            "name": names.get(branch_id, ""),
            "received": received.get(branch_id, 0),
            "completed": completed.get(branch_id, 0),
            "average_rating": round(float(ratings[branch_id]), 2) if ratings.get(branch_id) is not None else None,
        }
        for branch_id in branch_ids
    ]
    totals = {
        "received": sum(item["received"] for item in items),
        "completed": sum(item["completed"] for item in items),
    }
    return {"month": month, "items": items, "totals": totals}
