"""Sign-in sheets: opening them from approved plans, scans with their evidence, leave, and closing."""
import json
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from partyday_attendance import rules, tokens
from partyday_attendance.models import AbsenceStreak, Activity, LeaveRequest, Scan, SheetEntry
from partyday_attendance_contracts.rpc import ActivityClosed, AttendanceUpdated
from partyday_common.clock import aware
from partyday_common.db import PreparedStatement, emit, utcnow
from partyday_common.errors import DomainError

if TYPE_CHECKING:
    from partyday_attendance.facts import ActivityFacts

OFFLINE_GRACE = timedelta(hours=48)
CLOCK_SKEW = timedelta(minutes=2)
STATUSES = ("signed_out", "no_sign_out", "absent", "excused")
SCANS, ENTRIES, ACTIVITIES = Scan.__table__, SheetEntry.__table__, Activity.__table__


def open_sheet(session: Session, data: dict) -> None:
    """The activity and its sign-in sheet, from `plan_approved`'s roster snapshot."""
    if session.get(Activity, data["activity_id"]) is not None:
        return
    starts_at, ends_at = datetime.fromisoformat(data["starts_at"]), datetime.fromisoformat(data["ends_at"])
    window = rules.windows(starts_at, ends_at, data["attendance_rules"])
    session.add(Activity(id=data["activity_id"], plan_id=data["plan_id"], branch_id=data["branch_id"],
                         branch_path=data["branch_path"], theme=data["theme"], starts_at=starts_at, ends_at=ends_at,
                         closes_at=window.sign_out_closes, venue_name=data["venue_name"],
                         venue_lat=data["venue_lat"], venue_lon=data["venue_lon"], radius_m=data["radius_m"],
                         rules=data["attendance_rules"]))
    session.flush()
    if data["roster"]:
        session.execute(insert(ENTRIES), [
            {"activity_id": data["activity_id"], "member_id": member["member_id"], "name": member["name"],
             "mobile": member["mobile"], "guest": False, "status": "expected", "sent_late": False}
            for member in data["roster"]])


def follow_roster(session: Session, data: dict, now: datetime) -> None:
    """Until an activity starts, its sheet follows members joining, moving and leaving its branch; a member who
    leaves has no absence streak any more."""
    if not data["active"]:
        session.execute(delete(AbsenceStreak).where(AbsenceStreak.member_id == data["member_id"]))
    on_sheet = select(SheetEntry.activity_id).where(SheetEntry.member_id == data["member_id"])
    upcoming = session.scalars(select(Activity).where(
        Activity.starts_at > now, or_(Activity.branch_id == data["branch_id"], Activity.id.in_(on_sheet)))).all()
    for activity in upcoming:
        entry = session.get(SheetEntry, (activity.id, data["member_id"]))
        belongs = data["active"] and data["branch_id"] == activity.branch_id
        if belongs and entry is None:
            session.add(SheetEntry(activity_id=activity.id, member_id=data["member_id"], name=data["name"],
                                   mobile=data["mobile"], guest=False, status="expected", sent_late=False))
        elif not belongs and entry is not None and entry.status == "expected" and not entry.guest:
            session.delete(entry)


def invite_guest(session: Session, act: Activity, member: dict, now: datetime) -> dict:
    """An invited guest (列席人员) may sign in like a member of the branch and is counted apart."""
    if act.closed_at is not None:
        raise DomainError("ACTIVITY_CLOSED", "this activity is closed", 409)
    if now >= windows_of(act).sign_in_closes:
        raise DomainError("WINDOW_CLOSED", "guests are invited before the sign-in window closes", 422)
    if session.get(SheetEntry, (act.id, member["member_id"])) is not None:
        raise DomainError("ALREADY_ON_SHEET", "this member is already on the sign-in sheet", 409)
    entry = SheetEntry(activity_id=act.id, member_id=member["member_id"], name=member["name"], mobile=False,
                       guest=True, status="expected", sent_late=False)
    session.add(entry)
    return entry_view(entry)


