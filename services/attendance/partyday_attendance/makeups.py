"""Make-up study (补学): a member absent without leave from a closed party day gets a task to study that day's
materials, due `PARTYDAY_ATTENDANCE_MAKEUP_DUE_DAYS` after the close, done by writing a study reflection. The
absence stays on the sheet: a make-up changes no status, no count and no streak.

The rules are plain functions (`due_at`, `state`, `check_reflection`); the rest keeps the tasks in step with the
sheet: assigned at the close, withdrawn when a review signs the member in after all (a task already done stays),
assigned again when a review leaves them absent."""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_attendance.absences import THEME_DAY
from partyday_attendance.models import Activity, MakeupTask, SheetEntry
from partyday_attendance_contracts.events import MakeupAssigned, MakeupCompleted
from partyday_common.db import emit
from partyday_common.errors import DomainError
from partyday_common.text import visible_length

# A reflection shorter than this says nothing of what was studied; the member's own words, not a formality.
MIN_REFLECTION_CHARS = 30
MAX_REFLECTION_CHARS = 5000
STATES = ("assigned", "overdue", "done", "withdrawn")


def due_at(closed_at: datetime, due_days: int) -> datetime:
    """A make-up is due `due_days` whole days after the party day's sheet closed."""
    return closed_at + timedelta(days=due_days)


def state(status: str, due: datetime, now: datetime) -> str:
    """Where a task stands at `now`: done and withdrawn stay so; an assigned one is overdue once its due instant
    has passed (due at exactly `now` is not yet overdue)."""
    if status in ("done", "withdrawn"):
        return status
    return "overdue" if now > due else "assigned"


def check_reflection(text) -> str:
    """The reflection that completes a make-up: stripped, at least `MIN_REFLECTION_CHARS` characters a reader sees
    (`partyday_common.text`), at most `MAX_REFLECTION_CHARS` as sent."""
    if not isinstance(text, str):
        raise DomainError("MAKEUP_REFLECTION_REQUIRED", "a study reflection completes a make-up", 422)
    stripped = text.strip()
    visible = visible_length(stripped)
    if visible < MIN_REFLECTION_CHARS:
        raise DomainError(
            "MAKEUP_REFLECTION_TOO_SHORT",
            f"a study reflection of at least {MIN_REFLECTION_CHARS} characters completes a make-up",
            422,
            {"min_chars": MIN_REFLECTION_CHARS, "chars": visible},
        )
    if len(stripped) > MAX_REFLECTION_CHARS:
        raise DomainError(
            "MAKEUP_REFLECTION_TOO_LONG",
            f"a study reflection has at most {MAX_REFLECTION_CHARS} characters",
            422,
            {"max_chars": MAX_REFLECTION_CHARS},
        )
    return stripped


def follow(session: Session, act: Activity, entry: SheetEntry, now: datetime, due_days: int) -> None:
    """Keep a member's task in step with their closed sheet line: absent (not a guest) from a theme day has a task,
    assigned (again) if it had none or was withdrawn; anything else withdraws an open one. A task done stays done.
    A missed meeting of 三会一课 is made up by no study: its sheet holds the whole branch, committee or not."""
    if entry.status == "absent" and not entry.guest and act.kind == THEME_DAY:
        _assign(session, act, entry, now, due_days)
    else:
        withdraw(session, act.id, entry.member_id)


def withdraw(session: Session, activity_id: str, member_id: str) -> None:
    """A member signed in after all (a late offline scan, an accepted claim): their open task is withdrawn."""
    task = session.get(MakeupTask, (activity_id, member_id), with_for_update=True)
    if task is not None and task.status == "assigned":
        task.status = "withdrawn"


def _assign(session: Session, act: Activity, entry: SheetEntry, now: datetime, due_days: int) -> None:
    task = session.get(MakeupTask, (act.id, entry.member_id), with_for_update=True)
    if task is None:
        task = MakeupTask(activity_id=act.id, member_id=entry.member_id, branch_id=act.branch_id, late=False)
        session.add(task)
    elif task.status != "withdrawn":
        return
    task.name, task.status, task.assigned_at = entry.name, "assigned", now
    task.due_at = due_at(act.closed_at or now, due_days)
    emit(
        session,
        "makeup_assigned",
        MakeupAssigned(
            activity_id=act.id,
            member_id=entry.member_id,
            branch_id=act.branch_id,
            theme=act.theme,
            starts_at=act.starts_at,
            due_at=task.due_at,
        ).model_dump(mode="json"),
    )


