"""A scan judged and recorded in one transaction, every rule in the order of its refusals: who may scan, an
offline scan's limits, not twice, the window, the fence (and a sign-out's reflection). Every sign-out, every
offline scan, and the sign-ins the one-statement path (`at_once`) leaves to it come here.

An offline sign-in with the printed code, sent after sign-in closed, proves nothing about when it was made: it is
kept as `claimed`, marks nothing on the sheet and waits for a superior's decision (`integrity.py`)."""

from datetime import datetime

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from partyday_attendance import absences, closing, device_keys, makeups, rules, tokens
from partyday_attendance.activities import windows_of
from partyday_attendance.models import Activity, Scan, SheetEntry
from partyday_attendance_contracts.events import MemberReflected
from partyday_common.db import emit
from partyday_common.errors import DomainError

SCANS, ENTRIES, ACTIVITIES = Scan.__table__, SheetEntry.__table__, Activity.__table__


# The busiest statements of the party day, built once: SQLAlchemy then reuses their compiled form.
# A scan reads its activity together with the answer already given to the same nonce, if any.
PREVIOUS_ANSWER = (
    select(SCANS.c.answer)
    .where(
        SCANS.c.activity_id == bindparam("activity_id"),
        SCANS.c.member_id == bindparam("member_id"),
        SCANS.c.kind == bindparam("kind"),
        SCANS.c.nonce == bindparam("nonce"),
    )
    .scalar_subquery()
)
SCAN_CONTEXT = select(ACTIVITIES, PREVIOUS_ANSWER.label("previous_answer")).where(
    ACTIVITIES.c.id == bindparam("activity_id")
)
# A scan holds the activity shared, so closing (which takes it exclusively) waits for scans in flight and
# scans wait for a close; a late offline scan, which recounts a closed activity, takes it exclusively.
SCAN_CONTEXT_SHARED = SCAN_CONTEXT.with_for_update(read=True, of=ACTIVITIES)
SCAN_CONTEXT_EXCLUSIVE = SCAN_CONTEXT.with_for_update(of=ACTIVITIES)
_ENTRY_KEY = (ENTRIES.c.activity_id == bindparam("entry_activity")) & (ENTRIES.c.member_id == bindparam("entry_member"))
LOCK_ENTRY = (
    select(ENTRIES.c.signed_in_at, ENTRIES.c.signed_out_at, ENTRIES.c.sent_late).where(_ENTRY_KEY).with_for_update()
)
# A sign-in that passed every other rule marks the entry in one statement, unless it is signed in already:
# of two sign-ins at once, the second waits for the first's row and then finds it signed in.
SIGN_IN = (
    update(ENTRIES)
    .where(_ENTRY_KEY, ENTRIES.c.signed_in_at.is_(None))
    .values(signed_in_at=bindparam("at"), status="signed_in", sent_late=or_(ENTRIES.c.sent_late, bindparam("late")))
    .returning(ENTRIES.c.member_id)
)
SIGN_OUT = (
    update(ENTRIES)
    .where(_ENTRY_KEY)
    .values(
        signed_out_at=bindparam("at"), status="signed_out", sent_late=bindparam("late"), reflection=bindparam("text")
    )
)
RECORD_SCAN = insert(SCANS)


def scan_context(session: Session, activity_id: str, member_id: str, kind: str, nonce: str, exclusive: bool = False):
    """The activity as a plain row, locked for the scan that reads it (see SCAN_CONTEXT_SHARED), with the
    answer already given to this member's scan of that nonce as `previous_answer`."""
    found = session.execute(
        SCAN_CONTEXT_EXCLUSIVE if exclusive else SCAN_CONTEXT_SHARED,
        {"activity_id": activity_id, "member_id": member_id, "kind": kind, "nonce": nonce},
    ).first()
    if found is None:
        raise DomainError("ACTIVITY_NOT_FOUND", f"activity {activity_id} does not exist or is not approved", 404)
    return found


def judge(
    session: Session,
    act,
    member_id: str,
    kind: str,
    evidence: dict,
    now: datetime,
    keys: dict[str, str],
    absence_threshold: int,
    offline: bool = False,
) -> dict:
    """Judge one scan and keep it, accepted or not, with its evidence; the same nonce gets the same answer.

    `act` comes from `scan_context`. The busiest write of the party day, so it is written in SQL
    expressions rather than through the ORM."""
    if act.previous_answer is not None:
        return act.previous_answer
    at = evidence["scanned_at"] if offline else now
    record = {
        "activity_id": act.id,
        "member_id": member_id,
        "kind": kind,
        "server_time": now,
        "scanned_at": at,
        "lat": evidence["lat"],
        "lon": evidence["lon"],
        "accuracy_m": evidence["accuracy_m"],
        "device_id": evidence["device_id"],
        "nonce": evidence["nonce"],
        "client_ip": session.info.get("client_ip"),
        "sent_late": offline,
        "token_id": None,
        "distance_m": None,
        "reason": None,
        "review": None,
        "fix_at": evidence.get("fix_at"),
        "position_mocked": evidence.get("position_mocked"),
    }
    entry_key = {"entry_activity": act.id, "entry_member": member_id}
    try:
        signed = {**evidence, "activity_id": act.id, "kind": kind}
        proven_device = device_keys.proves_device(session, member_id, signed) if offline else True
        claims = tokens.verify(evidence["token"], act.id, keys, at, offline)
        record["token_id"] = claims.token_id
        if kind == "sign_in":
            proof = (claims.step is not None, proven_device)
            record["distance_m"], claimed = _sign_in(session, act, entry_key, evidence, at, now, offline, proof)
            if claimed:
                record.update(accepted=True, review="claimed", answer=claimed_answer(at))
                session.execute(RECORD_SCAN, record)
                return record["answer"]
        else:
            record["distance_m"], reflection = _sign_out(session, act, entry_key, evidence, at, now, offline)
    except DomainError as exc:
        record.update(accepted=False, reason=exc.code, answer=refusal_answer(exc))
        session.execute(RECORD_SCAN, record)
        return record["answer"]
    if kind == "sign_out":
        emit(
            session,
            "member_reflected",
            MemberReflected(
                activity_id=act.id, member_id=member_id, branch_id=act.branch_id, text=reflection, at=at
            ).model_dump(mode="json"),
        )
    status = "signed_in" if kind == "sign_in" else "signed_out"
    record.update(accepted=True, answer={"status": status, "at": at.isoformat(), "sent_late": offline})
    session.execute(RECORD_SCAN, record)
    if act.closed_at is not None:
        closing.recount(session, session.get(Activity, act.id))
        if kind == "sign_in":
            absences.restreak(session, member_id, absence_threshold)
            makeups.withdraw(session, act.id, member_id)
    return record["answer"]