def remove_guest(session: Session, act: Activity, member_id: str) -> None:
    entry = session.get(SheetEntry, (act.id, member_id))
    if entry is None or not entry.guest:
        raise DomainError("GUEST_NOT_FOUND", "this member is not an invited guest of the activity", 404)
    if entry.signed_in_at is not None:
        raise DomainError("GUEST_SIGNED_IN", "a guest who has signed in stays on the sheet", 409)
    session.delete(entry)


def activity(session: Session, activity_id: str) -> Activity:
    found = session.get(Activity, activity_id)
    if found is None:
        raise DomainError("ACTIVITY_NOT_FOUND", f"activity {activity_id} does not exist or is not approved", 404)
    return found


def windows_of(act: Activity) -> rules.Windows:
    return rules.windows(aware(act.starts_at), aware(act.ends_at), act.rules)


# The busiest statements of the party day, built once: SQLAlchemy then reuses their compiled form.
# A scan reads its activity together with the answer already given to the same nonce, if any.
PREVIOUS_ANSWER = select(SCANS.c.answer).where(
    SCANS.c.activity_id == bindparam("activity_id"), SCANS.c.member_id == bindparam("member_id"),
    SCANS.c.kind == bindparam("kind"), SCANS.c.nonce == bindparam("nonce")).scalar_subquery()
SCAN_CONTEXT = select(ACTIVITIES, PREVIOUS_ANSWER.label("previous_answer")).where(
    ACTIVITIES.c.id == bindparam("activity_id"))
# A scan holds the activity shared, so closing (which takes it exclusively) waits for scans in flight and
# scans wait for a close; a late offline scan, which recounts a closed activity, takes it exclusively.
SCAN_CONTEXT_SHARED = SCAN_CONTEXT.with_for_update(read=True, of=ACTIVITIES)
SCAN_CONTEXT_EXCLUSIVE = SCAN_CONTEXT.with_for_update(of=ACTIVITIES)
_ENTRY_KEY = (ENTRIES.c.activity_id == bindparam("entry_activity")) & (ENTRIES.c.member_id == bindparam("entry_member"))
LOCK_ENTRY = select(ENTRIES.c.signed_in_at, ENTRIES.c.signed_out_at, ENTRIES.c.sent_late).where(
    _ENTRY_KEY).with_for_update()
# A sign-in that passed every other rule marks the entry in one statement, unless it is signed in already:
# of two sign-ins at once, the second waits for the first's row and then finds it signed in.
SIGN_IN = update(ENTRIES).where(_ENTRY_KEY, ENTRIES.c.signed_in_at.is_(None)).values(
    signed_in_at=bindparam("at"), status="signed_in", sent_late=or_(ENTRIES.c.sent_late, bindparam("late"))
).returning(ENTRIES.c.member_id)
SIGN_OUT = update(ENTRIES).where(_ENTRY_KEY).values(
    signed_out_at=bindparam("at"), status="signed_out", sent_late=bindparam("late"), reflection=bindparam("text"))
RECORD_SCAN = insert(SCANS)


def scan_context(session: Session, activity_id: str, member_id: str, kind: str, nonce: str,
                 exclusive: bool = False):
    """The activity as a plain row, locked for the scan that reads it (see SCAN_CONTEXT_SHARED), with the
    answer already given to this member's scan of that nonce as `previous_answer`."""
    found = session.execute(SCAN_CONTEXT_EXCLUSIVE if exclusive else SCAN_CONTEXT_SHARED, {
        "activity_id": activity_id, "member_id": member_id, "kind": kind, "nonce": nonce}).first()
    if found is None:
        raise DomainError("ACTIVITY_NOT_FOUND", f"activity {activity_id} does not exist or is not approved", 404)
    return found


