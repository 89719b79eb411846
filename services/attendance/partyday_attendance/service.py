from datetime import datetime, timezone

from nameko.timer import timer

from partyday_attendance import (
    absences,
    activities,
    closing,
    decisions,
    device_keys,
    integrity,
    leave,
    makeups,
    roster,
    scanning,
    views,
)
from partyday_attendance.expectations import MemberChanged, MembersImported, PlanApproved
from partyday_attendance.facts import ActivityFactsProvider
from partyday_attendance.models import metadata
from partyday_attendance.settings import get_settings
from partyday_attendance_contracts.events import SUBSCRIBED
from partyday_attendance_contracts.rpc import Decision, DeviceKeyBody, Evidence, MeetingDecisionCreate
from partyday_common.clock import instant
from partyday_common.consumer import event_consumer
from partyday_common.db import Database
from partyday_common.errors import invalid, validated
from partyday_common.idempotency import once
from partyday_common.pagination import page_bounds
from partyday_common.service import PartydayService, rpc


class AttendanceService(PartydayService):
    name = "attendance"
    db = Database(metadata, subscribed=SUBSCRIBED)
    activity_facts = ActivityFactsProvider()

    @event_consumer("plans", "plan_approved", expects=PlanApproved)
    def on_plan_approved(self, event, plan: PlanApproved):
        """Open the activity's sign-in sheet from the approved plan's roster snapshot."""
        with self.db.transaction() as session:
            roster.open_sheet(session, plan)

    @event_consumer("directory", "member_joined", expects=MemberChanged)
    def on_member_joined(self, event, member: MemberChanged):
        """A new member of a branch is expected at its activities that have not started."""
        with self.db.transaction() as session:
            roster.follow_roster(session, [member], datetime.now(timezone.utc))

    @event_consumer("directory", "members_imported", expects=MembersImported)
    def on_members_imported(self, event, batch: MembersImported):
        """An import's new members are expected at their branches' activities that have not started."""
        with self.db.transaction() as session:
            roster.follow_roster(session, batch.members, datetime.now(timezone.utc))

    @event_consumer("directory", "member_transferred", expects=MemberChanged)
    def on_member_transferred(self, event, member: MemberChanged):
        """A moved member leaves the old branch's upcoming sheets and joins the new one's."""
        with self.db.transaction() as session:
            roster.follow_roster(session, [member], datetime.now(timezone.utc))

    @event_consumer("directory", "member_left", expects=MemberChanged)
    def on_member_left(self, event, member: MemberChanged):
        """A member who left is no longer expected at upcoming activities."""
        with self.db.transaction() as session:
            roster.follow_roster(session, [member], datetime.now(timezone.utc))

    @rpc
    def record_decision(
        self, activity_id: str, payload: dict, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """A members' meeting's decision with its votes, passed or not by the double majority (双过半)."""
        request, at = validated(MeetingDecisionCreate, payload), instant(now)
        with self.db.transaction() as session:
            return once(
                session,
                "record_decision",
                idempotency_key,
                {"activity_id": activity_id, "payload": payload, "now": now},
                lambda: decisions.record_decision(session, activity_id, request, at),
            )

    @rpc
    def decisions(self, activity_id: str, page: int = 1, page_size: int = 50) -> dict:
        """A members' meeting's decisions, with the sheet's expected and present members."""
        with self.db.transaction() as session:
            return decisions.decisions_page(session, activity_id, page, page_size)

    @rpc
    def get_activity(self, activity_id: str) -> dict:
        """An activity's window, fence and branch (for scope checks)."""
        with self.db.transaction() as session:
            return activities.view(activities.find(session, activity_id))

    @rpc
    def qr_token(self, activity_id: str, rotating: bool = False) -> dict:
        """The token of the activity's printable code, or of the screen's code that changes every 30 s."""
        settings = get_settings()
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            act = activities.find(session, activity_id)
        return activities.sign_in_code(act, now, rotating, settings.qr_signing_keys(), settings.public_url)

    @rpc
    def screen_code(self, activity_id: str, now: str | None = None) -> dict:
        """What the venue's screen shows now: the window's state and, while one is open, the rotating code."""
        settings, at = get_settings(), instant(now)
        with self.db.transaction() as session:
            act = activities.find(session, activity_id)
        return activities.screen_code(act, at, settings.qr_signing_keys(), settings.public_url)

    @rpc
    def scan(self, activity_id: str, member_id: str, kind: str, payload: dict, now: str | None = None) -> dict:
        """Sign in or out with a scanned code and the phone's position; refusals are kept as evidence. The same
        nonce gets the same answer."""
        if kind not in ("sign_in", "sign_out"):
            raise invalid("KIND_INVALID", "kind is sign_in or sign_out")
        evidence = validated(Evidence, payload).model_dump()
        return scanning.answered(
            scanning.scan(
                self.db, self.activity_facts, activity_id, member_id, kind, evidence, instant(now), get_settings()
            )
        )

    @rpc
    def offline_batch(
        self, member_id: str, scans: list, now: str | None = None, idempotency_key: str | None = None
    ) -> list:
        """Scans made without a network, judged on their own evidence and marked as sent late. Each scan commits
        on its own and is idempotent by its nonce; the batch's answer is kept under the key after them."""
        if not isinstance(scans, list) or not 0 < len(scans) <= scanning.MAX_BATCH:
            raise invalid("BATCH_INVALID", f"a batch holds 1 to {scanning.MAX_BATCH} scans")
        at = instant(now)
        with self.db.transaction() as session:
            return once(
                session,
                "offline_batch",
                idempotency_key,
                {"member_id": member_id, "scans": scans, "now": now},
                lambda: scanning.offline_batch(self.db, member_id, scans, at, get_settings()),
            )

    @rpc
    def register_device_key(
        self, member_id: str, body: dict, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """Keep the public key a member's phone made while online; its offline scans are signed with it."""
        key, at = validated(DeviceKeyBody, body), instant(now)
        with self.db.transaction() as session:
            return once(
                session,
                "register_device_key",
                idempotency_key,
                {"member_id": member_id, "body": body, "now": now},
                lambda: device_keys.register(session, member_id, key.device_id, key.public_key, at),
            )

    @rpc
    def attendance(self, activity_id: str, now: str | None = None) -> dict:
        """The sign-in sheet: each member's status and times, their make-up study, and the counts once closed."""
        at = instant(now)
        with self.db.transaction() as session:
            return views.sheet_view(session, activities.find(session, activity_id), at)

    @rpc
    def member_history(self, member_id: str, page: int = 1, page_size: int = 20) -> dict:
        """A member's party days, newest first, a page at a time: each activity with their status on its sheet."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            total, items = views.member_history(session, member_id, offset, limit)
        return {"member_id": member_id, "total": total, "page": page, "page_size": page_size, "items": items}

    @rpc
    def absence_flags(self, branch_id: str, page: int = 1, page_size: int = 20) -> dict:
        """The branch's members who missed `absence_flag_after` party days in a row or more (for its admin),
        longest streak first, a page at a time."""
        offset, limit = page_bounds(page, page_size)
        threshold = get_settings().absence_flag_after
        with self.db.transaction() as session:
            total, items = absences.absence_flags(session, branch_id, threshold, offset, limit)
        return {
            "branch_id": branch_id,
            "threshold": threshold,
            "total": total,
            "page": page,
            "page_size": page_size,
            "items": items,
        }

    @rpc
    def sheet_summaries(self, activity_ids: list) -> dict:
        """For the six-haves archive: per activity, whether its sheet is closed, sign-ins and reflections."""
        if (
            not isinstance(activity_ids, list)
            or len(activity_ids) > 500
            or not all(isinstance(item, str) for item in activity_ids)
        ):
            raise invalid("ACTIVITIES_INVALID", "activity_ids is a list of at most 500 ids")
        with self.db.transaction() as session:
            return views.sheet_summaries(session, activity_ids)

    @rpc
    def invite_guest(
        self, activity_id: str, member: dict, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """Put a member of another branch on the sheet as an invited guest, before sign-in closes."""
        if not isinstance(member, dict) or not member.get("member_id") or not member.get("name"):
            raise invalid("MEMBER_REQUIRED", "the guest's member_id and name")
        guest, at = {"member_id": str(member["member_id"]), "name": str(member["name"])[:100]}, instant(now)
        request = {"activity_id": activity_id, "member": member, "now": now}
        with self.db.transaction() as session:
            return once(
                session,
                "invite_guest",
                idempotency_key,
                request,
                lambda: roster.invite_guest(session, activities.find(session, activity_id), guest, at),
            )

    @rpc
    def remove_guest(self, activity_id: str, member_id: str, idempotency_key: str | None = None) -> dict:
        """Withdraw an invitation; a guest who has signed in stays on the sheet. The guest's line as it was."""
        with self.db.transaction() as session:
            return once(
                session,
                "remove_guest",
                idempotency_key,
                {"activity_id": activity_id, "member_id": member_id},
                lambda: roster.remove_guest(session, activities.find(session, activity_id), member_id),
            )

    @rpc
    def request_leave(
        self, activity_id: str, member_id: str, reason: str, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """A member asks to be excused, before the start."""
        if not isinstance(reason, str) or not 0 < len(reason.strip()) <= 1000:
            raise invalid("REASON_REQUIRED", "a reason of 1 to 1000 characters")
        at, request = instant(now), {"activity_id": activity_id, "member_id": member_id, "reason": reason, "now": now}
        with self.db.transaction() as session:
            return once(
                session,
                "request_leave",
                idempotency_key,
                request,
                lambda: leave.request_leave(
                    session, activities.find(session, activity_id), member_id, reason.strip(), at
                ),
            )

    @rpc
    def decide_leave(self, leave_id: str, approve: bool, idempotency_key: str | None = None) -> dict:
        """The branch admin approves or rejects a leave request, until the activity closes."""
        with self.db.transaction() as session:
            return once(
                session,
                "decide_leave",
                idempotency_key,
                {"leave_id": leave_id, "approve": approve},
                lambda: leave.decide_leave(session, leave_id, bool(approve)),
            )

    @rpc
    def leave_requests(
        self, activity_id: str, member_id: str | None = None, page: int = 1, page_size: int = 50
    ) -> dict:
        """The activity's leave requests, oldest first, a page at a time; only `member_id`'s if given."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            total, items = leave.leave_requests(
                session, activities.find(session, activity_id), member_id, offset, limit
            )
        return {"activity_id": activity_id, "total": total, "page": page, "page_size": page_size, "items": items}

    @rpc
    def scans(
        self,
        activity_id: str,
        outcome: str | None = None,
        member_id: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> dict:
        """Every sign-in and sign-out attempt on the activity with its evidence, newest first, for an audit:
        `outcome` accepted or refused, or both; one member's only if `member_id` is given."""
        if outcome not in (None, "accepted", "refused"):
            raise invalid("OUTCOME_INVALID", "outcome is accepted or refused")
        offset, limit = page_bounds(page, page_size)
        accepted = None if outcome is None else outcome == "accepted"
        with self.db.transaction() as session:
            log = views.scan_log(session, activities.find(session, activity_id), accepted, member_id, offset, limit)
        return {"activity_id": activity_id, "page": page, "page_size": page_size, **log}

    @rpc
    def reviews(self, org_path: str, page: int = 1, page_size: int = 50) -> dict:
        """The claimed and flagged records under `org_path` waiting for a superior's decision, oldest first,
        each with its evidence and signals."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            total, items = integrity.review_queue(session, org_path, offset, limit)
        return {"org_path": org_path, "total": total, "page": page, "page_size": page_size, "items": items}

    @rpc
    def review_record(self, record_id: int) -> dict:
        """The activity and branch a record belongs to (for the check that a superior decides it)."""
        with self.db.transaction() as session:
            return integrity.record_activity(session, int(record_id))

    @rpc
    def decide_review(
        self,
        record_id: int,
        body: dict,
        decided_by: str,
        now: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """A superior accepts or voids a claimed or flagged record with a reason; the sheet and a closed
        activity's counts follow."""
        decision, at = validated(Decision, body), instant(now)
        request = {"record_id": record_id, "body": body, "decided_by": decided_by, "now": now}
        with self.db.transaction() as session:
            return once(
                session,
                "decide_review",
                idempotency_key,
                request,
                lambda: integrity.decide(
                    session,
                    int(record_id),
                    decision.decision,
                    decision.reason,
                    decided_by,
                    at,
                    get_settings().absence_flag_after,
                    get_settings().attendance_makeup_due_days,
                ),
            )

    @rpc
    def my_makeups(self, member_id: str, now: str | None = None, page: int = 1, page_size: int = 20) -> dict:
        """A member's make-up studies (补学), those to do first, the soonest due first, a page at a time."""
        offset, limit, at = *page_bounds(page, page_size), instant(now)
        with self.db.transaction() as session:
            total, items = makeups.of_member(session, member_id, at, offset, limit)
        return {"member_id": member_id, "total": total, "page": page, "page_size": page_size, "items": items}

    @rpc
    def branch_makeups(
        self, branch_id: str, state: str | None = None, now: str | None = None, page: int = 1, page_size: int = 50
    ) -> dict:
        """A branch's make-up studies, the soonest due first, a page at a time; `state` assigned, overdue or done."""
        if state not in (None, "assigned", "overdue", "done"):
            raise invalid("STATE_INVALID", "state is assigned, overdue or done")
        offset, limit, at = *page_bounds(page, page_size), instant(now)
        with self.db.transaction() as session:
            total, items = makeups.of_branch(session, branch_id, state, at, offset, limit)
        return {"branch_id": branch_id, "total": total, "page": page, "page_size": page_size, "items": items}

    @rpc
    def complete_makeup(
        self,
        activity_id: str,
        member_id: str,
        reflection: str,
        now: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """A member completes their make-up study of a party day with a study reflection (at least 30 characters)."""
        at = instant(now)
        request = {"activity_id": activity_id, "member_id": member_id, "reflection": reflection, "now": now}
        with self.db.transaction() as session:
            return once(
                session,
                "complete_makeup",
                idempotency_key,
                request,
                lambda: makeups.complete(session, activity_id, member_id, reflection, at),
            )

    @rpc
    def leave_activity(self, leave_id: str) -> str:
        """The activity a leave request belongs to (for scope checks)."""
        with self.db.transaction() as session:
            return leave.leave_activity(session, leave_id)

    @rpc
    def close_due(self, now: str | None = None, idempotency_key: str | None = None) -> int:
        """Close every activity whose sign-out window has ended, including ones missed while down."""
        at = instant(now)
        with self.db.transaction() as session:
            return once(
                session,
                "close_due",
                idempotency_key,
                {"now": now},
                lambda: closing.close_due(
                    session, at, get_settings().absence_flag_after, get_settings().attendance_makeup_due_days
                ),
            )

    @rpc
    def assess_pending(self) -> int:
        """Weigh the accepted scans not weighed yet for integrity signals, flagging those over the threshold."""
        with self.db.transaction() as session:
            return integrity.assess_pending(session, get_settings())

    @timer(interval=get_settings().attendance_timer_interval_s)
    def close_timer(self):
        """Runs the closing of ended activities on a schedule."""
        self.close_due()

    @timer(interval=get_settings().assess_interval_s)
    def assess_timer(self):
        """Weighs newly accepted scans for integrity signals, a few seconds after they are kept."""
        self.assess_pending()
