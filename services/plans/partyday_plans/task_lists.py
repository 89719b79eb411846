"""A branch's annual task list (年度任务清单), replaced whole."""

from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import utcnow
from partyday_common.errors import invalid
from partyday_plans.models import AnnualTaskList
from partyday_plans.nodes import branch

MAX_TASKS = 200
MAX_TASK_LENGTH = 500


def check(year, items) -> None:
    """A year from 2000 to 2100 and up to 200 tasks of 1 to 500 characters, or 400."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise invalid("YEAR_INVALID", "a year from 2000 to 2100")
    if (
        not isinstance(items, list)
        or len(items) > MAX_TASKS
        or not all(isinstance(item, str) and 0 < len(item) <= MAX_TASK_LENGTH for item in items)
    ):
        raise invalid("TASKS_INVALID", f"up to {MAX_TASKS} tasks of 1 to {MAX_TASK_LENGTH} characters")


def put_task_list(session: Session, branch_id: str, year: int, items: list[str]) -> dict:
    """Replace the branch's list for the year; audited as `task_list.put` with the number of tasks."""
    home = branch(session, branch_id)
    tasks = session.get(AnnualTaskList, (branch_id, year)) or AnnualTaskList(branch_id=branch_id, year=year)
    tasks.branch_path, tasks.items, tasks.updated_at = home["path"], items, utcnow()
    tasks.updated_by = session.info.get("actor_id")
    session.add(tasks)
    audit.record(session, "task_list.put", "task_list", f"{branch_id}:{year}", home["path"], {"tasks": len(items)})
    return {"branch_id": branch_id, "year": year, "items": items}


def get_task_list(session: Session, branch_id: str, year: int) -> dict:
    """The branch's list for the year; empty when none was written."""
    branch(session, branch_id)
    tasks = session.get(AnnualTaskList, (branch_id, year))
    return {"branch_id": branch_id, "year": year, "items": tasks.items if tasks else []}