def scan(session: Session, act, member_id: str, kind: str, evidence: dict, now: datetime,
         keys: dict[str, str], absence_threshold: int, offline: bool = False) -> dict:
    """Judge one scan and keep it, accepted or not, with its evidence; the same nonce gets the same answer.

    `act` comes from `scan_context`. The busiest write of the party day, so it is written in SQL
    expressions rather than through the ORM."""
    if act.previous_answer is not None:
        return act.previous_answer
    at = evidence["scanned_at"] if offline else now
    record = {"activity_id": act.id, "member_id": member_id, "kind": kind, "server_time": now, "scanned_at": at,
              "lat": evidence["lat"], "lon": evidence["lon"], "accuracy_m": evidence["accuracy_m"],
              "device_id": evidence["device_id"], "nonce": evidence["nonce"],
              "client_ip": session.info.get("client_ip"), "sent_late": offline, "token_id": None,
              "distance_m": None, "reason": None}
    entry_key = {"entry_activity": act.id, "entry_member": member_id}
    try:
        record["token_id"] = tokens.verify(evidence["token"], act.id, keys, at).token_id
        if kind == "sign_in":
            record["distance_m"] = _sign_in(session, act, entry_key, evidence, at, now, offline)
        else:
            record["distance_m"], reflection = _sign_out(session, act, entry_key, evidence, at, now, offline)
    except DomainError as exc:
        record.update(accepted=False, reason=exc.code, answer=refusal_answer(exc))
        session.execute(RECORD_SCAN, record)
        return record["answer"]
    if kind == "sign_out":
        emit(session, "member_reflected", {"activity_id": act.id, "member_id": member_id, "branch_id": act.branch_id,
                                           "text": reflection, "at": at.isoformat()})
    status = "signed_in" if kind == "sign_in" else "signed_out"
    record.update(accepted=True, answer={"status": status, "at": at.isoformat(), "sent_late": offline})
    session.execute(RECORD_SCAN, record)
    if act.closed_at is not None:
        _recount(session, session.get(Activity, act.id))
        if kind == "sign_in":
            _restreak(session, member_id, absence_threshold)
    return record["answer"]


def refusal_answer(refusal: DomainError) -> dict:
    """A refusal as it is stored with the scan and given again to the same nonce."""
    return {"error": {"code": refusal.code, "message": refusal.message, "details": refusal.details},
            "status": refusal.status}


# The party day's sign-ins are judged from the activity's facts and kept in one statement committed on its
# own (PostgreSQL), unless the nonce was answered before. A sign-in that passes every rule marks its entry
# only while the entry is still expected: closing locks the entries and gives each its final status, so a
# sign-in racing a close either is seen by it or finds nothing to mark. A refusal is kept as evidence if no
# rule judged earlier applies: a refused token comes before everything, the window and the fence only
# after being on the sheet and not signed in yet.
_EARLIER_ANSWER = """
    SELECT answer FROM scans
    WHERE activity_id = %(activity_id)s AND member_id = %(member_id)s AND kind = 'sign_in' AND nonce = %(nonce)s
"""
_EVIDENCE_TYPES = {"activity_id": "text", "member_id": "text", "nonce": "text", "at": "timestamptz",
                   "lat": "float8", "lon": "float8", "accuracy_m": "float8", "device_id": "text",
                   "token_id": "text", "client_ip": "text", "answer": "json"}
