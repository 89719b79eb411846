"""A branch's saved venues: every place its plans have named, remembered with the plans themselves, so that a
secretary picks last month's room again instead of typing its coordinates."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.pagination import page_bounds
from partyday_plans.models import Plan
from partyday_plans.nodes import branch
from partyday_plans.paging import counted_page


def branch_venues(session: Session, branch_id: str, page: int, page_size: int) -> dict:
    """The distinct venues (name, position, radius) of the branch's plans, the most recently used first, each
    with the month it was last used in."""
    branch(session, branch_id)
    offset, limit = page_bounds(page, page_size)
    last_used = func.max(Plan.updated_at)
    query = (
        select(Plan.venue_name, Plan.venue_lat, Plan.venue_lon, Plan.radius_m, func.max(Plan.month).label("month"))
        .where(Plan.branch_id == branch_id)
        .group_by(Plan.venue_name, Plan.venue_lat, Plan.venue_lon, Plan.radius_m)
        .order_by(last_used.desc(), Plan.venue_name)
    )
    total, rows = counted_page(session, query, offset, limit)
    items = [
        {
            "name": row.venue_name,
            "lat": row.venue_lat,
            "lon": row.venue_lon,
            "radius_m": row.radius_m,
            "last_month": row.month,
        }
        for row in rows
    ]
    return {"branch_id": branch_id, "items": items, "total": total, "page": page, "page_size": page_size}
