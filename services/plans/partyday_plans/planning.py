"""Directives, plans, schedules, annual task lists and rectifications, on the plans database."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.clock import aware
from partyday_common.db import emit, utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.orgtree import get_node, subtree_filter
from partyday_plans import deadlines, lifecycle
from partyday_plans.models import (
    AnnualTaskList,
    Directive,
    OrgSchedule,
    OverdueMark,
    Plan,
    PlanTransition,
    Rectification,
    org_nodes,
)
from partyday_plans_contracts.events import DirectivePublished, Overdue, PlanApproved, PlanEvent, RectificationIssued
from partyday_plans_contracts.rpc import (
    DirectiveCreate,
    PlanCreate,
    PlanEdit,
    RectificationAnswer,
    RectificationCreate,
    ScheduleSet,
)

SUBMITTED = {"submitted", "published", "held", "summarized", "archived"}
SUMMARIZED = {"summarized", "archived"}


@dataclass(frozen=True)
class Schedule:
    time_zone: str = deadlines.DEFAULT_TIME_ZONE
    party_day: int | None = None
    plan_deadline_day: int = deadlines.DEFAULT_PLAN_DEADLINE_DAY
    summary_deadline_day: int = deadlines.DEFAULT_SUMMARY_DEADLINE_DAY


def node(session: Session, org_id: str):
    found = get_node(session, org_nodes, org_id)
    if found is None:
        raise not_found("org", org_id)
    return found


def branch(session: Session, org_id: str):
    found = node(session, org_id)
    if found["level"] != "branch":
        raise DomainError("BRANCH_REQUIRED", "plans belong to a branch", 422, {"org_id": org_id})
    return found


def ancestors(path: str) -> list[str]:
    """The ids on a materialised path, root first."""
    return [part for part in path.strip("/").split("/") if part]


def schedule_for(session: Session, path: str, directives: list[Directive]) -> Schedule:
    """A branch's schedule: its nearest ancestor's own, with the deadline days of the month's directives."""
    ids = ancestors(path)
    own = {s.org_id: s for s in session.scalars(select(OrgSchedule).where(OrgSchedule.org_id.in_(ids)))}
    nearest = next((own[i] for i in reversed(ids) if i in own), None)
    schedule = Schedule(nearest.time_zone, nearest.party_day, nearest.plan_deadline_day,
                        nearest.summary_deadline_day) if nearest else Schedule()
    days = deadlines.directive_deadline_days(path, directives)
    if days:
        schedule = Schedule(schedule.time_zone, schedule.party_day, *days)
    return schedule


def directives_for(session: Session, path: str, month: str) -> list[Directive]:
    """The month's directives published at the node or any of its ancestors."""
    ids = ancestors(path)
    return session.scalars(select(Directive).where(Directive.month == month, Directive.org_id.in_(ids))
                           .order_by(Directive.published_at)).all()


def directive_view(directive: Directive) -> dict:
    return {"directive_id": directive.id, "org_id": directive.org_id, "month": directive.month,
            "theme": directive.theme, "required_actions": directive.required_actions,
            "study_materials": directive.study_materials, "plan_deadline_day": directive.plan_deadline_day,
            "summary_deadline_day": directive.summary_deadline_day,
            "published_at": directive.published_at.isoformat()}


def publish_directive(session: Session, request: DirectiveCreate) -> dict:
    """One row reaches every branch below the node: each reads it as its task at once."""
    target = node(session, request.org_id)
    if target["level"] not in ("city", "county"):
        raise DomainError("DIRECTIVE_LEVEL_INVALID", "a city or a county publishes directives", 422,
                          {"level": target["level"]})
    directive = Directive(id=uuid.uuid4().hex, org_id=target["org_id"], org_path=target["path"], month=request.month,
                          theme=request.theme, required_actions=request.required_actions,
                          study_materials=request.study_materials, plan_deadline_day=request.plan_deadline_day,
                          summary_deadline_day=request.summary_deadline_day, published_at=utcnow(),
                          published_by=session.info.get("actor_id"))
    session.add(directive)
    emit(session, "directive_published", DirectivePublished(
        directive_id=directive.id, org_id=directive.org_id, org_path=directive.org_path, month=directive.month,
        theme=directive.theme, required_actions=directive.required_actions).model_dump(mode="json"))
    return directive_view(directive)


