"""What attendance answers about its sheets: a sheet, a member's history, the archive's summaries and the audit
of every scan, each read in SQL a page at a time."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_attendance import makeups
from partyday_attendance.models import Activity, Scan, SheetEntry

SCANS, ENTRIES = Scan.__table__, SheetEntry.__table__


def entry_view(e: SheetEntry) -> dict:
    return {
        "member_id": e.member_id,
        "name": e.name,
        "mobile": e.mobile,
        "guest": e.guest,
        "status": e.status,
        "signed_in_at": e.signed_in_at.isoformat() if e.signed_in_at else None,
        "signed_out_at": e.signed_out_at.isoformat() if e.signed_out_at else None,
        "sent_late": e.sent_late,
    }


def sheet_view(session: Session, act: Activity, now: datetime) -> dict:
    """The sheet, each member with their records' review (claimed, flagged, accepted, voided, or none) and their
    make-up study at `now` (assigned, overdue, done; None without one), and how many members' records wait for a
    decision as claimed and as flagged (counted apart from the statuses)."""
    entries = session.scalars(
        select(SheetEntry).where(SheetEntry.activity_id == act.id).order_by(SheetEntry.name, SheetEntry.member_id)
    ).all()
    reviews = dict(
        session.execute(
            select(SCANS.c.member_id, SCANS.c.review)
            .where(SCANS.c.activity_id == act.id, SCANS.c.review.is_not(None))
            .order_by(SCANS.c.id)
        ).all()
    )
    waiting = list(reviews.values())
    tasks = makeups.sheet_states(session, act.id, now)
    return {
        "activity_id": act.id,
        "closed": act.closed_at is not None,
        "counts": act.counts,
        "integrity": {"claimed": waiting.count("claimed"), "flagged": waiting.count("flagged")},
        "members": [
            {**entry_view(e), "review": reviews.get(e.member_id), "makeup": _shown(tasks.get(e.member_id))}
            for e in entries
        ],
    }


def _shown(task: dict | None) -> dict | None:
    """A withdrawn make-up (the member was signed in after all) is not shown on the sheet."""
    return None if task is None or task["state"] == "withdrawn" else task


def member_history(session: Session, member_id: str, offset: int, limit: int) -> tuple[int, list[dict]]:
    """A member's own lines on every sign-in sheet they were on, newest activity first, each saying whether a
    scan of theirs waits for a superior's decision (a claim)."""
    waiting = (
        select(SCANS.c.id)
        .where(
            SCANS.c.activity_id == SheetEntry.activity_id,
            SCANS.c.member_id == SheetEntry.member_id,
            SCANS.c.review == "claimed",
        )
        .exists()
    )
    mine = (
        select(SheetEntry, Activity, waiting)
        .join(Activity, Activity.id == SheetEntry.activity_id)
        .where(SheetEntry.member_id == member_id)
    )
    total = session.scalar(select(func.count()).select_from(SheetEntry).where(SheetEntry.member_id == member_id))
    rows = session.execute(mine.order_by(Activity.starts_at.desc(), Activity.id).offset(offset).limit(limit)).all()
    return total, [
        {
            **entry_view(entry),
            "activity_id": act.id,
            "branch_id": act.branch_id,
            "theme": act.theme,
            "venue_name": act.venue_name,
            "starts_at": act.starts_at.isoformat(),
            "ends_at": act.ends_at.isoformat(),
            "closed": act.closed_at is not None,
            "waiting_for_decision": claimed,
        }
        for entry, act, claimed in rows
    ]


def sheet_summaries(session: Session, activity_ids: list[str]) -> dict:
    """Per activity: whether its sheet is closed, how many signed in, how many left a reflection."""
    signed = func.count(SheetEntry.signed_in_at)
    reflected = func.count(SheetEntry.reflection)
    rows = session.execute(
        select(Activity.id, Activity.closed_at, signed, reflected)
        .join(SheetEntry, SheetEntry.activity_id == Activity.id, isouter=True)
        .where(Activity.id.in_(activity_ids))
        .group_by(Activity.id, Activity.closed_at)
    ).all()
    return {
        activity_id: {"closed": closed_at is not None, "signed_in": signed_in, "reflections": reflections}
        for activity_id, closed_at, signed_in, reflections in rows
    }


def scan_log(
    session: Session, act: Activity, accepted: bool | None, member_id: str | None, offset: int, limit: int
) -> dict:
    """Every scan of the activity, accepted or refused, with its evidence, newest first (for an audit), and how
    many there were of each outcome."""
    chosen = [SCANS.c.activity_id == act.id]
    if accepted is not None:
        chosen.append(SCANS.c.accepted.is_(accepted))
    if member_id:
        chosen.append(SCANS.c.member_id == member_id)
    outcomes = {
        reason or "ok": count
        for reason, count in session.execute(
            select(SCANS.c.reason, func.count()).where(SCANS.c.activity_id == act.id).group_by(SCANS.c.reason)
        ).all()
    }
    total = session.scalar(select(func.count()).select_from(SCANS).where(*chosen))
    rows = (
        session.execute(
            select(SCANS, ENTRIES.c.name)
            .join(
                ENTRIES,
                (ENTRIES.c.activity_id == SCANS.c.activity_id) & (ENTRIES.c.member_id == SCANS.c.member_id),
                isouter=True,
            )
            .where(*chosen)
            .order_by(SCANS.c.server_time.desc(), SCANS.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        .mappings()
        .all()
    )
    return {
        "outcomes": outcomes,
        "total": total,
        "items": [
            {
                "scan_id": row["id"],
                "member_id": row["member_id"],
                "name": row["name"],
                "kind": row["kind"],
                "accepted": row["accepted"],
                "reason": row["reason"],
                "server_time": row["server_time"].isoformat(),
                "scanned_at": row["scanned_at"].isoformat() if row["scanned_at"] else None,
                "lat": row["lat"],
                "lon": row["lon"],
                "accuracy_m": row["accuracy_m"],
                "distance_m": row["distance_m"],
                "device_id": row["device_id"],
                "token_id": row["token_id"],
                "nonce": row["nonce"],
                "client_ip": row["client_ip"],
                "sent_late": row["sent_late"],
                "details": None if row["accepted"] else row["answer"]["error"]["details"],
                "signals": row["signals"],
                "review": row["review"],
            }
            for row in rows
        ],
    }
