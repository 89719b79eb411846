"""The plans service's entrypoints: each validates, calls the domain, and commits its work with the events
it announces; a mutating RPC takes an `idempotency_key` and answers a repeat with its first answer."""

from nameko.timer import timer

from partyday_common.clock import instant
from partyday_common.db import Database
from partyday_common.errors import validated
from partyday_common.idempotency import once, previous_response
from partyday_common.orgtree import OrgTreeProjection
from partyday_common.rpc import TimedRpcProxy
from partyday_common.service import PartydayService, rpc
from partyday_plans import (
    archive,
    birthdays,
    deadline_watch,
    directives,
    meetings,
    nodes,
    overdue,
    plans,
    rectifications,
    review,
    schedules,
    summaries,
    task_lists,
    venues,
)
from partyday_plans.models import metadata, org_nodes
from partyday_plans.settings import get_settings
from partyday_plans_contracts.events import SUBSCRIBED
from partyday_plans_contracts.rpc import (
    DirectiveCreate,
    MeetingSettingsSet,
    PlanCreate,
    PlanEdit,
    RectificationAnswer,
    RectificationCreate,
    RectificationReview,
    ScheduleSet,
)


class PlansService(OrgTreeProjection, PartydayService):
    name = "plans"
    db = Database(metadata, subscribed=SUBSCRIBED)
    org_nodes = org_nodes
    directory = TimedRpcProxy("directory")

    @rpc
    def publish_directive(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Publish a month's requirements at a city or county for every branch below it."""
        request = validated(DirectiveCreate, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "publish_directive",
                idempotency_key,
                {"payload": payload},
                lambda: directives.publish_directive(session, request),
            )

    @rpc
    def directives(self, org_id: str, month: str) -> list:
        """The month's directives that apply to a node: its own and its ancestors'."""
        with self.db.transaction() as session:
            return directives.for_node(session, org_id, month)

    @rpc
    def directive_delivery(self, directive_id: str, page: int = 1, page_size: int = 100) -> dict:
        """The branches a directive reached, a page at a time, with each one's plan deadline and status."""
        with self.db.transaction() as session:
            return directives.delivery(session, directive_id, page, page_size)

    @rpc
    def branch_month(self, branch_id: str, month: str) -> dict:
        """A branch's month: its task (the directives), its schedule and deadlines, and its plan."""
        with self.db.transaction() as session:
            return plans.branch_month(session, branch_id, month)

    @rpc
    def sample_branches(self, org_id: str, size: int) -> list:
        """A random sample of the branches under a node, for a spot check."""
        with self.db.transaction() as session:
            return nodes.sample_branches(session, org_id, size)

    @rpc
    def create_plan(self, payload: dict, now: str | None = None, idempotency_key: str | None = None) -> dict:
        """Draft a branch's plan for a month that has not ended (422 `MONTH_CLOSED`)."""
        request, at = validated(PlanCreate, payload), instant(now)
        with self.db.transaction() as session:
            return once(
                session,
                "create_plan",
                idempotency_key,
                {"payload": payload, "now": now},
                lambda: plans.create_plan(session, request, at),
            )

    @rpc
    def edit_plan(self, plan_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Change a draft or returned plan."""
        request = validated(PlanEdit, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "edit_plan",
                idempotency_key,
                {"plan_id": plan_id, "payload": payload},
                lambda: plans.edit_plan(session, plan_id, request),
            )

    @rpc
    def get_plan(self, plan_id: str) -> dict:
        """One plan, with the path of its branch for scope checks."""
        with self.db.transaction() as session:
            return plans.scoped_view(plans.get_plan(session, plan_id))

    @rpc
    def find_activity(self, activity_id: str) -> dict:
        """The plan behind an activity, with the path of its branch for scope checks and its organisation's time
        zone (for printed documents)."""
        with self.db.transaction() as session:
            return plans.activity_view(session, activity_id)

    @rpc
    def list_plans(
        self,
        org_id: str,
        month: str,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        kind: str | None = None,
    ) -> dict:
        """The month's plans of every branch under a node, optionally of one status and kind, a page at a time."""
        with self.db.transaction() as session:
            return plans.list_plans(session, org_id, month, status, page, page_size, kind)

    @rpc
    def branch_venues(self, branch_id: str, page: int = 1, page_size: int = 50) -> dict:
        """The venues the branch's plans have named, the most recently used first, a page at a time."""
        with self.db.transaction() as session:
            return venues.branch_venues(session, branch_id, page, page_size)

    @rpc
    def submit_plan(self, plan_id: str, now: str | None = None, idempotency_key: str | None = None) -> dict:
        """Send a plan for review; late plans are accepted and flagged. A meeting its organisation lets go without
        approval is published at once, with the roster fetched from the directory between two transactions."""
        request, at = {"plan_id": plan_id, "now": now}, instant(now)
        with self.db.transaction() as session:
            answered = previous_response(session, "submit_plan", idempotency_key, request)
            branch_id = None if answered is not None else review.publishes_on_submit(session, plan_id, at)
        if answered is not None:
            return answered
        roster = review.fetch_roster(self.directory, branch_id) if branch_id else None
        with self.db.transaction() as session:
            return once(
                session,
                "submit_plan",
                idempotency_key,
                request,
                lambda: review.submit(session, plan_id, at, roster),
            )

    @rpc
    def return_plan(self, plan_id: str, comment: str, idempotency_key: str | None = None) -> dict:
        """Send a plan back to its branch with the reviewer's comment."""
        trimmed = review.review_comment(comment)
        with self.db.transaction() as session:
            return once(
                session,
                "return_plan",
                idempotency_key,
                {"plan_id": plan_id, "comment": comment},
                lambda: review.return_plan(session, plan_id, trimmed),
            )

    @rpc
    def approve_plan(self, plan_id: str, now: str | None = None, idempotency_key: str | None = None) -> dict:
        """Approve a plan of a month that has not ended (422 `MONTH_CLOSED`): it is published to the branch's
        members and becomes an activity. The roster snapshot is fetched from the directory between two
        transactions, so none is held open across that call."""
        request, at = {"plan_id": plan_id, "now": now}, instant(now)
        with self.db.transaction() as session:
            answered = previous_response(session, "approve_plan", idempotency_key, request)
            branch_id = None if answered is not None else review.approvable(session, plan_id, at)
        if answered is not None:
            return answered
        roster = review.fetch_roster(self.directory, branch_id)
        with self.db.transaction() as session:
            return once(
                session, "approve_plan", idempotency_key, request, lambda: review.approve_plan(session, plan_id, roster)
            )

    @rpc
    def mark_birthdays_celebrated(
        self, plan_id: str, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """Mark the political birthdays of an approved plan's month celebrated (who, when); audited, once."""
        at = instant(now)
        with self.db.transaction() as session:
            return once(
                session,
                "mark_birthdays_celebrated",
                idempotency_key,
                {"plan_id": plan_id, "now": now},
                lambda: birthdays.mark_celebrated(session, plan_id, at),
            )

    @rpc
    def submit_summary(
        self, activity_id: str, text: str, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """The branch's account of its activity, after it has ended."""
        trimmed, at = summaries.summary_text(text), instant(now)
        with self.db.transaction() as session:
            return once(
                session,
                "submit_summary",
                idempotency_key,
                {"activity_id": activity_id, "text": text, "now": now},
                lambda: summaries.submit_summary(session, activity_id, trimmed, at),
            )

    @rpc
    def overdue(self, org_id: str, month: str, page: int = 1, page_size: int = 50, now: str | None = None) -> dict:
        """Branches under `org_id` whose plan or summary for `month` is past its deadline."""
        with self.db.transaction() as session:
            return overdue.overdue_page(session, org_id, month, page, page_size, instant(now))

    @rpc
    def meetings_overdue(
        self,
        org_id: str,
        month: str,
        kind: str | None = None,
        page: int = 1,
        page_size: int = 50,
        now: str | None = None,
    ) -> dict:
        """Branches under `org_id` that held no meeting of a kind in the completed period of its cadence that
        `month` falls in."""
        with self.db.transaction() as session:
            return meetings.overdue_page(session, org_id, month, kind, page, page_size, instant(now))

    @rpc
    def get_meeting_settings(self, org_id: str) -> dict:
        """An organisation's meeting settings per kind (approval, cadence), its own or the ones it follows."""
        with self.db.transaction() as session:
            return meetings.get_settings(session, org_id)

    @rpc
    def set_meeting_settings(self, org_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """An organisation's own meeting settings of the kinds named, for its subtree."""
        request = validated(MeetingSettingsSet, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "set_meeting_settings",
                idempotency_key,
                {"org_id": org_id, "payload": payload},
                lambda: meetings.set_settings(session, org_id, request),
            )

    @rpc
    def archive(self, org_id: str, month: str, page: int = 1, page_size: int = 50) -> dict:
        """Per branch under `org_id`, a page at a time: the annual task list, the month's plan and summary,
        and the directives' study materials (the plans side of the six-haves archive)."""
        with self.db.transaction() as session:
            return archive.archive_page(session, org_id, month, page, page_size)

    @rpc
    def check_deadlines(self, now: str | None = None, idempotency_key: str | None = None) -> dict:
        """Mark and announce what went overdue this month and last, hold ended activities, archive."""
        at = instant(now)
        with self.db.transaction() as session:
            return once(
                session,
                "check_deadlines",
                idempotency_key,
                {"now": now},
                lambda: deadline_watch.check_deadlines(session, at),
            )

    @timer(interval=get_settings().plans_timer_interval_s)
    def deadline_timer(self):
        """Runs the deadline checks on a schedule."""
        self.check_deadlines()

    @rpc
    def set_schedule(self, org_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """An organisation's time zone, fixed party day and deadline days, for its subtree."""
        request = validated(ScheduleSet, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "set_schedule",
                idempotency_key,
                {"org_id": org_id, "payload": payload},
                lambda: schedules.set_schedule(session, org_id, request),
            )

    @rpc
    def get_schedule(self, org_id: str) -> dict:
        """An organisation's schedule as it stands, its own or the one it follows."""
        with self.db.transaction() as session:
            return schedules.get_schedule(session, org_id)

    @rpc
    def put_task_list(self, branch_id: str, year: int, items: list, idempotency_key: str | None = None) -> dict:
        """A branch's annual task list (年度任务清单), replaced whole."""
        task_lists.check(year, items)
        with self.db.transaction() as session:
            return once(
                session,
                "put_task_list",
                idempotency_key,
                {"branch_id": branch_id, "year": year, "items": items},
                lambda: task_lists.put_task_list(session, branch_id, year, items),
            )

    @rpc
    def get_task_list(self, branch_id: str, year: int) -> dict:
        """A branch's annual task list; empty when none was written."""
        with self.db.transaction() as session:
            return task_lists.get_task_list(session, branch_id, year)

    @rpc
    def issue_rectification(self, payload: dict, today: str | None = None, idempotency_key: str | None = None) -> dict:
        """A superior's notice to a branch to fix something by a date."""
        request, on = validated(RectificationCreate, payload), instant(today).date()
        with self.db.transaction() as session:
            return once(
                session,
                "issue_rectification",
                idempotency_key,
                {"payload": payload, "today": today},
                lambda: rectifications.issue_rectification(session, request, on),
            )

    @rpc
    def get_rectification(self, rectification_id: str) -> dict:
        """One notice with its whole history, and the path of its branch for scope checks."""
        with self.db.transaction() as session:
            return rectifications.read_rectification(session, rectification_id)

    @rpc
    def answer_rectification(self, rectification_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """The branch's answer: what it did, with media ids; added to the notice's history (403
        ISSUER_CANNOT_ANSWER for the one who issued it)."""
        answer = validated(RectificationAnswer, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "answer_rectification",
                idempotency_key,
                {"rectification_id": rectification_id, "payload": payload},
                lambda: rectifications.answer_rectification(session, rectification_id, answer),
            )

    @rpc
    def close_rectification(
        self, rectification_id: str, payload: dict | None = None, idempotency_key: str | None = None
    ) -> dict:
        """The superior accepts the latest answer and closes the notice, with an optional comment (403 OWN_ANSWER
        for the one who wrote that answer)."""
        review = validated(RectificationReview, payload or {})
        with self.db.transaction() as session:
            return once(
                session,
                "close_rectification",
                idempotency_key,
                {"rectification_id": rectification_id, "payload": payload},
                lambda: rectifications.close_rectification(session, rectification_id, review),
            )

    @rpc
    def reopen_rectification(
        self, rectification_id: str, payload: dict | None = None, idempotency_key: str | None = None
    ) -> dict:
        """The superior reopens an answered or closed notice, with an optional comment: the branch answers again."""
        review = validated(RectificationReview, payload or {})
        with self.db.transaction() as session:
            return once(
                session,
                "reopen_rectification",
                idempotency_key,
                {"rectification_id": rectification_id, "payload": payload},
                lambda: rectifications.reopen_rectification(session, rectification_id, review),
            )

    @rpc
    def rectifications(
        self,
        org_id: str,
        overdue_only: bool = False,
        page: int = 1,
        page_size: int = 50,
        now: str | None = None,
        status: str | None = None,
    ) -> dict:
        """Notices of the subtree, newest first, of one `status` if given; overdue ones are open or answered past
        their due date."""
        overdue_on = instant(now).date() if overdue_only else None
        with self.db.transaction() as session:
            return rectifications.rectifications_page(session, org_id, overdue_on, page, page_size, status)