def claimed_answer(at: datetime) -> dict:
    """What a member is told of a scan kept as claimed: it waits for a decision and counts for nothing until then."""
    return {"status": "claimed", "at": at.isoformat(), "sent_late": True, "waiting_for_decision": True}


def refusal_answer(refusal: DomainError) -> dict:
    """A refusal as it is stored with the scan and given again to the same nonce."""
    return {
        "error": {"code": refusal.code, "message": refusal.message, "details": refusal.details},
        "status": refusal.status,
    }


def _sign_in(
    session: Session,
    act,
    entry_key: dict,
    evidence: dict,
    at: datetime,
    now: datetime,
    offline: bool,
    proof: tuple[bool, bool] = (False, True),
) -> tuple[float, bool]:
    """Mark the entry signed in and return the distance to the venue, or raise the first rule broken, in
    the order: on the sheet, offline limits, not yet signed in, the window, the fence. The entry is only
    read when a rule that needs no entry was broken or the sign-in found nothing to mark. A sign-in whose
    time nothing proves, sent after sign-in closed, or queued on a device the member never registered, marks
    nothing and is answered as claimed (True). `proof`: a rotating code, a registered device."""
    offline_refusal = _refusal(rules.check_offline, act.closes_at, at, now) if offline else None
    window = windows_of(act)
    time_refusal = _refusal(rules.check_sign_in_time, at, window)
    try:
        distance = rules.check_position(
            act.venue_lat, act.venue_lon, act.radius_m, evidence["lat"], evidence["lon"], evidence["accuracy_m"]
        )
        position_refusal = None
    except DomainError as refusal:
        position_refusal = refusal
    if not (offline_refusal or time_refusal or position_refusal):
        rotating, proven_device = proof
        if rules.is_claim(offline, rotating, now, window, proven_device):
            _claimable(session, entry_key)
            return distance, True
        if session.execute(SIGN_IN, {**entry_key, "at": at, "late": offline}).first() is not None:
            return distance, False
    entry = session.execute(LOCK_ENTRY, entry_key).first()
    if entry is None:
        raise DomainError("NOT_EXPECTED", "you are not on this activity's sign-in sheet", 403)
    if offline_refusal:
        raise offline_refusal
    if entry.signed_in_at is not None:
        raise DomainError("ALREADY_SIGNED_IN", "you have already signed in", 409)
    raise time_refusal or position_refusal


def _claimable(session: Session, entry_key: dict) -> None:
    """A claim is kept for a member on the sheet, not signed in, with no other claim waiting."""
    entry = session.execute(LOCK_ENTRY, entry_key).first()
    if entry is None:
        raise DomainError("NOT_EXPECTED", "you are not on this activity's sign-in sheet", 403)
    if entry.signed_in_at is not None:
        raise DomainError("ALREADY_SIGNED_IN", "you have already signed in", 409)
    waiting = session.execute(
        select(SCANS.c.id).where(
            SCANS.c.activity_id == entry_key["entry_activity"],
            SCANS.c.member_id == entry_key["entry_member"],
            SCANS.c.review == "claimed",
        )
    ).first()
    if waiting is not None:
        raise DomainError("ALREADY_CLAIMED", "your earlier scan is already waiting for a decision", 409)


def _sign_out(
    session: Session, act, entry_key: dict, evidence: dict, at: datetime, now: datetime, offline: bool
) -> tuple[float, str]:
    """Mark the entry signed out with its reflection; returns the distance to the venue and the reflection."""
    entry = session.execute(LOCK_ENTRY, entry_key).first()
    if entry is None:
        raise DomainError("NOT_EXPECTED", "you are not on this activity's sign-in sheet", 403)
    if offline:
        rules.check_offline(act.closes_at, at, now)
    if entry.signed_in_at is None:
        raise DomainError("NOT_SIGNED_IN", "sign in before you sign out", 409)
    if entry.signed_out_at is not None:
        raise DomainError("ALREADY_SIGNED_OUT", "you have already signed out", 409)
    rules.check_sign_out_time(at, windows_of(act))
    reflection = rules.check_reflection(evidence.get("reflection"))
    distance = rules.check_position(
        act.venue_lat, act.venue_lon, act.radius_m, evidence["lat"], evidence["lon"], evidence["accuracy_m"]
    )
    session.execute(SIGN_OUT, {**entry_key, "at": at, "late": entry.sent_late or offline, "text": reflection})
    return distance, reflection


def _refusal(check, *args) -> DomainError | None:
    try:
        check(*args)
    except DomainError as refusal:
        return refusal
    return None
