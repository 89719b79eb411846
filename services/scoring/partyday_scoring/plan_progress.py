"""How far each branch's plan of a month went (planned, approved, held, documented), from the plans service's
events and attendance's closing: what the progress dashboard and the monthly inspection count. The theme day's
stages are counted apart from the other meetings (三会一课), of which the dashboard counts the branches that
planned and held each kind."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_scoring import tree
from partyday_scoring.expectations import PlanProgressed
from partyday_scoring.models import PlanProgress, ScoredActivity

THEME_DAY = "theme_day"
MEETING_KINDS = ("members_meeting", "branch_committee", "group_meeting", "party_lecture")
APPROVED_BY = ("plan_approved", "plan_held", "summary_submitted", "plan_archived")
HELD_BY = ("plan_held", "summary_submitted", "plan_archived")


def _progress(session: Session, plan: PlanProgressed) -> PlanProgress:
    found = session.get(PlanProgress, plan.plan_id)
    if found is None:
        found = PlanProgress(
            plan_id=plan.plan_id,
            branch_id=plan.branch_id,
            branch_path=tree.current_path(session, plan.branch_id, plan.branch_path),
            month=plan.month,
            kind=plan.kind,
            planned=True,
            approved=False,
            held=False,
            summarized=False,
        )
        session.add(found)
    found.activity_id = plan.activity_id or found.activity_id
    return found


def advanced(session: Session, event_type: str, plan: PlanProgressed) -> None:
    """Follow a plan's progress; events of one plan may arrive in any order, so flags only ever turn on."""
    progress = _progress(session, plan)
    if event_type in APPROVED_BY:
        progress.approved = True
    if event_type in HELD_BY:
        progress.held = True
    if event_type == "summary_submitted" or (event_type == "plan_archived" and plan.summary_chars):
        progress.summarized = True


def activity_held(session: Session, activity_id: str) -> None:
    """Attendance closed the activity: its plan was held, whatever plans has said so far."""
    progress = session.scalar(select(PlanProgress).where(PlanProgress.activity_id == activity_id))
    if progress is not None:
        progress.held = True


def stages_by_branch(session: Session, path: str, month: str, branches: dict) -> dict[str, dict[str, bool]]:
    """How far each branch's theme day plan of the month went: planned, approved, held, documented (a summary was
    submitted, or media reported a detail score above 0) and scored."""
    reached = {}
    for plan, detail, total in session.execute(
        select(PlanProgress, ScoredActivity.detail_score, ScoredActivity.total)
        .outerjoin(ScoredActivity, ScoredActivity.activity_id == PlanProgress.activity_id)
        .where(
            PlanProgress.month == month,
            PlanProgress.kind == THEME_DAY,
            PlanProgress.branch_path.startswith(path, autoescape=True),
        )
    ).all():
        if plan.branch_id in branches:
            reached[plan.branch_id] = {
                "planned": plan.planned,
                "approved": plan.approved,
                "held": plan.held,
                "documented": plan.summarized or bool(detail),
                "scored": total is not None,
            }
    return reached


def meetings_by_branch(session: Session, path: str, month: str, branches: dict) -> dict[str, dict[str, dict]]:
    """Per branch and kind of meeting other than the theme day, whether it planned one in the month and held it."""
    reached: dict[str, dict[str, dict]] = {}
    for plan in session.scalars(
        select(PlanProgress).where(
            PlanProgress.month == month,
            PlanProgress.kind != THEME_DAY,
            PlanProgress.branch_path.startswith(path, autoescape=True),
        )
    ):
        if plan.branch_id in branches:
            reached.setdefault(plan.branch_id, {})[plan.kind] = {"planned": plan.planned, "held": plan.held}
    return reached
