"""Taking a scan: a sign-in in one statement where the activity's facts suffice (`at_once`), otherwise judged in
a transaction (`judging`); offline batches; and every answer counted by kind, outcome and reason."""

from datetime import datetime

from prometheus_client import Counter
from sqlalchemy.exc import IntegrityError

from partyday_attendance import at_once, judging
from partyday_attendance.facts import ActivityFactsCache
from partyday_attendance.settings import AttendanceSettings
from partyday_attendance_contracts.rpc import OfflineScan
from partyday_common.errors import DomainError, validated

SCANS = Counter(
    "partyday_scans_total", "Sign-in and sign-out attempts, by kind, outcome and reason.", ["kind", "outcome", "reason"]
)
MAX_BATCH = 200


def scan(
    db,
    facts: ActivityFactsCache,
    activity_id: str,
    member_id: str,
    kind: str,
    evidence: dict,
    now: datetime,
    settings: AttendanceSettings,
) -> dict:
    """A scan made now, as `answered` gives it back: a sign-in on PostgreSQL in one statement when that is enough
    to judge it, everything else in a transaction. `db` is the worker's `WorkerDatabase`."""
    answer = None
    if kind == "sign_in" and db.backend == "postgresql":
        answer = _at_once(db, facts, activity_id, member_id, evidence, now, settings)
    if answer is None:
        answer = _judged(db, activity_id, member_id, kind, evidence, now, settings, offline=False)
    return _counted(kind, answer)


def offline_batch(db, member_id: str, batch: list, now: datetime, settings: AttendanceSettings) -> list[dict]:
    """Each scan of the batch judged on its own evidence at its `scanned_at`, in its own transaction, and marked
    as sent late; a scan that is not valid is answered with its refusal, and the others still count."""
    answers = []
    for index, raw in enumerate(batch):
        try:
            item = validated(OfflineScan, raw).model_dump()
            activity_id, kind = item.pop("activity_id"), item.pop("kind")
            answer = _counted(kind, _judged(db, activity_id, member_id, kind, item, now, settings, offline=True))
        except DomainError as exc:
            answer = judging.refusal_answer(exc)
        answers.append({"index": index, **answer})
    return answers


def answered(answer: dict) -> dict:
    """A stored answer as the caller sees it: accepted, or the stored refusal raised again."""
    if "error" in answer:
        error = answer["error"]
        raise DomainError(error["code"], error["message"], answer["status"], error["details"])
    return answer


def _at_once(
    db,
    facts: ActivityFactsCache,
    activity_id: str,
    member_id: str,
    evidence: dict,
    now: datetime,
    settings: AttendanceSettings,
) -> dict | None:
    known = facts.get(db.run_alone, activity_id)
    if known is None:
        return None
    try:
        return at_once.sign_in(db.run_alone, known, member_id, evidence, now, settings.qr_signing_keys(), db.client_ip)
    except IntegrityError:
        return None


def _judged(
    db,
    activity_id: str,
    member_id: str,
    kind: str,
    evidence: dict,
    now: datetime,
    settings: AttendanceSettings,
    offline: bool,
) -> dict:
    """Judged in a transaction; once more if a scan of the same nonce committed in between (its answer is then
    given)."""
    try:
        return _judge(db, activity_id, member_id, kind, evidence, now, settings, offline)
    except IntegrityError:
        return _judge(db, activity_id, member_id, kind, evidence, now, settings, offline)


def _judge(
    db,
    activity_id: str,
    member_id: str,
    kind: str,
    evidence: dict,
    now: datetime,
    settings: AttendanceSettings,
    offline: bool,
) -> dict:
    with db.transaction() as session:
        act = judging.scan_context(session, activity_id, member_id, kind, evidence["nonce"], exclusive=offline)
        return judging.judge(
            session,
            act,
            member_id,
            kind,
            evidence,
            now,
            settings.qr_signing_keys(),
            settings.absence_flag_after,
            offline,
        )


def _counted(kind: str, answer: dict) -> dict:
    refused = "error" in answer
    reason = answer["error"]["code"] if refused else "claimed" if answer["status"] == "claimed" else "ok"
    SCANS.labels(kind, "rejected" if refused else "accepted", reason).inc()
    return answer
