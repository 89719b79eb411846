from datetime import datetime, timedelta, timezone

from nameko.timer import timer
from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from partyday_attendance import sheet, tokens
from partyday_attendance.facts import ActivityFactsProvider
from partyday_attendance.models import Activity, LeaveRequest, metadata
from partyday_attendance_contracts.rpc import Evidence, OfflineScan
from partyday_common.clock import aware, instant
from partyday_common.consumer import event_consumer
from partyday_common.db import Database
from partyday_common.errors import DomainError, invalid, validated
from partyday_common.pagination import page_bounds
from partyday_common.service import PartydayService, rpc
from partyday_common.settings import get_settings

SCANS = Counter("partyday_scans_total", "Sign-in and sign-out attempts, by kind, outcome and reason.",
                ["kind", "outcome", "reason"])
ROTATING_LIFETIME = timedelta(seconds=60)
MAX_BATCH = 200


def answered(answer: dict) -> dict:
    """A stored answer as the caller sees it: accepted, or the stored refusal raised again."""
    if "error" in answer:
        error = answer["error"]
        raise DomainError(error["code"], error["message"], answer["status"], error["details"])
    return answer


class AttendanceService(PartydayService):
    name = "attendance"
    db = Database(metadata)
    activity_facts = ActivityFactsProvider()

    @event_consumer("plans", "plan_approved")
    def on_plan_approved(self, event):
        """Open the activity's sign-in sheet from the approved plan's roster snapshot."""
        with self.db.transaction() as session:
            sheet.open_sheet(session, event.data)

    @event_consumer("directory", "member_joined")
    def on_member_joined(self, event):
        """A new member of a branch is expected at its activities that have not started."""
        with self.db.transaction() as session:
            sheet.follow_roster(session, event.data, datetime.now(timezone.utc))

    @event_consumer("directory", "member_transferred")
    def on_member_transferred(self, event):
        """A moved member leaves the old branch's upcoming sheets and joins the new one's."""
        with self.db.transaction() as session:
            sheet.follow_roster(session, event.data, datetime.now(timezone.utc))

    @event_consumer("directory", "member_left")
    def on_member_left(self, event):
        """A member who left is no longer expected at upcoming activities."""
        with self.db.transaction() as session:
            sheet.follow_roster(session, event.data, datetime.now(timezone.utc))

    @rpc
    def get_activity(self, activity_id: str) -> dict:
        """An activity's window, fence and branch (for scope checks)."""
        with self.db.transaction() as session:
            act = sheet.activity(session, activity_id)
            window = sheet.windows_of(act)
            return {"activity_id": act.id, "plan_id": act.plan_id, "branch_id": act.branch_id,
                    "branch_path": act.branch_path, "theme": act.theme, "venue_name": act.venue_name,
                    "starts_at": aware(act.starts_at).isoformat(),
                    "ends_at": aware(act.ends_at).isoformat(),
                    "sign_in_opens": window.sign_in_opens.isoformat(),
                    "sign_out_closes": window.sign_out_closes.isoformat(),
                    "closed": act.closed_at is not None, "counts": act.counts}

    @rpc
    def qr_token(self, activity_id: str, rotating: bool = False) -> dict:
        """The token of the activity's printable code, or of the screen's code that changes every 30 s."""
        settings = get_settings()
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            act = sheet.activity(session, activity_id)
        expires_at = now + ROTATING_LIFETIME if rotating else aware(act.closes_at) + sheet.OFFLINE_GRACE
        token = tokens.sign(act.id, settings.qr_signing_keys(), expires_at,
                            tokens.step_of(now) if rotating else None)
        return {"token": token, "url": f"{settings.public_url}/m/checkin?activity={act.id}&token={token}",
                "expires_at": expires_at.isoformat()}

    @rpc
    def scan(self, activity_id: str, member_id: str, kind: str, payload: dict, now: str | None = None) -> dict:
        """Sign in or out with a scanned code and the phone's position; refusals are kept as evidence."""
        if kind not in ("sign_in", "sign_out"):
            raise invalid("KIND_INVALID", "kind is sign_in or sign_out")
        evidence = validated(Evidence, payload).model_dump()
        return answered(self._scan(activity_id, member_id, kind, evidence, instant(now), offline=False))

    @rpc
    def offline_batch(self, member_id: str, scans: list, now: str | None = None) -> list:
        """Scans made without a network, judged on their own evidence and marked as sent late."""
        if not isinstance(scans, list) or not 0 < len(scans) <= MAX_BATCH:
            raise invalid("BATCH_INVALID", f"a batch holds 1 to {MAX_BATCH} scans")
        at = instant(now)
        results = []
        for index, raw in enumerate(scans):
            try:
                item = validated(OfflineScan, raw).model_dump()
                answer = self._scan(item.pop("activity_id"), member_id, item.pop("kind"), item, at, offline=True)
            except DomainError as exc:
                answer = sheet.refusal_answer(exc)
            results.append({"index": index, **answer})
        return results

    def _scan(self, activity_id: str, member_id: str, kind: str, evidence: dict, now: datetime,
              offline: bool) -> dict:
        answer = None
        if kind == "sign_in" and not offline and self.db.backend == "postgresql":
            answer = self._sign_in_at_once(activity_id, member_id, evidence, now)
        if answer is None:
            answer = self._judge_and_record(activity_id, member_id, kind, evidence, now, offline)
        reason = answer["error"]["code"] if "error" in answer else "ok"
        SCANS.labels(kind, "rejected" if "error" in answer else "accepted", reason).inc()
        return answer

    def _sign_in_at_once(self, activity_id: str, member_id: str, evidence: dict, now: datetime) -> dict | None:
        facts = self.activity_facts.get(self.db.run_alone, activity_id)
        if facts is None:
            return None
        try:
            return sheet.sign_in_at_once(self.db.run_alone, facts, member_id, evidence, now,
                                         get_settings().qr_signing_keys(), self.db.client_ip)
        except IntegrityError:
            return None

    def _judge_and_record(self, activity_id: str, member_id: str, kind: str, evidence: dict, now: datetime,
                          offline: bool) -> dict:
        try:
            return self._judge(activity_id, member_id, kind, evidence, now, offline)
        except IntegrityError:
            return self._judge(activity_id, member_id, kind, evidence, now, offline)

    def _judge(self, activity_id: str, member_id: str, kind: str, evidence: dict, now: datetime,
               offline: bool) -> dict:
        with self.db.transaction() as session:
            act = sheet.scan_context(session, activity_id, member_id, kind, evidence["nonce"], exclusive=offline)
            settings = get_settings()
            return sheet.scan(session, act, member_id, kind, evidence, now, settings.qr_signing_keys(),
                              settings.absence_flag_after, offline)

    @rpc
    def attendance(self, activity_id: str) -> dict:
        """The sign-in sheet: each member's status and times, and the counts once closed."""
        with self.db.transaction() as session:
            return sheet.sheet_view(session, sheet.activity(session, activity_id))

    @rpc
    def member_history(self, member_id: str, page: int = 1, page_size: int = 20) -> dict:
        """A member's party days, newest first, a page at a time: each activity with their status on its sheet."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            total, items = sheet.member_history(session, member_id, offset, limit)
        return {"member_id": member_id, "total": total, "page": page, "page_size": page_size, "items": items}

    @rpc
    def absence_flags(self, branch_id: str, page: int = 1, page_size: int = 20) -> dict:
        """The branch's members who missed `absence_flag_after` party days in a row or more (for its admin),
        longest streak first, a page at a time."""
        offset, limit = page_bounds(page, page_size)
        threshold = get_settings().absence_flag_after
        with self.db.transaction() as session:
            total, items = sheet.absence_flags(session, branch_id, threshold, offset, limit)
        return {"branch_id": branch_id, "threshold": threshold, "total": total, "page": page,
                "page_size": page_size, "items": items}

    @rpc
    def sheet_summaries(self, activity_ids: list) -> dict:
        """For the six-haves archive: per activity, whether its sheet is closed, sign-ins and reflections."""
        if not isinstance(activity_ids, list) or len(activity_ids) > 500 or not all(
                isinstance(item, str) for item in activity_ids):
            raise invalid("ACTIVITIES_INVALID", "activity_ids is a list of at most 500 ids")
        with self.db.transaction() as session:
            return sheet.sheet_summaries(session, activity_ids)

    @rpc
    def invite_guest(self, activity_id: str, member: dict, now: str | None = None) -> dict:
        """Put a member of another branch on the sheet as an invited guest, before sign-in closes."""
        if not isinstance(member, dict) or not member.get("member_id") or not member.get("name"):
            raise invalid("MEMBER_REQUIRED", "the guest's member_id and name")
        with self.db.transaction() as session:
            return sheet.invite_guest(session, sheet.activity(session, activity_id),
                                      {"member_id": str(member["member_id"]), "name": str(member["name"])[:100]},
                                      instant(now))

    @rpc
    def remove_guest(self, activity_id: str, member_id: str) -> None:
        """Withdraw an invitation; a guest who has signed in stays on the sheet."""
        with self.db.transaction() as session:
            sheet.remove_guest(session, sheet.activity(session, activity_id), member_id)

    @rpc
    def request_leave(self, activity_id: str, member_id: str, reason: str, now: str | None = None) -> dict:
        """A member asks to be excused, before the start."""
        if not isinstance(reason, str) or not 0 < len(reason.strip()) <= 1000:
            raise invalid("REASON_REQUIRED", "a reason of 1 to 1000 characters")
        with self.db.transaction() as session:
            return sheet.request_leave(session, sheet.activity(session, activity_id), member_id, reason.strip(),
                                       instant(now))

    @rpc
    def decide_leave(self, leave_id: str, approve: bool) -> dict:
        """The branch admin approves or rejects a leave request."""
        with self.db.transaction() as session:
            return sheet.decide_leave(session, leave_id, bool(approve))

    @rpc
    def leave_requests(self, activity_id: str, member_id: str | None = None, page: int = 1,
                       page_size: int = 50) -> dict:
        """The activity's leave requests, oldest first, a page at a time; only `member_id`'s if given."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            total, items = sheet.leave_requests(session, sheet.activity(session, activity_id), member_id, offset,
                                                limit)
        return {"activity_id": activity_id, "total": total, "page": page, "page_size": page_size, "items": items}

    @rpc
    def scans(self, activity_id: str, outcome: str | None = None, member_id: str | None = None, page: int = 1,
              page_size: int = 50) -> dict:
        """Every sign-in and sign-out attempt on the activity with its evidence, newest first, for an audit:
        `outcome` accepted or refused, or both; one member's only if `member_id` is given."""
        if outcome not in (None, "accepted", "refused"):
            raise invalid("OUTCOME_INVALID", "outcome is accepted or refused")
        offset, limit = page_bounds(page, page_size)
        accepted = None if outcome is None else outcome == "accepted"
        with self.db.transaction() as session:
            log = sheet.scan_log(session, sheet.activity(session, activity_id), accepted, member_id, offset, limit)
        return {"activity_id": activity_id, "page": page, "page_size": page_size, **log}

    @rpc
    def leave_activity(self, leave_id: str) -> str:
        """The activity a leave request belongs to (for scope checks)."""
        with self.db.transaction() as session:
            leave = session.get(LeaveRequest, leave_id)
            if leave is None:
                raise DomainError("LEAVE_NOT_FOUND", f"leave request {leave_id} does not exist", 404)
            return leave.activity_id

    @rpc
    def close_due(self, now: str | None = None) -> int:
        """Close every activity whose sign-out window has ended, including ones missed while down."""
        at = instant(now)
        threshold = get_settings().absence_flag_after
        with self.db.transaction() as session:
            due = session.scalars(select(Activity).where(Activity.closed_at.is_(None), Activity.closes_at <= at)
                                  .order_by(Activity.closes_at).with_for_update()).all()
            for act in due:
                sheet.close(session, act, at, threshold)
            return len(due)

    @timer(interval=get_settings().attendance_timer_interval_s)
    def close_timer(self):
        """Runs the closing of ended activities on a schedule."""
        self.close_due()