SIGN_IN_AT_ONCE = PreparedStatement("partyday_sign_in_at_once", {**_EVIDENCE_TYPES, "distance_m": "float8"}, f"""
WITH earlier AS ({_EARLIER_ANSWER}), marked AS (
    UPDATE sheet_entries SET signed_in_at = %(at)s, status = 'signed_in'
    WHERE activity_id = %(activity_id)s AND member_id = %(member_id)s AND signed_in_at IS NULL
      AND status = 'expected' AND NOT EXISTS (SELECT FROM earlier)
    RETURNING member_id
), recorded AS (
    INSERT INTO scans (activity_id, member_id, kind, accepted, reason, server_time, scanned_at, lat, lon,
                       accuracy_m, distance_m, device_id, token_id, nonce, client_ip, sent_late, answer)
    SELECT %(activity_id)s, member_id, 'sign_in', true, NULL, %(at)s, %(at)s, %(lat)s, %(lon)s, %(accuracy_m)s,
           %(distance_m)s, %(device_id)s, %(token_id)s, %(nonce)s, %(client_ip)s, false, %(answer)s
    FROM marked
    RETURNING id
)
SELECT (SELECT answer FROM earlier), (SELECT count(*) FROM recorded)
""")
REFUSE_AT_ONCE = PreparedStatement("partyday_refuse_sign_in_at_once", {
    **_EVIDENCE_TYPES, "reason": "text", "after_entry_rules": "boolean"}, f"""
WITH earlier AS ({_EARLIER_ANSWER}), recorded AS (
    INSERT INTO scans (activity_id, member_id, kind, accepted, reason, server_time, scanned_at, lat, lon,
                       accuracy_m, distance_m, device_id, token_id, nonce, client_ip, sent_late, answer)
    SELECT %(activity_id)s, %(member_id)s, 'sign_in', false, %(reason)s, %(at)s, %(at)s, %(lat)s, %(lon)s,
           %(accuracy_m)s, NULL, %(device_id)s, %(token_id)s, %(nonce)s, %(client_ip)s, false, %(answer)s
    WHERE NOT EXISTS (SELECT FROM earlier) AND (NOT %(after_entry_rules)s OR EXISTS (
        SELECT FROM sheet_entries
        WHERE activity_id = %(activity_id)s AND member_id = %(member_id)s AND signed_in_at IS NULL))
    RETURNING id
)
SELECT (SELECT answer FROM earlier), (SELECT count(*) FROM recorded)
""")


def sign_in_at_once(run_alone, facts: "ActivityFacts", member_id: str, evidence: dict, now: datetime,
                    keys: dict[str, str], client_ip: str | None) -> dict | None:
    """The party day's common cases in one statement run on its own (`WorkerDatabase.run_alone`): a sign-in
    that passes every rule is marked and recorded with its evidence, a forged token, a sign-in out of the
    window or outside the fence is refused and recorded, and a repeated nonce gets its first answer. None
    when that is not enough to judge (not on the sheet, signed in already, closed): `scan` then judges and
    records it in the order of its refusals."""
    parameters = {"activity_id": facts.activity_id, "member_id": member_id, "nonce": evidence["nonce"],
                  "at": now, "lat": evidence["lat"], "lon": evidence["lon"], "accuracy_m": evidence["accuracy_m"],
                  "device_id": evidence["device_id"], "token_id": None, "client_ip": client_ip}
    try:
        parameters["token_id"] = tokens.verify(evidence["token"], facts.activity_id, keys, now).token_id
    except DomainError as refusal:
        return _kept_at_once(run_alone, REFUSE_AT_ONCE, {**parameters, "reason": refusal.code,
                                                         "after_entry_rules": False}, refusal_answer(refusal))
    try:
        rules.check_sign_in_time(now, facts.windows)
        distance = rules.check_position(facts.venue_lat, facts.venue_lon, facts.radius_m, evidence["lat"],
                                        evidence["lon"], evidence["accuracy_m"])
    except DomainError as refusal:
        return _kept_at_once(run_alone, REFUSE_AT_ONCE, {**parameters, "reason": refusal.code,
                                                         "after_entry_rules": True}, refusal_answer(refusal))
    return _kept_at_once(run_alone, SIGN_IN_AT_ONCE, {**parameters, "distance_m": distance},
                         {"status": "signed_in", "at": now.isoformat(), "sent_late": False})


def _kept_at_once(run_alone, statement: PreparedStatement, parameters: dict, answer: dict) -> dict | None:
    """The answer given to the nonce before, else `answer` if the statement kept it, else None."""
    earlier, kept = run_alone(statement, {**parameters, "answer": json.dumps(answer)})
    if earlier is not None:
        return earlier
    return answer if kept else None