def plan_view(plan: Plan) -> dict:
    return {"plan_id": plan.id, "branch_id": plan.branch_id, "month": plan.month, "theme": plan.theme,
            "starts_at": aware(plan.starts_at).isoformat(), "ends_at": aware(plan.ends_at).isoformat(),
            "venue": {"name": plan.venue_name, "lat": plan.venue_lat, "lon": plan.venue_lon,
                      "radius_m": plan.radius_m},
            "required_actions": plan.required_actions, "optional_actions": plan.optional_actions,
            "attendance_rules": plan.attendance_rules, "status": plan.status, "activity_id": plan.activity_id,
            "submitted_late": plan.submitted_late, "review_comment": plan.review_comment,
            "summary": plan.summary_text, "summary_late": plan.summary_late}


def _check(plan: Plan, directives: list[Directive], schedule: Schedule) -> None:
    lifecycle.check_timing(plan.month, aware(plan.starts_at), aware(plan.ends_at), schedule.time_zone,
                           schedule.party_day)
    lifecycle.check_required_actions([a for d in directives for a in d.required_actions], plan.required_actions)


def _move(session: Session, plan: Plan, action: str, comment: str | None = None) -> None:
    before = plan.status
    plan.status = lifecycle.next_status(plan.status, action)
    plan.updated_at = utcnow()
    session.add(PlanTransition(plan_id=plan.id, from_status=before, to_status=plan.status,
                               actor_id=session.info.get("actor_id"), comment=comment, at=utcnow()))


def _event(plan: Plan) -> dict:
    return PlanEvent(plan_id=plan.id, branch_id=plan.branch_id, branch_path=plan.branch_path, month=plan.month,
                     status=plan.status, activity_id=plan.activity_id,
                     summary_chars=len(plan.summary_text or "")).model_dump()


def create_plan(session: Session, request: PlanCreate) -> dict:
    home = branch(session, request.branch_id)
    if session.scalar(select(Plan.id).where(Plan.branch_id == home["org_id"], Plan.month == request.month)):
        raise DomainError("PLAN_EXISTS", "the branch already has a plan for this month; edit it", 409)
    now = utcnow()
    plan = Plan(id=uuid.uuid4().hex, branch_id=home["org_id"], branch_path=home["path"], month=request.month,
                theme=request.theme, starts_at=request.starts_at, ends_at=request.ends_at,
                venue_name=request.venue.name, venue_lat=request.venue.lat, venue_lon=request.venue.lon,
                radius_m=request.venue.radius_m, required_actions=request.required_actions,
                optional_actions=request.optional_actions, attendance_rules=request.attendance_rules.model_dump(),
                status="draft", submitted_late=False, summary_late=False, created_at=now, updated_at=now)
    lifecycle.check_timing(plan.month, request.starts_at, request.ends_at,
                           schedule_for(session, plan.branch_path, []).time_zone, None)
    session.add(plan)
    session.add(PlanTransition(plan_id=plan.id, from_status=None, to_status="draft",
                               actor_id=session.info.get("actor_id"), at=now))
    return plan_view(plan)


def get_plan(session: Session, plan_id: str) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise not_found("plan", plan_id)
    return plan


def edit_plan(session: Session, plan_id: str, request: PlanEdit) -> dict:
    plan = get_plan(session, plan_id)
    lifecycle.next_status(plan.status, "edit")
    changes = request.model_dump(exclude_unset=True)
    for field in ("theme", "starts_at", "ends_at", "required_actions", "optional_actions"):
        if changes.get(field) is not None:
            setattr(plan, field, getattr(request, field))
    if request.venue is not None:
        plan.venue_name, plan.venue_lat, plan.venue_lon, plan.radius_m = (
            request.venue.name, request.venue.lat, request.venue.lon, request.venue.radius_m)
    if request.attendance_rules is not None:
        plan.attendance_rules = request.attendance_rules.model_dump()
    plan.updated_at = utcnow()
    return plan_view(plan)


