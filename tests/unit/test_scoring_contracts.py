"""What scoring reads of other services' events, checked against the producers' schemas."""

from datetime import datetime, timezone

from partyday_attendance_contracts.events import ActivityClosed, AttendanceUpdated, Counts, MemberReflected
from partyday_common.consumer import EventConsumer
from partyday_media_contracts.events import DetailScoreChanged as MediaDetailScoreChanged
from partyday_plans_contracts.events import PlanApproved, PlanEvent, RosterEntry
from partyday_quizzes_contracts.events import QuizParticipationChanged as ProducedParticipation
from partyday_scoring.expectations import DetailScoreChanged, QuizParticipationChanged
from partyday_scoring.service import ScoringService
from partyday_scoring_contracts.events import EVENTS, SUBSCRIBED


def test_plan_events_carry_what_progress_and_scores_read():
    assert {"plan_id", "activity_id", "branch_id", "branch_path", "month", "theme", "roster"} <= set(
        PlanApproved.model_fields
    )
    assert {"member_id", "mobile"} <= set(RosterEntry.model_fields)
    assert {"plan_id", "branch_id", "branch_path", "month", "activity_id", "summary_chars"} <= set(
        PlanEvent.model_fields
    )


def test_attendance_counts_carry_what_the_sign_in_rate_reads():
    for schema in (ActivityClosed, AttendanceUpdated):
        assert {"activity_id", "branch_id", "members", "mobile_members", "expected", "expected_mobile"} <= set(
            schema.model_fields
        )
    assert {"signed_out", "no_sign_out", "excused"} <= set(Counts.model_fields)
    assert {"activity_id", "member_id", "at"} <= set(MemberReflected.model_fields)


def test_a_produced_detail_score_parses_as_scoring_expects():
    produced = MediaDetailScoreChanged(
        activity_id="a",
        branch_id="b",
        branch_path="/c/b/",
        detail_score=72,
        breakdown={"photos": 40},
        at=datetime(2026, 12, 8, tzinfo=timezone.utc),
    )
    assert DetailScoreChanged.model_validate(produced.model_dump(mode="json")).detail_score == 72


def test_scoring_reads_what_detail_score_changed_gives():
    missing = set(DetailScoreChanged.model_fields) - set(MediaDetailScoreChanged.model_fields)
    assert not missing
    event = MediaDetailScoreChanged(
        activity_id="a",
        branch_id="b",
        branch_path="/b/",
        detail_score=57,
        breakdown={"photos": 20.0},
        at=datetime.now(timezone.utc),
    )
    assert DetailScoreChanged.model_validate(event.model_dump(mode="json")).detail_score == 57


def test_a_produced_quiz_participation_parses_as_scoring_expects():
    produced = ProducedParticipation(branch_id="b", branch_path="/c/b/", month="2026-12", took=3, expected=4)
    read = QuizParticipationChanged.model_validate(produced.model_dump(mode="json"))
    assert (read.branch_id, read.month, read.took, read.expected) == ("b", "2026-12", 3, 4)


def _subscriptions():
    for name in dir(ScoringService):
        for entrypoint in getattr(getattr(ScoringService, name), "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventConsumer):
                yield name, entrypoint


def test_each_of_scorings_thirteen_subscriptions_names_the_model_it_expects():
    subscriptions = list(_subscriptions())
    assert len(subscriptions) == 13
    assert all(entrypoint.expects is not None for _, entrypoint in subscriptions), (
        "tests/contracts checks each model against its producer's"
    )


def test_scoring_names_each_event_it_emits_and_those_notifications_and_the_audit_log_consume():
    assert set(EVENTS) == {
        "score_changed",
        "scores_recomputed",
        "comment_hidden",
        "comment_moderated",
        "evaluation_published",
        "campaign_created",
        "campaign_opened",
        "administrative_act",
    }
    assert SUBSCRIBED == {
        "comment_hidden",
        "comment_moderated",
        "evaluation_published",
        "campaign_opened",
        "administrative_act",
    }, "notifications tells people; the directory keeps the acts in its audit log"