def _sign_in(session: Session, act, entry_key: dict, evidence: dict, at: datetime, now: datetime,
             offline: bool) -> float:
    """Mark the entry signed in and return the distance to the venue, or raise the first rule broken, in
    the order: on the sheet, offline limits, not yet signed in, the window, the fence. The entry is only
    read when a rule that needs no entry was broken or the sign-in found nothing to mark."""
    offline_refusal = _refusal(_check_offline, act, at, now) if offline else None
    time_refusal = _refusal(rules.check_sign_in_time, at, windows_of(act))
    try:
        distance = rules.check_position(act.venue_lat, act.venue_lon, act.radius_m, evidence["lat"],
                                        evidence["lon"], evidence["accuracy_m"])
        position_refusal = None
    except DomainError as refusal:
        position_refusal = refusal
    if not (offline_refusal or time_refusal or position_refusal):
        if session.execute(SIGN_IN, {**entry_key, "at": at, "late": offline}).first() is not None:
            return distance
    entry = session.execute(LOCK_ENTRY, entry_key).first()
    if entry is None:
        raise DomainError("NOT_EXPECTED", "you are not on this activity's sign-in sheet", 403)
    if offline_refusal:
        raise offline_refusal
    if entry.signed_in_at is not None:
        raise DomainError("ALREADY_SIGNED_IN", "you have already signed in", 409)
    raise time_refusal or position_refusal


def _sign_out(session: Session, act, entry_key: dict, evidence: dict, at: datetime, now: datetime,
              offline: bool) -> tuple[float, str]:
    """Mark the entry signed out with its reflection; returns the distance to the venue and the reflection."""
    entry = session.execute(LOCK_ENTRY, entry_key).first()
    if entry is None:
        raise DomainError("NOT_EXPECTED", "you are not on this activity's sign-in sheet", 403)
    if offline:
        _check_offline(act, at, now)
    if entry.signed_in_at is None:
        raise DomainError("NOT_SIGNED_IN", "sign in before you sign out", 409)
    if entry.signed_out_at is not None:
        raise DomainError("ALREADY_SIGNED_OUT", "you have already signed out", 409)
    rules.check_sign_out_time(at, windows_of(act))
    reflection = rules.check_reflection(evidence.get("reflection"))
    distance = rules.check_position(act.venue_lat, act.venue_lon, act.radius_m, evidence["lat"], evidence["lon"],
                                    evidence["accuracy_m"])
    session.execute(SIGN_OUT, {**entry_key, "at": at, "late": entry.sent_late or offline, "text": reflection})
    return distance, reflection


def _refusal(check, *args) -> DomainError | None:
    try:
        check(*args)
    except DomainError as refusal:
        return refusal
    return None


def _check_offline(act: Activity, scanned_at: datetime, now: datetime) -> None:
    if scanned_at > now + CLOCK_SKEW:
        raise DomainError("SCAN_IN_FUTURE", "this scan claims a time in the future", 422)
    if now > aware(act.closes_at) + OFFLINE_GRACE:
        raise DomainError("BATCH_TOO_LATE", "offline scans are accepted up to 48 hours after the activity closes", 422)


def request_leave(session: Session, act: Activity, member_id: str, reason: str, now: datetime) -> dict:
    if now >= aware(act.starts_at):
        raise DomainError("LEAVE_TOO_LATE", "leave is asked for before the activity starts", 422)
    if session.get(SheetEntry, (act.id, member_id)) is None:
        raise DomainError("NOT_EXPECTED", "you are not on this activity's sign-in sheet", 403)
    if session.scalar(select(LeaveRequest.id).where(LeaveRequest.activity_id == act.id,
                                                    LeaveRequest.member_id == member_id)):
        raise DomainError("LEAVE_EXISTS", "you have already asked for leave", 409)
    leave = LeaveRequest(id=uuid.uuid4().hex, activity_id=act.id, member_id=member_id, reason=reason,
                         status="pending", requested_at=now)
    session.add(leave)
    return leave_view(leave)