def submit_plan(session: Session, plan_id: str, now: datetime) -> dict:
    """Submit for review; after the deadline it is accepted and flagged late, never refused."""
    plan = get_plan(session, plan_id)
    _move(session, plan, "submit")
    directives = directives_for(session, plan.branch_path, plan.month)
    schedule = schedule_for(session, plan.branch_path, directives)
    _check(plan, directives, schedule)
    plan.submitted_at = now
    plan.submitted_late = now >= deadlines.deadline(plan.month, schedule.plan_deadline_day, schedule.time_zone)
    emit(session, "plan_submitted", _event(plan))
    return plan_view(plan)


def return_plan(session: Session, plan_id: str, comment: str) -> dict:
    plan = get_plan(session, plan_id)
    _move(session, plan, "return", comment)
    plan.review_comment = comment
    plan.reviewed_by = session.info.get("actor_id")
    plan.reviewed_at = utcnow()
    emit(session, "plan_returned", _event(plan))
    return plan_view(plan)


def approve_plan(session: Session, plan: Plan, roster: list[dict]) -> dict:
    """Approval publishes the plan to the branch's members and makes it an activity."""
    _move(session, plan, "approve")
    plan.activity_id = uuid.uuid4().hex
    plan.reviewed_by = session.info.get("actor_id")
    plan.reviewed_at = utcnow()
    plan.review_comment = None
    emit(session, "plan_approved", PlanApproved(
        plan_id=plan.id, activity_id=plan.activity_id, branch_id=plan.branch_id, branch_path=plan.branch_path,
        month=plan.month, theme=plan.theme, starts_at=aware(plan.starts_at), ends_at=aware(plan.ends_at),
        venue_name=plan.venue_name, venue_lat=plan.venue_lat, venue_lon=plan.venue_lon, radius_m=plan.radius_m,
        required_actions=plan.required_actions, attendance_rules=plan.attendance_rules,
        roster=roster).model_dump(mode="json"))
    return plan_view(plan)


def submit_summary(session: Session, activity_id: str, text: str, now: datetime) -> dict:
    plan = session.scalar(select(Plan).where(Plan.activity_id == activity_id))
    if plan is None:
        raise not_found("activity", activity_id)
    if now < aware(plan.ends_at):
        raise DomainError("ACTIVITY_NOT_ENDED", "a summary comes after the activity has ended", 422)
    _move(session, plan, "summarize")
    directives = directives_for(session, plan.branch_path, plan.month)
    schedule = schedule_for(session, plan.branch_path, directives)
    plan.summary_text = text
    plan.summary_submitted_at = now
    plan.summary_late = now >= deadlines.deadline(plan.month, schedule.summary_deadline_day, schedule.time_zone)
    emit(session, "summary_submitted", _event(plan))
    return plan_view(plan)


def overdue_branches(session: Session, org_path: str, month: str, now: datetime) -> list[dict]:
    """Branches of the subtree whose plan or summary for `month` is past its deadline, by name."""
    branches = session.execute(select(org_nodes.c.org_id, org_nodes.c.name, org_nodes.c.parent_id,
                                      org_nodes.c.path)
                               .where(subtree_filter(org_nodes, org_path), org_nodes.c.level == "branch")
                               .order_by(org_nodes.c.name, org_nodes.c.org_id)).mappings().all()
    statuses = dict(session.execute(select(Plan.branch_id, Plan.status).where(
        Plan.month == month, Plan.branch_path.startswith(org_path, autoescape=True))).all())
    directives = session.scalars(select(Directive).where(Directive.month == month)).all()
    schedules = {}
    overdue = []
    for row in branches:
        parent = row["path"].rsplit("/", 2)[0] + "/"
        if parent not in schedules:
            schedules[parent] = schedule_for(session, row["path"], directives)
        schedule = schedules[parent]
        status = statuses.get(row["org_id"])
        missing = deadlines.missing_items(month, now, status in SUBMITTED, status in SUMMARIZED,
                                          schedule.plan_deadline_day, schedule.summary_deadline_day,
                                          schedule.time_zone)
        if missing:
            overdue.append({"branch_id": row["org_id"], "name": row["name"], "parent_id": row["parent_id"],
                            "path": row["path"], "missing": missing,
                            "deadline_days": (schedule.plan_deadline_day, schedule.summary_deadline_day),
                            "time_zone": schedule.time_zone})
    return overdue


