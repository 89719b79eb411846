import random

from nameko.timer import timer
from sqlalchemy import func, select

from partyday_common.clock import instant
from partyday_common.db import Database
from partyday_common.errors import DomainError, invalid, validated
from partyday_common.orgtree import OrgTreeProjection
from partyday_common.pagination import page_bounds
from partyday_common.rpc import TimedRpcProxy
from partyday_common.service import PartydayService, rpc
from partyday_common.settings import get_settings
from partyday_plans import deadlines, planning
from partyday_plans.models import AnnualTaskList, Plan, Rectification, metadata, org_nodes
from partyday_plans_contracts.rpc import (
    DirectiveCreate,
    PlanCreate,
    PlanEdit,
    RectificationAnswer,
    RectificationCreate,
    ScheduleSet,
)

ROSTER_PAGE = 500


class PlansService(OrgTreeProjection, PartydayService):
    name = "plans"
    db = Database(metadata)
    org_nodes = org_nodes
    directory = TimedRpcProxy("directory")

    @rpc
    def publish_directive(self, payload: dict) -> dict:
        """Publish a month's requirements at a city or county for every branch below it."""
        request = validated(DirectiveCreate, payload)
        with self.db.transaction() as session:
            return planning.publish_directive(session, request)

    @rpc
    def directives(self, org_id: str, month: str) -> list:
        """The month's directives that apply to a node: its own and its ancestors'."""
        deadlines.parse_month(month)
        with self.db.transaction() as session:
            found = planning.node(session, org_id)
            return [planning.directive_view(d) for d in planning.directives_for(session, found["path"], month)]

    @rpc
    def directive_delivery(self, directive_id: str, page: int = 1, page_size: int = 100) -> dict:
        """The branches a directive reached, a page at a time, with each one's plan deadline and status."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            found = planning.directive_delivery(session, directive_id, offset, limit)
        return {**found, "page": page, "page_size": page_size}

    @rpc
    def branch_month(self, branch_id: str, month: str) -> dict:
        """A branch's month: its task (the directives), its schedule and deadlines, and its plan."""
        deadlines.parse_month(month)
        with self.db.transaction() as session:
            home = planning.branch(session, branch_id)
            directives = planning.directives_for(session, home["path"], month)
            schedule = planning.schedule_for(session, home["path"], directives)
            plan = session.scalar(select(Plan).where(Plan.branch_id == branch_id, Plan.month == month))
            return {
                "branch_id": branch_id, "month": month,
                "directives": [planning.directive_view(d) for d in directives],
                "required_actions": [a for d in directives for a in d.required_actions],
                "party_day": schedule.party_day, "time_zone": schedule.time_zone,
                "plan_due": deadlines.deadline(month, schedule.plan_deadline_day, schedule.time_zone).isoformat(),
                "summary_due": deadlines.deadline(month, schedule.summary_deadline_day,
                                                  schedule.time_zone).isoformat(),
                "plan": planning.plan_view(plan) if plan else None,
            }

    @rpc
    def sample_branches(self, org_id: str, size: int) -> list:
        """A random sample of the branches under a node, for a spot check."""
        if not isinstance(size, int) or not 1 <= size <= 50:
            raise invalid("SAMPLE_SIZE_INVALID", "a sample holds 1 to 50 branches")
        with self.db.transaction() as session:
            path = planning.node(session, org_id)["path"]
            ids = session.scalars(select(org_nodes.c.org_id).where(
                org_nodes.c.path.startswith(path, autoescape=True), org_nodes.c.level == "branch")).all()
        return random.sample(list(ids), min(size, len(ids)))

    @rpc
    def create_plan(self, payload: dict) -> dict:
        """Draft a branch's plan for a month."""
        request = validated(PlanCreate, payload)
        with self.db.transaction() as session:
            return planning.create_plan(session, request)

    @rpc
    def edit_plan(self, plan_id: str, payload: dict) -> dict:
        """Change a draft or returned plan."""
        request = validated(PlanEdit, payload)
        with self.db.transaction() as session:
            return planning.edit_plan(session, plan_id, request)

    @rpc
    def get_plan(self, plan_id: str) -> dict:
        """One plan, with the path of its branch for scope checks."""
        with self.db.transaction() as session:
            plan = planning.get_plan(session, plan_id)
            return {**planning.plan_view(plan), "branch_path": plan.branch_path}

    @rpc
    def find_activity(self, activity_id: str) -> dict:
        """The plan behind an activity."""
        with self.db.transaction() as session:
            plan = session.scalar(select(Plan).where(Plan.activity_id == activity_id))
            if plan is None:
                raise DomainError("ACTIVITY_NOT_FOUND", f"activity {activity_id} does not exist", 404)
            return {**planning.plan_view(plan), "branch_path": plan.branch_path}

    @rpc
    def list_plans(self, org_id: str, month: str, status: str | None = None, page: int = 1,
                   page_size: int = 50) -> dict:
        """The month's plans of every branch under a node, optionally of one status, a page at a time."""
        deadlines.parse_month(month)
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            path = planning.node(session, org_id)["path"]
            query = select(Plan).where(Plan.month == month, Plan.branch_path.startswith(path, autoescape=True))
            if status:
                query = query.where(Plan.status == status)
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            plans = session.scalars(query.order_by(Plan.updated_at.desc(), Plan.id).offset(offset).limit(limit))
            return {"items": [planning.plan_view(p) for p in plans], "total": total, "page": page,
                    "page_size": page_size}

    @rpc
    def submit_plan(self, plan_id: str, now: str | None = None) -> dict:
        """Send a plan for review; late plans are accepted and flagged."""
        with self.db.transaction() as session:
            return planning.submit_plan(session, plan_id, instant(now))

    @rpc
    def return_plan(self, plan_id: str, comment: str) -> dict:
        """Send a plan back to its branch with the reviewer's comment."""
        if not isinstance(comment, str) or not comment.strip() or len(comment) > 2000:
            raise invalid("COMMENT_REQUIRED", "a returned plan needs a comment of at most 2000 characters")
        with self.db.transaction() as session:
            return planning.return_plan(session, plan_id, comment.strip())

    @rpc
    def approve_plan(self, plan_id: str) -> dict:
        """Approve a plan: it is published to the branch's members and becomes an activity."""
        with self.db.transaction() as session:
            plan = planning.get_plan(session, plan_id)
            planning.lifecycle.next_status(plan.status, "approve")
            branch_id = plan.branch_id
        roster = self._roster(branch_id)
        with self.db.transaction() as session:
            return planning.approve_plan(session, planning.get_plan(session, plan_id), roster)

    def _roster(self, branch_id: str) -> list[dict]:
        roster, page = [], 1
        while True:
            found = self.directory.list_members(branch_id, page=page, page_size=ROSTER_PAGE)
            roster += [{"member_id": m["member_id"], "name": m["name"], "mobile": m["mobile"],
                        "probationary": m["probationary"]} for m in found["items"]]
            if page * ROSTER_PAGE >= found["total"]:
                return roster
            page += 1

    @rpc
    def submit_summary(self, activity_id: str, text: str, now: str | None = None) -> dict:
        """The branch's account of its activity, after it has ended."""
        if not isinstance(text, str) or not text.strip() or len(text) > 20000:
            raise invalid("SUMMARY_REQUIRED", "a summary is 1 to 20000 characters")
        with self.db.transaction() as session:
            return planning.submit_summary(session, activity_id, text.strip(), instant(now))

    @rpc
    def overdue(self, org_id: str, month: str, page: int = 1, page_size: int = 50, now: str | None = None) -> dict:
        """Branches under `org_id` whose plan or summary for `month` is past its deadline."""
        deadlines.parse_month(month)
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            rows = planning.overdue_branches(session, planning.node(session, org_id)["path"], month, instant(now))
        return {"org_id": org_id, "month": month, "total": len(rows), "page": page, "page_size": page_size,
                "items": [{key: row[key] for key in ("branch_id", "name", "parent_id", "missing")}
                          for row in rows[offset:offset + limit]]}

    @rpc
    def archive(self, org_id: str, month: str, page: int = 1, page_size: int = 50) -> dict:
        """Per branch under `org_id`, a page at a time: the annual task list, the month's plan and summary,
        and the directives' study materials (the plans side of the six-haves archive)."""
        deadlines.parse_month(month)
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            total, items = planning.archive_page(session, planning.node(session, org_id)["path"], month, offset,
                                                 limit)
        return {"org_id": org_id, "month": month, "total": total, "page": page, "page_size": page_size,
                "items": items}

    @rpc
    def check_deadlines(self, now: str | None = None) -> dict:
        """Mark and announce what went overdue this month and last, hold ended activities, archive."""
        at = instant(now)
        this_month = deadlines.month_of(at)
        with self.db.transaction() as session:
            announced = sum(planning.mark_overdue(session, month, at)
                            for month in (deadlines.previous_month(this_month), this_month))
            moved = planning.advance(session, at)
        return {"overdue_announced": announced, "plans_moved": moved}

    @timer(interval=get_settings().plans_timer_interval_s)
    def deadline_timer(self):
        """Runs the deadline checks on a schedule."""
        self.check_deadlines()

    @rpc
    def set_schedule(self, org_id: str, payload: dict) -> dict:
        """An organisation's time zone, fixed party day and deadline days, for its subtree."""
        request = validated(ScheduleSet, payload)
        with self.db.transaction() as session:
            return planning.set_schedule(session, org_id, request)

    @rpc
    def put_task_list(self, branch_id: str, year: int, items: list) -> dict:
        """A branch's annual task list (年度任务清单), replaced whole."""
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise invalid("YEAR_INVALID", "a year from 2000 to 2100")
        if not isinstance(items, list) or len(items) > 200 or not all(
                isinstance(item, str) and 0 < len(item) <= 500 for item in items):
            raise invalid("TASKS_INVALID", "up to 200 tasks of 1 to 500 characters")
        with self.db.transaction() as session:
            return planning.put_task_list(session, branch_id, year, items)

    @rpc
    def get_task_list(self, branch_id: str, year: int) -> dict:
        """A branch's annual task list; empty when none was written."""
        with self.db.transaction() as session:
            planning.branch(session, branch_id)
            tasks = session.get(AnnualTaskList, (branch_id, year))
            return {"branch_id": branch_id, "year": year, "items": tasks.items if tasks else []}

    @rpc
    def issue_rectification(self, payload: dict, today: str | None = None) -> dict:
        """A superior's notice to a branch to fix something by a date."""
        request = validated(RectificationCreate, payload)
        with self.db.transaction() as session:
            return planning.issue_rectification(session, request, instant(today).date())

    @rpc
    def get_rectification(self, rectification_id: str) -> dict:
        """One notice, with the path of its branch for scope checks."""
        with self.db.transaction() as session:
            notice = planning.get_rectification(session, rectification_id)
            return {**planning.rectification_view(notice), "branch_path": notice.branch_path}

    @rpc
    def answer_rectification(self, rectification_id: str, payload: dict) -> dict:
        """The branch's answer: what it did, with media ids."""
        answer = validated(RectificationAnswer, payload)
        with self.db.transaction() as session:
            return planning.move_rectification(session, rectification_id, "answer", answer)

    @rpc
    def close_rectification(self, rectification_id: str, reopen: bool = False) -> dict:
        """The superior accepts the answer and closes the notice, or reopens it."""
        with self.db.transaction() as session:
            return planning.move_rectification(session, rectification_id, "reopen" if reopen else "close")

    @rpc
    def rectifications(self, org_id: str, overdue_only: bool = False, page: int = 1, page_size: int = 50,
                       now: str | None = None) -> dict:
        """Notices of the subtree, newest first; overdue ones are open or answered past their due date."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            path = planning.node(session, org_id)["path"]
            query = select(Rectification).where(Rectification.branch_path.startswith(path, autoescape=True))
            if overdue_only:
                query = query.where(Rectification.status != "closed", Rectification.due_on < instant(now).date())
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            found = session.scalars(query.order_by(Rectification.issued_at.desc()).offset(offset).limit(limit))
            return {"items": [planning.rectification_view(n) for n in found], "total": total, "page": page,
                    "page_size": page_size}