def decide_leave(session: Session, leave_id: str, approve: bool) -> dict:
    """Approve (excused at the close) or reject a pending request, until the activity closes: closing has
    given every entry its final status by then. The activity is held shared, so a close waits for a decision
    in progress and a decision for a close; the request itself exclusively, so of two decisions the second
    finds it decided."""
    activity_id = session.scalar(select(LeaveRequest.activity_id).where(LeaveRequest.id == leave_id))
    if activity_id is None:
        raise DomainError("LEAVE_NOT_FOUND", f"leave request {leave_id} does not exist", 404)
    closed_at = session.scalar(select(Activity.closed_at).where(Activity.id == activity_id)
                               .with_for_update(read=True))
    if closed_at is not None:
        raise DomainError("ACTIVITY_CLOSED", "this activity is closed; its sheet is final", 409)
    leave = session.get(LeaveRequest, leave_id, with_for_update=True, populate_existing=True)
    if leave.status != "pending":
        raise DomainError("LEAVE_DECIDED", f"this request was already {leave.status}", 409, {"status": leave.status})
    leave.status = "approved" if approve else "rejected"
    leave.decided_at, leave.decided_by = utcnow(), session.info.get("actor_id")
    return leave_view(leave)


def leave_requests(session: Session, act: Activity, member_id: str | None, offset: int,
                   limit: int) -> tuple[int, list[dict]]:
    """The activity's leave requests (only `member_id`'s if given), oldest first, each with the member's name."""
    chosen = [LeaveRequest.activity_id == act.id] + ([LeaveRequest.member_id == member_id] if member_id else [])
    total = session.scalar(select(func.count()).select_from(LeaveRequest).where(*chosen))
    rows = session.execute(select(LeaveRequest, SheetEntry.name).join(SheetEntry, (
        SheetEntry.activity_id == LeaveRequest.activity_id) & (SheetEntry.member_id == LeaveRequest.member_id),
        isouter=True).where(*chosen).order_by(LeaveRequest.requested_at, LeaveRequest.id).offset(offset)
        .limit(limit)).all()
    return total, [{**leave_view(leave), "name": name} for leave, name in rows]


def leave_view(leave: LeaveRequest) -> dict:
    return {"leave_id": leave.id, "activity_id": leave.activity_id, "member_id": leave.member_id,
            "reason": leave.reason, "status": leave.status, "requested_at": aware(leave.requested_at).isoformat(),
            "decided_at": aware(leave.decided_at).isoformat() if leave.decided_at else None}


def scan_log(session: Session, act: Activity, accepted: bool | None, member_id: str | None, offset: int,
             limit: int) -> dict:
    """Every scan of the activity, accepted or refused, with its evidence, newest first (for an audit), and how
    many there were of each outcome."""
    chosen = [SCANS.c.activity_id == act.id]
    if accepted is not None:
        chosen.append(SCANS.c.accepted.is_(accepted))
    if member_id:
        chosen.append(SCANS.c.member_id == member_id)
    outcomes = {reason or "ok": count for reason, count in session.execute(select(SCANS.c.reason, func.count()).where(
        SCANS.c.activity_id == act.id).group_by(SCANS.c.reason)).all()}
    total = session.scalar(select(func.count()).select_from(SCANS).where(*chosen))
    rows = session.execute(select(SCANS, ENTRIES.c.name).join(ENTRIES, (ENTRIES.c.activity_id == SCANS.c.activity_id)
                                                            & (ENTRIES.c.member_id == SCANS.c.member_id), isouter=True)
                           .where(*chosen).order_by(SCANS.c.server_time.desc(), SCANS.c.id.desc())
                           .offset(offset).limit(limit)).mappings().all()
    return {"outcomes": outcomes, "total": total, "items": [{
        "scan_id": row["id"], "member_id": row["member_id"], "name": row["name"], "kind": row["kind"],
        "accepted": row["accepted"], "reason": row["reason"], "server_time": aware(row["server_time"]).isoformat(),
        "scanned_at": aware(row["scanned_at"]).isoformat() if row["scanned_at"] else None, "lat": row["lat"],
        "lon": row["lon"], "accuracy_m": row["accuracy_m"], "distance_m": row["distance_m"],
        "device_id": row["device_id"], "token_id": row["token_id"], "nonce": row["nonce"],
        "client_ip": row["client_ip"], "sent_late": row["sent_late"],
        "details": None if row["accepted"] else row["answer"]["error"]["details"]} for row in rows]}