def mark_overdue(session: Session, month: str, now: datetime) -> int:
    """Record and announce each branch that newly went overdue for `month`; once per branch and kind."""
    roots = session.execute(select(org_nodes.c.path).where(org_nodes.c.parent_id.is_(None))).scalars().all()
    marked = {(m.branch_id, m.kind) for m in session.scalars(select(OverdueMark).where(OverdueMark.month == month))}
    announced = 0
    for root in roots:
        for row in overdue_branches(session, root, month, now):
            for kind in row["missing"]:
                if (row["branch_id"], kind) in marked:
                    continue
                plan_day, summary_day = row["deadline_days"]
                due = deadlines.deadline(month, plan_day if kind == "plan" else summary_day, row["time_zone"])
                session.add(OverdueMark(branch_id=row["branch_id"], month=month, kind=kind, marked_at=now))
                emit(session, f"{kind}_overdue", Overdue(branch_id=row["branch_id"], branch_path=row["path"],
                                                         month=month, kind=kind, deadline=due).model_dump(mode="json"))
                announced += 1
    return announced


def advance(session: Session, now: datetime) -> int:
    """Plans whose activity has ended are held; summarized plans past their deadline are archived."""
    moved = 0
    for plan in session.scalars(select(Plan).where(Plan.status == "published", Plan.ends_at <= now)):
        _move(session, plan, "hold")
        emit(session, "plan_held", _event(plan))
        moved += 1
    for plan in session.scalars(select(Plan).where(Plan.status == "summarized")):
        schedule = schedule_for(session, plan.branch_path, directives_for(session, plan.branch_path, plan.month))
        if now >= deadlines.deadline(plan.month, schedule.summary_deadline_day, schedule.time_zone):
            _move(session, plan, "archive")
            plan.archived_at = now
            emit(session, "plan_archived", _event(plan))
            moved += 1
    return moved


