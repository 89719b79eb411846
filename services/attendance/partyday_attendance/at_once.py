"""The party day's sign-in as one statement on PostgreSQL, committed on its own (`WorkerDatabase.run_alone`).
What it cannot judge from the activity's facts alone it leaves to `judging`, which reaches the same answer with
the same evidence: `test_both_paths_give_the_same_answer_and_keep_the_same_evidence` (tests/services/
test_attendance.py) holds the two to one table of cases."""

import json
from datetime import datetime

from partyday_attendance import rules, tokens
from partyday_attendance.facts import ActivityFacts
from partyday_attendance.judging import refusal_answer
from partyday_common.db import PreparedStatement
from partyday_common.errors import DomainError

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
_EVIDENCE_TYPES = {
    "activity_id": "text",
    "member_id": "text",
    "nonce": "text",
    "at": "timestamptz",
    "lat": "float8",
    "lon": "float8",
    "accuracy_m": "float8",
    "device_id": "text",
    "token_id": "text",
    "client_ip": "text",
    "fix_at": "timestamptz",
    "position_mocked": "boolean",
    "answer": "json",
}
SIGN_IN_AT_ONCE = PreparedStatement(
    "partyday_sign_in_at_once",
    {**_EVIDENCE_TYPES, "distance_m": "float8"},
    f"""
WITH earlier AS ({_EARLIER_ANSWER}), marked AS (
    UPDATE sheet_entries SET signed_in_at = %(at)s, status = 'signed_in'
    WHERE activity_id = %(activity_id)s AND member_id = %(member_id)s AND signed_in_at IS NULL
      AND status = 'expected' AND NOT EXISTS (SELECT FROM earlier)
    RETURNING member_id
), recorded AS (
    INSERT INTO scans (activity_id, member_id, kind, accepted, reason, server_time, scanned_at, lat, lon,
                       accuracy_m, distance_m, device_id, token_id, nonce, client_ip, sent_late, answer, fix_at,
                       position_mocked)
    SELECT %(activity_id)s, member_id, 'sign_in', true, NULL, %(at)s, %(at)s, %(lat)s, %(lon)s, %(accuracy_m)s,
           %(distance_m)s, %(device_id)s, %(token_id)s, %(nonce)s, %(client_ip)s, false, %(answer)s, %(fix_at)s,
           %(position_mocked)s
    FROM marked
    RETURNING id
)
SELECT (SELECT answer FROM earlier), (SELECT count(*) FROM recorded)
""",
)
REFUSE_AT_ONCE = PreparedStatement(
    "partyday_refuse_sign_in_at_once",
    {**_EVIDENCE_TYPES, "reason": "text", "after_entry_rules": "boolean"},
    f"""
WITH earlier AS ({_EARLIER_ANSWER}), recorded AS (
    INSERT INTO scans (activity_id, member_id, kind, accepted, reason, server_time, scanned_at, lat, lon,
                       accuracy_m, distance_m, device_id, token_id, nonce, client_ip, sent_late, answer, fix_at,
                       position_mocked)
    SELECT %(activity_id)s, %(member_id)s, 'sign_in', false, %(reason)s, %(at)s, %(at)s, %(lat)s, %(lon)s,
           %(accuracy_m)s, NULL, %(device_id)s, %(token_id)s, %(nonce)s, %(client_ip)s, false, %(answer)s, %(fix_at)s,
           %(position_mocked)s
    WHERE NOT EXISTS (SELECT FROM earlier) AND (NOT %(after_entry_rules)s OR EXISTS (
        SELECT FROM sheet_entries
        WHERE activity_id = %(activity_id)s AND member_id = %(member_id)s AND signed_in_at IS NULL))
    RETURNING id
)
SELECT (SELECT answer FROM earlier), (SELECT count(*) FROM recorded)
""",
)


def sign_in(
    run_alone,
    facts: ActivityFacts,
    member_id: str,
    evidence: dict,
    now: datetime,
    keys: dict[str, str],
    client_ip: str | None,
) -> dict | None:
    """The party day's common cases in one statement run on its own (`WorkerDatabase.run_alone`): a sign-in
    that passes every rule is marked and recorded with its evidence, a forged token, a sign-in out of the
    window or outside the fence is refused and recorded, and a repeated nonce gets its first answer. None
    when that is not enough to judge (not on the sheet, signed in already, closed): `judging.judge` then judges
    and records it in the order of its refusals."""
    parameters = {
        "activity_id": facts.activity_id,
        "member_id": member_id,
        "nonce": evidence["nonce"],
        "at": now,
        "lat": evidence["lat"],
        "lon": evidence["lon"],
        "accuracy_m": evidence["accuracy_m"],
        "device_id": evidence["device_id"],
        "token_id": None,
        "client_ip": client_ip,
        "fix_at": evidence.get("fix_at"),
        "position_mocked": evidence.get("position_mocked"),
    }
    try:
        parameters["token_id"] = tokens.verify(evidence["token"], facts.activity_id, keys, now).token_id
    except DomainError as refusal:
        return _kept(
            run_alone,
            REFUSE_AT_ONCE,
            {**parameters, "reason": refusal.code, "after_entry_rules": False},
            refusal_answer(refusal),
        )
    try:
        rules.check_sign_in_time(now, facts.windows)
        distance = rules.check_position(
            facts.venue_lat, facts.venue_lon, facts.radius_m, evidence["lat"], evidence["lon"], evidence["accuracy_m"]
        )
    except DomainError as refusal:
        return _kept(
            run_alone,
            REFUSE_AT_ONCE,
            {**parameters, "reason": refusal.code, "after_entry_rules": True},
            refusal_answer(refusal),
        )
    return _kept(
        run_alone,
        SIGN_IN_AT_ONCE,
        {**parameters, "distance_m": distance},
        {"status": "signed_in", "at": now.isoformat(), "sent_late": False},
    )


def _kept(run_alone, statement: PreparedStatement, parameters: dict, answer: dict) -> dict | None:
    """The answer given to the nonce before, else `answer` if the statement kept it, else None."""
    earlier, kept = run_alone(statement, {**parameters, "answer": json.dumps(answer)})
    if earlier is not None:
        return earlier
    return answer if kept else None