def close(session: Session, act: Activity, now: datetime, absence_threshold: int) -> dict:
    """Final statuses: no sign-in is absent (or excused with approved leave), no sign-out is recorded as such."""
    excused = set(session.scalars(select(LeaveRequest.member_id).where(LeaveRequest.activity_id == act.id,
                                                                       LeaveRequest.status == "approved")))
    entries = session.scalars(select(SheetEntry).where(SheetEntry.activity_id == act.id).with_for_update()).all()
    for entry in entries:
        entry.status = rules.closing_status(entry.signed_in_at is not None, entry.signed_out_at is not None,
                                            entry.member_id in excused)
        if not entry.guest:
            _track_absence(session, act, entry, absence_threshold)
    act.closed_at = now
    counts = _recount(session, act, announce=False)
    emit(session, "activity_closed", ActivityClosed(
        activity_id=act.id, plan_id=act.plan_id, branch_id=act.branch_id, branch_path=act.branch_path,
        closed_at=now, counts_version=act.counts_version, **counts).model_dump(mode="json"))
    return counts


def _track_absence(session: Session, act: Activity, entry: SheetEntry, threshold: int) -> None:
    streak = session.get(AbsenceStreak, entry.member_id, with_for_update=True)
    if streak is None:
        streak = AbsenceStreak(member_id=entry.member_id, branch_id=act.branch_id, streak=0, flagged=False)
        session.add(streak)
    if entry.status == "absent":
        streak.streak += 1
        if streak.streak >= threshold and not streak.flagged:
            streak.flagged = True
            emit(session, "member_absence_flagged", {"member_id": entry.member_id, "branch_id": act.branch_id,
                                                     "consecutive_absences": streak.streak, "activity_id": act.id})
    elif entry.status != "excused":
        streak.streak, streak.flagged = 0, False


def absence_flags(session: Session, branch_id: str, threshold: int, offset: int, limit: int) -> tuple[int, list[dict]]:
    """The members on the branch's newest closed sheet who have missed `threshold` party days in a row or more (a
    member who has moved away stays listed until the branch's next party day closes), longest streak first, each
    with the last party day they missed."""
    newest = (select(Activity.id).where(Activity.branch_id == branch_id, Activity.closed_at.is_not(None))
              .order_by(Activity.starts_at.desc(), Activity.id.desc()).limit(1).scalar_subquery())
    last_missed = (_closed_lines(AbsenceStreak.member_id, Activity.id).where(SheetEntry.status == "absent").limit(1)
                   .correlate(AbsenceStreak).scalar_subquery())
    flagged = (select(AbsenceStreak.member_id, AbsenceStreak.streak, SheetEntry.name)
               .join(SheetEntry, SheetEntry.member_id == AbsenceStreak.member_id)
               .where(SheetEntry.activity_id == newest, SheetEntry.guest.is_(False),
                      AbsenceStreak.streak >= threshold))
    total = session.scalar(select(func.count()).select_from(flagged.subquery()))
    missed = aliased(Activity)
    rows = session.execute(flagged.add_columns(missed.id, missed.theme, missed.starts_at)
                           .join(missed, missed.id == last_missed, isouter=True)
                           .order_by(AbsenceStreak.streak.desc(), SheetEntry.name, AbsenceStreak.member_id)
                           .offset(offset).limit(limit)).all()
    return total, [{"member_id": member_id, "name": name, "consecutive_absences": streak,
                    "last_absence": None if activity_id is None else {
                        "activity_id": activity_id, "theme": theme, "starts_at": aware(starts_at).isoformat()}}
                   for member_id, streak, name, activity_id, theme, starts_at in rows]


def _closed_lines(member_id, *columns):
    """A member's own lines (not as a guest) on closed sheets, newest first: what their absence streak counts."""
    return (select(*columns).select_from(SheetEntry).join(Activity, Activity.id == SheetEntry.activity_id)
            .where(SheetEntry.member_id == member_id, SheetEntry.guest.is_(False), Activity.closed_at.is_not(None))
            .order_by(Activity.starts_at.desc(), Activity.id.desc()))


