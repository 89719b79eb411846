"""What scoring reads of other services' events, checked against the producers' schemas."""
from datetime import datetime, timezone

from partyday_attendance_contracts.rpc import ActivityClosed, AttendanceUpdated, Counts, MemberReflected
from partyday_media_contracts.events import DetailScoreChanged as MediaDetailScoreChanged
from partyday_plans_contracts.events import PlanApproved, PlanEvent, RosterEntry
from partyday_scoring_contracts.rpc import DetailScoreChanged


def test_plan_events_carry_what_progress_and_scores_read():
    assert {"plan_id", "activity_id", "branch_id", "branch_path", "month", "theme", "roster"} <= set(
        PlanApproved.model_fields)
    assert {"member_id", "mobile"} <= set(RosterEntry.model_fields)
    assert {"plan_id", "branch_id", "branch_path", "month", "activity_id", "summary_chars"} <= set(
        PlanEvent.model_fields)


def test_attendance_counts_carry_what_the_sign_in_rate_reads():
    for schema in (ActivityClosed, AttendanceUpdated):
        assert {"activity_id", "branch_id", "members", "mobile_members", "expected", "expected_mobile"} <= set(
            schema.model_fields)
    assert {"signed_out", "no_sign_out", "excused"} <= set(Counts.model_fields)
    assert {"activity_id", "member_id", "at"} <= set(MemberReflected.model_fields)


def test_a_produced_detail_score_parses_as_scoring_expects():
    produced = MediaDetailScoreChanged(activity_id="a", branch_id="b", branch_path="/c/b/", detail_score=72,
                                       breakdown={"photos": 40}, at=datetime(2026, 12, 8, tzinfo=timezone.utc))
    assert DetailScoreChanged.model_validate(produced.model_dump(mode="json")).detail_score == 72