def complete(session: Session, activity_id: str, member_id: str, reflection, now: datetime) -> dict:
    """The member completes their make-up with a study reflection; late if past its due instant (still taken: the
    study is what is asked for, the lateness stays on record)."""
    text = check_reflection(reflection)
    task = session.get(MakeupTask, (activity_id, member_id), with_for_update=True)
    if task is None or task.status == "withdrawn":
        raise DomainError(
            "MAKEUP_NOT_FOUND", "you have no make-up study for this party day", 404, {"activity_id": activity_id}
        )
    if task.status == "done":
        raise DomainError(
            "MAKEUP_ALREADY_DONE",
            "this make-up study is done",
            409,
            {"completed_at": task.completed_at.isoformat()},
        )
    task.late = state(task.status, task.due_at, now) == "overdue"
    task.status, task.completed_at, task.reflection = "done", now, text
    act = session.get(Activity, activity_id)
    emit(
        session,
        "makeup_completed",
        MakeupCompleted(
            activity_id=activity_id,
            member_id=member_id,
            branch_id=task.branch_id,
            completed_at=now,
            late=task.late,
        ).model_dump(mode="json"),
    )
    session.flush()
    session.refresh(task)
    return view(task, act, now)


def view(task: MakeupTask, act: Activity | None, now: datetime) -> dict:
    return {
        "activity_id": task.activity_id,
        "member_id": task.member_id,
        "name": task.name,
        "branch_id": task.branch_id,
        "theme": act.theme if act else None,
        "starts_at": act.starts_at.isoformat() if act else None,
        "state": state(task.status, task.due_at, now),
        "assigned_at": task.assigned_at.isoformat(),
        "due_at": task.due_at.isoformat(),
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
        "late": task.late,
        "reflection": task.reflection,
    }


def sheet_states(session: Session, activity_id: str, now: datetime) -> dict[str, dict]:
    """Per member of a sheet, their make-up (state, due and done instants), for the sheet's view."""
    tasks = session.scalars(select(MakeupTask).where(MakeupTask.activity_id == activity_id)).all()
    return {
        task.member_id: {
            "state": state(task.status, task.due_at, now),
            "due_at": task.due_at.isoformat(),
            "completed_at": task.completed_at.isoformat() if task.completed_at else None,
            "late": task.late,
        }
        for task in tasks
    }


def of_member(session: Session, member_id: str, now: datetime, offset: int, limit: int) -> tuple[int, list[dict]]:
    """A member's make-ups (withdrawn ones left out): those still to do first, the soonest due first, then those
    done, the latest first."""
    where = (MakeupTask.member_id == member_id, MakeupTask.status != "withdrawn")
    total = session.scalar(select(func.count()).select_from(MakeupTask).where(*where))
    rows = session.execute(
        select(MakeupTask, Activity)
        .join(Activity, Activity.id == MakeupTask.activity_id)
        .where(*where)
        .order_by((MakeupTask.status == "done").asc(), MakeupTask.due_at, MakeupTask.activity_id)
        .offset(offset)
        .limit(limit)
    ).all()
    return total, [view(task, act, now) for task, act in rows]


def of_branch(
    session: Session, branch_id: str, wanted: str | None, now: datetime, offset: int, limit: int
) -> tuple[int, list[dict]]:
    """A branch's make-ups, the soonest due first; `wanted` one state (assigned, overdue, done), else all but the
    withdrawn. Overdue is decided in SQL against `now`, so the page is a page of what is asked for."""
    where = [MakeupTask.branch_id == branch_id]
    if wanted == "overdue":
        where += [MakeupTask.status == "assigned", MakeupTask.due_at < now]
    elif wanted == "assigned":
        where += [MakeupTask.status == "assigned", MakeupTask.due_at >= now]
    elif wanted == "done":
        where.append(MakeupTask.status == "done")
    else:
        where.append(MakeupTask.status != "withdrawn")
    total = session.scalar(select(func.count()).select_from(MakeupTask).where(*where))
    rows = session.execute(
        select(MakeupTask, Activity)
        .join(Activity, Activity.id == MakeupTask.activity_id)
        .where(*where)
        .order_by(MakeupTask.due_at, MakeupTask.name, MakeupTask.member_id)
        .offset(offset)
        .limit(limit)
    ).all()
    return total, [view(task, act, now) for task, act in rows]