def _restreak(session: Session, member_id: str, threshold: int) -> None:
    """Count a member's streak again from their closed sheets, newest first, after a late offline sign-in changed
    one: absences count, approved leave neither counts nor breaks it, anything else ends it."""
    streak = session.get(AbsenceStreak, member_id, with_for_update=True)
    if streak is None:
        return
    count = 0
    for status in session.scalars(_closed_lines(member_id, SheetEntry.status)):
        if status == "absent":
            count += 1
        elif status != "excused":
            break
    streak.streak = count
    streak.flagged = streak.flagged and count >= threshold


def _recount(session: Session, act: Activity, announce: bool = True) -> dict:
    entries = session.scalars(select(SheetEntry).where(SheetEntry.activity_id == act.id)).all()
    session.flush()
    counts = {group: {status: 0 for status in STATUSES} for group in ("members", "mobile_members", "guests")}
    for entry in entries:
        status = entry.status if entry.status in STATUSES else ("no_sign_out" if entry.signed_in_at else "absent")
        counts[_group(entry)][status] += 1
    counts["expected"] = sum(1 for e in entries if _group(e) == "members")
    counts["expected_mobile"] = sum(1 for e in entries if _group(e) == "mobile_members")
    act.counts = counts
    act.counts_version = (act.counts_version or 0) + 1
    if announce:
        emit(session, "attendance_updated", AttendanceUpdated(
            activity_id=act.id, branch_id=act.branch_id, counts_version=act.counts_version,
            **counts).model_dump(mode="json"))
    return counts


def _group(entry: SheetEntry) -> str:
    return "guests" if entry.guest else "mobile_members" if entry.mobile else "members"


def sheet_summaries(session: Session, activity_ids: list[str]) -> dict:
    """Per activity: whether its sheet is closed, how many signed in, how many left a reflection."""
    signed = func.count(SheetEntry.signed_in_at)
    reflected = func.count(SheetEntry.reflection)
    rows = session.execute(select(Activity.id, Activity.closed_at, signed, reflected)
                           .join(SheetEntry, SheetEntry.activity_id == Activity.id, isouter=True)
                           .where(Activity.id.in_(activity_ids)).group_by(Activity.id, Activity.closed_at)).all()
    return {activity_id: {"closed": closed_at is not None, "signed_in": signed_in, "reflections": reflections}
            for activity_id, closed_at, signed_in, reflections in rows}


def member_history(session: Session, member_id: str, offset: int, limit: int) -> tuple[int, list[dict]]:
    """A member's own lines on every sign-in sheet they were on, newest activity first."""
    mine = (select(SheetEntry, Activity).join(Activity, Activity.id == SheetEntry.activity_id)
            .where(SheetEntry.member_id == member_id))
    total = session.scalar(select(func.count()).select_from(SheetEntry).where(SheetEntry.member_id == member_id))
    rows = session.execute(mine.order_by(Activity.starts_at.desc(), Activity.id).offset(offset).limit(limit)).all()
    return total, [{**entry_view(entry), "activity_id": act.id, "branch_id": act.branch_id, "theme": act.theme,
                    "venue_name": act.venue_name, "starts_at": aware(act.starts_at).isoformat(),
                    "ends_at": aware(act.ends_at).isoformat(), "closed": act.closed_at is not None}
                   for entry, act in rows]


def sheet_view(session: Session, act: Activity) -> dict:
    entries = session.scalars(select(SheetEntry).where(SheetEntry.activity_id == act.id)
                              .order_by(SheetEntry.name, SheetEntry.member_id)).all()
    return {"activity_id": act.id, "closed": act.closed_at is not None, "counts": act.counts,
            "members": [entry_view(e) for e in entries]}


def entry_view(e: SheetEntry) -> dict:
    return {"member_id": e.member_id, "name": e.name, "mobile": e.mobile, "guest": e.guest, "status": e.status,
            "signed_in_at": aware(e.signed_in_at).isoformat() if e.signed_in_at else None,
            "signed_out_at": aware(e.signed_out_at).isoformat() if e.signed_out_at else None,
            "sent_late": e.sent_late}