def set_schedule(session: Session, org_id: str, request: ScheduleSet) -> dict:
    node(session, org_id)
    try:
        ZoneInfo(request.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError("TIME_ZONE_INVALID", f"unknown time zone {request.time_zone}", 400)
    schedule = session.get(OrgSchedule, org_id) or OrgSchedule(org_id=org_id)
    for field, value in request.model_dump().items():
        setattr(schedule, field, value)
    schedule.updated_at = utcnow()
    session.add(schedule)
    return {"org_id": org_id, **request.model_dump()}


def put_task_list(session: Session, branch_id: str, year: int, items: list[str]) -> dict:
    home = branch(session, branch_id)
    tasks = session.get(AnnualTaskList, (branch_id, year)) or AnnualTaskList(branch_id=branch_id, year=year)
    tasks.branch_path, tasks.items, tasks.updated_at = home["path"], items, utcnow()
    tasks.updated_by = session.info.get("actor_id")
    session.add(tasks)
    return {"branch_id": branch_id, "year": year, "items": items}


def issue_rectification(session: Session, request: RectificationCreate, today: date) -> dict:
    home = branch(session, request.branch_id)
    if request.due_on < today:
        raise DomainError("DUE_DATE_PASSED", "a rectification is due today or later", 422)
    notice = Rectification(id=uuid.uuid4().hex, branch_id=home["org_id"], branch_path=home["path"],
                           issue=request.issue, due_on=request.due_on, status="open",
                           issued_by=session.info.get("actor_id"), issued_at=utcnow(), reopened_count=0)
    session.add(notice)
    emit(session, "rectification_issued", RectificationIssued(
        rectification_id=notice.id, branch_id=notice.branch_id, branch_path=notice.branch_path,
        issue=notice.issue, due_on=notice.due_on).model_dump(mode="json"))
    return rectification_view(notice)


def rectification_view(notice: Rectification) -> dict:
    return {"rectification_id": notice.id, "branch_id": notice.branch_id, "issue": notice.issue,
            "due_on": notice.due_on.isoformat(), "status": notice.status, "answer": notice.answer_text,
            "answer_media_ids": notice.answer_media_ids or [], "reopened_count": notice.reopened_count}


def get_rectification(session: Session, rectification_id: str) -> Rectification:
    notice = session.get(Rectification, rectification_id)
    if notice is None:
        raise not_found("rectification", rectification_id)
    return notice


RECTIFICATION_MOVES = {"answer": ({"open"}, "answered"), "close": ({"answered"}, "closed"),
                       "reopen": ({"answered", "closed"}, "open")}


def move_rectification(session: Session, rectification_id: str, action: str,
                       answer: RectificationAnswer | None = None) -> dict:
    notice = get_rectification(session, rectification_id)
    allowed, target = RECTIFICATION_MOVES[action]
    if notice.status not in allowed:
        raise DomainError("RECTIFICATION_STATE_CONFLICT", f"a {notice.status} notice cannot be {action}ed", 409,
                          {"status": notice.status, "action": action, "allowed_from": sorted(allowed)})
    notice.status = target
    if action == "answer":
        notice.answer_text, notice.answer_media_ids, notice.answered_at = answer.text, answer.media_ids, utcnow()
    elif action == "close":
        notice.closed_at = utcnow()
    else:
        notice.reopened_count += 1
    return rectification_view(notice)


def archive_page(session: Session, org_path: str, month: str, offset: int, limit: int) -> tuple[int, list[dict]]:
    """What plans holds of a page of the subtree's branches for the month's archive: the annual task
    list, the plan and its summary, and the study materials the month's directives named."""
    branches_query = (select(org_nodes.c.org_id, org_nodes.c.name, org_nodes.c.path)
                      .where(subtree_filter(org_nodes, org_path), org_nodes.c.level == "branch"))
    total = session.scalar(select(func.count()).select_from(branches_query.subquery()))
    branches = session.execute(branches_query.order_by(org_nodes.c.name, org_nodes.c.org_id)
                               .offset(offset).limit(limit)).mappings().all()
    ids = [row["org_id"] for row in branches]
    year = int(month[:4])
    task_lists = {row.branch_id: row for row in session.scalars(
        select(AnnualTaskList).where(AnnualTaskList.branch_id.in_(ids), AnnualTaskList.year == year))}
    plans = {plan.branch_id: plan for plan in session.scalars(
        select(Plan).where(Plan.branch_id.in_(ids), Plan.month == month))}
    directives = session.scalars(select(Directive).where(Directive.month == month)
                                 .order_by(Directive.published_at)).all()
    items = []
    for row in branches:
        plan = plans.get(row["org_id"])
        tasks = task_lists.get(row["org_id"])
        applying = [d for d in directives if d.org_id in ancestors(row["path"])]
        items.append({
            "branch_id": row["org_id"], "name": row["name"], "year": year,
            "task_list_items": len(tasks.items) if tasks else 0,
            "plan": None if plan is None else {
                "plan_id": plan.id, "status": plan.status, "activity_id": plan.activity_id,
                "summary_submitted": plan.summary_submitted_at is not None},
            "directives": [{"directive_id": d.id, "theme": d.theme, "study_materials": d.study_materials}
                           for d in applying],
        })
    return total, items


def directive_delivery(session: Session, directive_id: str, offset: int, limit: int) -> dict:
    """A page of the branches a directive reached, each with its task's plan deadline and plan status:
    delivery is by derivation (a branch's task is every directive on its path), so this is what each
    branch reads from the moment the directive was committed."""
    directive = session.get(Directive, directive_id)
    if directive is None:
        raise not_found("directive", directive_id)
    reached = select(org_nodes.c.org_id, org_nodes.c.name, org_nodes.c.path).where(
        subtree_filter(org_nodes, directive.org_path), org_nodes.c.level == "branch")
    total = session.scalar(select(func.count()).select_from(reached.subquery()))
    rows = session.execute(reached.order_by(org_nodes.c.path).offset(offset).limit(limit)).mappings().all()
    statuses = dict(session.execute(select(Plan.branch_id, Plan.status).where(
        Plan.month == directive.month, Plan.branch_id.in_([row["org_id"] for row in rows]))).all())
    month_directives = session.scalars(select(Directive).where(Directive.month == directive.month)).all()
    schedules: dict[str, Schedule] = {}
    items = []
    for row in rows:
        parent = row["path"].rsplit("/", 2)[0] + "/"
        if parent not in schedules:
            schedules[parent] = schedule_for(session, row["path"], month_directives)
        schedule = schedules[parent]
        items.append({"branch_id": row["org_id"], "name": row["name"],
                      "plan_due": deadlines.deadline(directive.month, schedule.plan_deadline_day,
                                                     schedule.time_zone).isoformat(),
                      "plan_status": statuses.get(row["org_id"])})
    return {"directive": directive_view(directive), "org_path": directive.org_path, "total": total, "items": items}
