"""Integrity: every accepted scan weighed for the signals of a forgery (`signals.py`) and flagged over the
threshold; the queue of flagged and claimed records a superior decides; and the decision, which is where a
record's review is audited (who, when, why) and the sheet and its counts follow."""

from datetime import datetime

from prometheus_client import Counter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_attendance import absences, closing, makeups, rules, signals
from partyday_attendance.models import Activity, Scan, SheetEntry
from partyday_attendance.settings import AttendanceSettings
from partyday_common import audit
from partyday_common.errors import DomainError

SIGNALS = Counter("partyday_scan_signals_total", "Integrity signals found on accepted scans, by signal.", ["signal"])
FLAGGED = Counter("partyday_scans_flagged_total", "Accepted scans flagged for a superior's decision.")
DECISIONS = Counter("partyday_reviews_decided_total", "Claimed and flagged records decided, by decision.", ["decision"])
WAITING = ("claimed", "flagged")
# How far back a member's previous scan and last party day's device are looked for.
RECENT_SHEETS = 5


def assess_pending(session: Session, settings: AttendanceSettings, limit: int = 500) -> int:
    """Weigh the accepted scans not weighed yet, oldest first, `limit` at a time (the timer runs it, so that the
    party day's sign-in stays one statement); how many were weighed. Workers share the work: a scan another is
    weighing is skipped."""
    pending = session.scalars(
        select(Scan)
        .where(Scan.accepted.is_(True), Scan.signals.is_(None))
        .order_by(Scan.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for scan in pending:
        assess(session, scan, settings)
    return len(pending)


def assess(session: Session, scan: Scan, settings: AttendanceSettings) -> dict:
    """Store the accepted scan's signals and flag it over the threshold; a device it shares with other members
    of the activity flags theirs too."""
    act = session.get(Activity, scan.activity_id)
    others = _others_on_device(session, scan)
    around = signals.Around(
        venue_lat=act.venue_lat,
        venue_lon=act.venue_lon,
        others_on_device=sorted({other.member_id for other in others}),
        other_positions=_other_positions(session, scan),
        previous_fix=_previous_fix(session, scan),
        last_device=_last_party_day_device(session, scan),
    )
    found = signals.found_on(
        _fix(scan),
        scan.device_id,
        scan.scanned_at if scan.sent_late else scan.server_time,
        scan.fix_at,
        scan.position_mocked,
        around,
        settings.stale_fix_after_s,
        settings.max_speed_kmh,
    )
    _weigh(scan, found, settings)
    for other in others:
        if other.signals is not None:
            _add_signal(other, signals.shared_device(other.device_id, [scan.member_id]), settings)
    return scan.signals


def review_queue(session: Session, path: str, offset: int, limit: int) -> tuple[int, list[dict]]:
    """The claimed and flagged records of the activities under `path` waiting for a decision, oldest first."""
    waiting = (
        select(Scan, Activity.branch_id, Activity.theme, SheetEntry.name)
        .join(Activity, Activity.id == Scan.activity_id)
        .join(
            SheetEntry,
            (SheetEntry.activity_id == Scan.activity_id) & (SheetEntry.member_id == Scan.member_id),
            isouter=True,
        )
        .where(Scan.review.in_(WAITING), Activity.branch_path.startswith(path, autoescape=True))
    )
    total = session.scalar(select(func.count()).select_from(waiting.subquery()))
    rows = session.execute(waiting.order_by(Scan.server_time, Scan.id).offset(offset).limit(limit)).all()
    return total, [record_view(scan, branch_id, theme, name) for scan, branch_id, theme, name in rows]


def record_activity(session: Session, record_id: int) -> dict:
    """The branch a record belongs to (for the gateway's check that a superior decides it)."""
    found = session.execute(
        select(Activity.id, Activity.branch_id, Activity.branch_path)
        .join(Scan, Scan.activity_id == Activity.id)
        .where(Scan.id == record_id)
    ).first()
    if found is None:
        raise DomainError("RECORD_NOT_FOUND", f"record {record_id} does not exist", 404)
    return {
        "record_id": record_id,
        "activity_id": found.id,
        "branch_id": found.branch_id,
        "branch_path": found.branch_path,
    }


def decide(
    session: Session,
    record_id: int,
    decision: str,
    reason: str,
    decided_by: str,
    now: datetime,
    absence_threshold: int,
    makeup_due_days: int,
) -> dict:
    """A superior accepts or voids a claimed or flagged record, with a reason kept on it (the decision's audit):
    an accepted claim signs its member in at the time it claimed, a voided sign-in leaves them absent; the
    counts of a closed activity are announced again (`attendance_updated`)."""
    scan = session.get(Scan, record_id, with_for_update=True)
    if scan is None:
        raise DomainError("RECORD_NOT_FOUND", f"record {record_id} does not exist", 404)
    if scan.review not in WAITING:
        raise DomainError(
            "NOT_WAITING_FOR_DECISION",
            "this record is not waiting for a decision",
            409,
            {"review": scan.review, "decided_at": scan.decided_at.isoformat() if scan.decided_at else None},
        )
    act = session.get(Activity, scan.activity_id, with_for_update=True)
    entry = session.get(SheetEntry, (scan.activity_id, scan.member_id), with_for_update=True)
    changed = False
    if decision == "accept" and scan.review == "claimed" and entry is not None and entry.signed_in_at is None:
        entry.signed_in_at, entry.sent_late, changed = scan.scanned_at, True, True
        scan.answer = {"status": "signed_in", "at": scan.scanned_at.isoformat(), "sent_late": True}
    elif decision == "void" and scan.review == "flagged":
        changed = _void(entry, scan)
    if changed:
        entry.status = _status_now(entry, act)
    DECISIONS.labels(decision).inc()
    scan.review = "accepted" if decision == "accept" else "voided"
    scan.decided_by, scan.decided_at, scan.decision_reason = decided_by, now, reason
    audit.record(
        session,
        f"sign_in.{decision}",
        "scan",
        str(scan.id),
        act.branch_path,
        {"activity_id": scan.activity_id, "member_id": scan.member_id, "reason": reason},
    )
    if changed and act.closed_at is not None:
        closing.recount(session, act)
        if not entry.guest:
            absences.restreak(session, entry.member_id, absence_threshold)
            makeups.follow(session, act, entry, now, makeup_due_days)
    session.flush()
    return record_view(scan, act.branch_id, act.theme, entry.name if entry else None)


def record_view(scan: Scan, branch_id: str, theme: str, name: str | None) -> dict:
    """A record as a superior reviews it: the evidence it was judged on, its signals and its review."""
    return {
        "record_id": scan.id,
        "activity_id": scan.activity_id,
        "branch_id": branch_id,
        "theme": theme,
        "member_id": scan.member_id,
        "name": name,
        "kind": scan.kind,
        "review": scan.review,
        "server_time": scan.server_time.isoformat(),
        "scanned_at": scan.scanned_at.isoformat() if scan.scanned_at else None,
        "sent_late": scan.sent_late,
        "lat": scan.lat,
        "lon": scan.lon,
        "accuracy_m": scan.accuracy_m,
        "distance_m": scan.distance_m,
        "device_id": scan.device_id,
        "token_id": scan.token_id,
        "client_ip": scan.client_ip,
        "signals": scan.signals,
        "decided_by": scan.decided_by,
        "decided_at": scan.decided_at.isoformat() if scan.decided_at else None,
        "decision_reason": scan.decision_reason,
    }


def _void(entry: SheetEntry, scan: Scan) -> bool:
    """A voided sign-in takes the member's sign-in (and the sign-out after it) off the sheet."""
    if scan.kind != "sign_in" or entry is None or entry.signed_in_at is None:
        return False
    entry.signed_in_at, entry.signed_out_at, entry.reflection = None, None, None
    return True


def _status_now(entry: SheetEntry, act: Activity) -> str:
    if act.closed_at is None:
        return "signed_out" if entry.signed_out_at else "signed_in" if entry.signed_in_at else "absent"
    excused = entry.status == "excused"
    return rules.closing_status(entry.signed_in_at is not None, entry.signed_out_at is not None, excused)


def _weigh(scan: Scan, found: list[dict], settings: AttendanceSettings) -> None:
    known = {item["signal"] for item in (scan.signals or {}).get("items", [])}
    scan.signals = signals.weigh(found, settings.signal_weights, settings.flag_threshold)
    for signal in found:
        if signal["signal"] not in known:
            SIGNALS.labels(signal["signal"]).inc()
    if scan.signals["flagged"] and scan.review is None:
        scan.review = "flagged"
        FLAGGED.inc()


def _add_signal(scan: Scan, signal: dict, settings: AttendanceSettings) -> None:
    """A signal found later on a record weighed before (the first member a shared device signed in): its
    evidence joins the one already found."""
    items = [{key: value for key, value in item.items() if key != "weight"} for item in scan.signals["items"]]
    same = next((item for item in items if item["signal"] == signal["signal"]), None)
    if same is None:
        items.append(signal)
    elif signal["signal"] == "shared_device":
        others = set(same["evidence"]["other_members"]) | set(signal["evidence"]["other_members"])
        same["evidence"] = {**same["evidence"], "other_members": sorted(others)}
    _weigh(scan, items, settings)


def _accepted(scan: Scan):
    return select(Scan).where(Scan.accepted.is_(True), Scan.id != scan.id)


def _others_on_device(session: Session, scan: Scan) -> list[Scan]:
    return session.scalars(
        _accepted(scan).where(
            Scan.activity_id == scan.activity_id,
            Scan.device_id == scan.device_id,
            Scan.member_id != scan.member_id,
            Scan.kind == scan.kind,
        )
    ).all()


def _other_positions(session: Session, scan: Scan) -> dict[str, tuple[float, float]]:
    rows = session.execute(
        select(Scan.member_id, Scan.lat, Scan.lon).where(
            Scan.accepted.is_(True),
            Scan.activity_id == scan.activity_id,
            Scan.member_id != scan.member_id,
            Scan.lat.between(scan.lat - 1e-6, scan.lat + 1e-6),
            Scan.lon.between(scan.lon - 1e-6, scan.lon + 1e-6),
        )
    ).all()
    return {row.member_id: (row.lat, row.lon) for row in rows}


def _fix(scan: Scan) -> signals.Fix:
    return signals.Fix(scan.lat, scan.lon, scan.accuracy_m, scan.scanned_at)


def _recent_sheets(member_id: str):
    """The member's last few sheets, found through the sheet's member index: scans have no index by member (one
    index less on the busiest insert), but one by activity and member."""
    return (
        select(SheetEntry.activity_id)
        .join(Activity, Activity.id == SheetEntry.activity_id)
        .where(SheetEntry.member_id == member_id)
        .order_by(Activity.starts_at.desc())
        .limit(RECENT_SHEETS)
        .scalar_subquery()
    )


def _previous_fix(session: Session, scan: Scan) -> signals.Fix | None:
    previous = session.scalars(
        _accepted(scan)
        .where(
            Scan.activity_id.in_(_recent_sheets(scan.member_id)),
            Scan.member_id == scan.member_id,
            Scan.scanned_at <= scan.scanned_at,
        )
        .order_by(Scan.scanned_at.desc(), Scan.id.desc())
        .limit(1)
    ).first()
    return _fix(previous) if previous is not None else None


def _last_party_day_device(session: Session, scan: Scan) -> str | None:
    return session.scalar(
        _accepted(scan)
        .with_only_columns(Scan.device_id)
        .where(
            Scan.activity_id.in_(_recent_sheets(scan.member_id)),
            Scan.member_id == scan.member_id,
            Scan.activity_id != scan.activity_id,
        )
        .order_by(Scan.scanned_at.desc(), Scan.id.desc())
        .limit(1)
    )
