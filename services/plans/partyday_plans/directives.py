"""Directives (一键下发): a month's requirements published at a city or county for every branch below it.

A directive is one row; a branch's task is every directive of the month on its path, read by query, so every
branch reads it as its task from the moment it commits."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.pagination import page_bounds
from partyday_plans import deadlines
from partyday_plans.announcements import announce
from partyday_plans.models import Directive, Plan, org_nodes
from partyday_plans.nodes import ancestors, branches_under, node
from partyday_plans.paging import counted_page
from partyday_plans.schedules import ScheduleBook
from partyday_plans_contracts.events import DirectivePublished
from partyday_plans_contracts.rpc import DirectiveCreate

PUBLISHERS = ("city", "county")


def directive_view(directive: Directive) -> dict:
    return {
        "directive_id": directive.id,
        "org_id": directive.org_id,
        "month": directive.month,
        "theme": directive.theme,
        "required_actions": directive.required_actions,
        "study_materials": directive.study_materials,
        "plan_deadline_day": directive.plan_deadline_day,
        "summary_deadline_day": directive.summary_deadline_day,
        "published_at": directive.published_at.isoformat(),
    }


def directives_for(session: Session, path: str, month: str) -> list[Directive]:
    """The month's directives published at the node or any of its ancestors, oldest first."""
    return session.scalars(
        select(Directive)
        .where(Directive.month == month, Directive.org_id.in_(ancestors(path)))
        .order_by(Directive.published_at)
    ).all()


def month_directives(session: Session, month: str) -> list[Directive]:
    """Every directive of the month, oldest first."""
    return session.scalars(select(Directive).where(Directive.month == month).order_by(Directive.published_at)).all()


def for_node(session: Session, org_id: str, month: str) -> list[dict]:
    """The month's directives that apply to a node: its own and its ancestors'."""
    deadlines.parse_month(month)
    return [directive_view(d) for d in directives_for(session, node(session, org_id)["path"], month)]


def publish_directive(session: Session, request: DirectiveCreate) -> dict:
    """One row reaches every branch below the node: each reads it as its task at once."""
    target = node(session, request.org_id)
    if target["level"] not in PUBLISHERS:
        raise DomainError(
            "DIRECTIVE_LEVEL_INVALID", "a city or a county publishes directives", 422, {"level": target["level"]}
        )
    directive = Directive(
        id=uuid.uuid4().hex,
        org_id=target["org_id"],
        org_path=target["path"],
        month=request.month,
        theme=request.theme,
        required_actions=request.required_actions,
        study_materials=request.study_materials,
        plan_deadline_day=request.plan_deadline_day,
        summary_deadline_day=request.summary_deadline_day,
        published_at=utcnow(),
        published_by=session.info.get("actor_id"),
    )
    session.add(directive)
    announce(
        session,
        DirectivePublished(
            directive_id=directive.id,
            org_id=directive.org_id,
            org_path=directive.org_path,
            month=directive.month,
            theme=directive.theme,
            required_actions=directive.required_actions,
        ),
    )
    audit.record(
        session,
        "directive.publish",
        "directive",
        directive.id,
        directive.org_path,
        {"month": directive.month, "theme": directive.theme},
    )
    return directive_view(directive)


def delivery(session: Session, directive_id: str, page: int, page_size: int) -> dict:
    """A page of the branches a directive reached, in tree order, each with its task's plan deadline and plan
    status: delivery is by derivation (a branch's task is every directive on its path), so this is what each
    branch reads from the moment the directive was committed."""
    offset, limit = page_bounds(page, page_size)
    directive = session.get(Directive, directive_id)
    if directive is None:
        raise not_found("directive", directive_id)
    total, found = counted_page(session, branches_under(directive.org_path).order_by(org_nodes.c.path), offset, limit)
    rows = found.mappings().all()
    statuses = dict(
        session.execute(
            select(Plan.branch_id, Plan.status).where(
                Plan.month == directive.month,
                Plan.kind == "theme_day",
                Plan.branch_id.in_([row["org_id"] for row in rows]),
            )
        ).all()
    )
    schedules = ScheduleBook(session, month_directives(session, directive.month))
    items = []
    for row in rows:
        schedule = schedules.for_path(row["path"])
        items.append(
            {
                "branch_id": row["org_id"],
                "name": row["name"],
                "plan_due": deadlines.deadline(
                    directive.month, schedule.plan_deadline_day, schedule.time_zone
                ).isoformat(),
                "plan_status": statuses.get(row["org_id"]),
            }
        )
    return {
        "directive": directive_view(directive),
        "org_path": directive.org_path,
        "total": total,
        "items": items,
        "page": page,
        "page_size": page_size,
    }
