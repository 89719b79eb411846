"""Branches whose plan or summary for a month is past its deadline: listed a page at a time, and each
announced once per branch, month and kind (`overdue_marks`).

A branch's deadlines are its schedule's (`schedules.py`); siblings share their parent's unless a branch has a
schedule of its own. Which deadlines have passed is decided per such group, and the branches that missed one
are found, counted and paged by one query."""

from datetime import datetime

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import Session

from partyday_common.orgtree import subtree_filter
from partyday_common.pagination import page_bounds
from partyday_plans import deadlines
from partyday_plans.announcements import announce
from partyday_plans.directives import month_directives
from partyday_plans.lifecycle import SUBMITTED, SUMMARIZED
from partyday_plans.meetings import THEME_DAY
from partyday_plans.models import OverdueMark, Plan, org_nodes
from partyday_plans.nodes import branches_under, node
from partyday_plans.paging import counted_page
from partyday_plans.schedules import Schedule, ScheduleBook
from partyday_plans_contracts.events import PlanOverdue, SummaryOverdue

ANNOUNCED = {"plan": PlanOverdue, "summary": SummaryOverdue}


def _parent_path(path: str) -> str:
    return path.rsplit("/", 2)[0] + "/"


class BranchDeadlines:
    """The schedules of a subtree's branches in a month, by parent and for the branches with their own."""

    def __init__(self, session: Session, org_path: str, month: str):
        book = ScheduleBook(session, month_directives(session, month))
        in_subtree = (subtree_filter(org_nodes, org_path), org_nodes.c.level == "branch")
        parents = session.execute(
            select(org_nodes.c.parent_id, func.min(org_nodes.c.path))
            .where(*in_subtree, org_nodes.c.parent_id.is_not(None))
            .group_by(org_nodes.c.parent_id)
        ).all()
        self.by_parent = {parent_id: book.for_path(_parent_path(path)) for parent_id, path in parents}
        singles = session.execute(
            select(org_nodes.c.org_id, org_nodes.c.path).where(
                *in_subtree, or_(org_nodes.c.org_id.in_(list(book.own)), org_nodes.c.parent_id.is_(None))
            )
        ).all()
        self.by_branch = {org_id: book.for_path(path) for org_id, path in singles}

    def of(self, branch_id: str, parent_id: str | None) -> Schedule:
        return self.by_branch.get(branch_id) or self.by_parent[parent_id]

    def passed(self, kind: str, month: str, now: datetime):
        """A condition on `org_nodes`: the branch's deadline for `kind` has passed at `now`."""

        def due(schedule: Schedule) -> bool:
            return kind in deadlines.missing_items(
                month, now, False, False, schedule.plan_deadline_day, schedule.summary_deadline_day, schedule.time_zone
            )

        parents = [parent_id for parent_id, schedule in self.by_parent.items() if due(schedule)]
        by_parent = true() if len(parents) == len(self.by_parent) else org_nodes.c.parent_id.in_(parents)
        return or_(
            org_nodes.c.org_id.in_([branch_id for branch_id, s in self.by_branch.items() if due(s)]),
            and_(org_nodes.c.org_id.not_in(list(self.by_branch)), by_parent),
        )


def _overdue(session: Session, org_path: str, month: str, now: datetime):
    """The query of the subtree's overdue branches by name, with each one's plan status; and their deadlines."""
    schedules = BranchDeadlines(session, org_path, month)
    status = Plan.status
    missed_plan = and_(schedules.passed("plan", month, now), or_(status.is_(None), status.not_in(SUBMITTED)))
    missed_summary = and_(schedules.passed("summary", month, now), or_(status.is_(None), status.not_in(SUMMARIZED)))
    query = (
        branches_under(org_path)
        .add_columns(status)
        .outerjoin(Plan, and_(Plan.branch_id == org_nodes.c.org_id, Plan.month == month, Plan.kind == THEME_DAY))
        .where(or_(missed_plan, missed_summary))
        .order_by(org_nodes.c.name, org_nodes.c.org_id)
    )
    return query, schedules


def _missing(row, schedule: Schedule, month: str, now: datetime) -> list[str]:
    return deadlines.missing_items(
        month,
        now,
        row.status in SUBMITTED,
        row.status in SUMMARIZED,
        schedule.plan_deadline_day,
        schedule.summary_deadline_day,
        schedule.time_zone,
    )


def overdue_page(session: Session, org_id: str, month: str, page: int, page_size: int, now: datetime) -> dict:
    """Branches under `org_id` whose plan or summary for `month` is past its deadline, by name."""
    deadlines.parse_month(month)
    offset, limit = page_bounds(page, page_size)
    query, schedules = _overdue(session, node(session, org_id)["path"], month, now)
    total, rows = counted_page(session, query, offset, limit)
    items = [
        {
            "branch_id": row.org_id,
            "name": row.name,
            "parent_id": row.parent_id,
            "missing": _missing(row, schedules.of(row.org_id, row.parent_id), month, now),
        }
        for row in rows
    ]
    return {"org_id": org_id, "month": month, "total": total, "page": page, "page_size": page_size, "items": items}


def mark_overdue(session: Session, month: str, now: datetime) -> int:
    """Record and announce each branch that newly went overdue for `month`, once per branch and kind; how many."""
    marked = {(m.branch_id, m.kind) for m in session.scalars(select(OverdueMark).where(OverdueMark.month == month))}
    query, schedules = _overdue(session, "/", month, now)
    announced = 0
    for row in session.execute(query):
        schedule = schedules.of(row.org_id, row.parent_id)
        for kind in _missing(row, schedule, month, now):
            if (row.org_id, kind) in marked:
                continue
            day = schedule.plan_deadline_day if kind == "plan" else schedule.summary_deadline_day
            session.add(OverdueMark(branch_id=row.org_id, month=month, kind=kind, marked_at=now))
            announce(
                session,
                ANNOUNCED[kind](
                    branch_id=row.org_id,
                    branch_path=row.path,
                    month=month,
                    kind=kind,
                    deadline=deadlines.deadline(month, day, schedule.time_zone),
                ),
            )
            announced += 1
    return announced
