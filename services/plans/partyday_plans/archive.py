"""The plans side of the six-haves archive (六有): per branch of a subtree, a page at a time, the annual task
list, the month's theme day plan and its summary, the study materials of the directives that applied to it, and
how many meetings of each other kind (三会一课) it held in the month."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.pagination import page_bounds
from partyday_plans import deadlines, meetings
from partyday_plans.directives import month_directives
from partyday_plans.meetings import THEME_DAY
from partyday_plans.models import AnnualTaskList, Plan, org_nodes
from partyday_plans.nodes import ancestors, branches_under, node
from partyday_plans.paging import counted_page


def archive_page(session: Session, org_id: str, month: str, page: int, page_size: int) -> dict:
    """What plans holds of a page of the subtree's branches, by name, for the month's archive."""
    deadlines.parse_month(month)
    offset, limit = page_bounds(page, page_size)
    query = branches_under(node(session, org_id)["path"]).order_by(org_nodes.c.name, org_nodes.c.org_id)
    total, found = counted_page(session, query, offset, limit)
    branches = found.mappings().all()
    ids = [row["org_id"] for row in branches]
    year = int(month[:4])
    task_lists = {
        row.branch_id: row
        for row in session.scalars(
            select(AnnualTaskList).where(AnnualTaskList.branch_id.in_(ids), AnnualTaskList.year == year)
        )
    }
    plans = {
        plan.branch_id: plan
        for plan in session.scalars(
            select(Plan).where(Plan.branch_id.in_(ids), Plan.month == month, Plan.kind == THEME_DAY)
        )
    }
    directives = month_directives(session, month)
    held = meetings.held_counts(session, ids, month)
    items = []
    for row in branches:
        plan = plans.get(row["org_id"])
        tasks = task_lists.get(row["org_id"])
        applying = [d for d in directives if d.org_id in ancestors(row["path"])]
        items.append(
            {
                "branch_id": row["org_id"],
                "name": row["name"],
                "year": year,
                "task_list_items": len(tasks.items) if tasks else 0,
                "plan": None
                if plan is None
                else {
                    "plan_id": plan.id,
                    "status": plan.status,
                    "activity_id": plan.activity_id,
                    "summary_submitted": plan.summary_submitted_at is not None,
                },
                "meetings": held[row["org_id"]],
                "directives": [
                    {"directive_id": d.id, "theme": d.theme, "study_materials": d.study_materials} for d in applying
                ],
            }
        )
    return {"org_id": org_id, "month": month, "total": total, "page": page, "page_size": page_size, "items": items}
