"""The scoring service's entrypoints: each checks its input, calls the domain and answers. Every mutating RPC but
`rescore_all` takes an `idempotency_key` and goes through `partyday_common.idempotency.once` (operation: the RPC's
name; request: its other arguments by name)."""

from collections.abc import Callable
from datetime import datetime, timezone

from nameko.timer import timer
from sqlalchemy.orm import Session

from partyday_common.clock import instant
from partyday_common.consumer import event_consumer
from partyday_common.db import Database
from partyday_common.errors import validated
from partyday_common.idempotency import once_in_transaction
from partyday_common.orgtree import OrgTreeProjection
from partyday_common.service import PartydayService, rpc
from partyday_scoring import (
    activities,
    campaign_rules,
    campaigns,
    comments,
    dashboard,
    evaluations,
    likes,
    plan_progress,
    rankings,
    reports,
    scores,
    tree,
    vote_limits,
)
from partyday_scoring.expectations import (
    AttendanceCounted,
    DetailScoreChanged,
    MemberReflected,
    PlanApproved,
    PlanProgressed,
    QuizParticipationChanged,
)
from partyday_scoring.models import metadata, org_nodes
from partyday_scoring.settings import get_settings
from partyday_scoring_contracts.events import SUBSCRIBED
from partyday_scoring_contracts.rpc import (
    CampaignChange,
    CampaignCreate,
    CampaignFilter,
    CommentCreate,
    EvaluationCreate,
    FirstReview,
    IdeaCreate,
    JudgementCreate,
    Moderation,
    ReportCreate,
    SecondReview,
    SuperiorScore,
    VoteCreate,
)

get_settings()  # a bad setting, such as weights that cannot be used, stops the service at start


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ScoringService(OrgTreeProjection, PartydayService):
    name = "scoring"
    db = Database(metadata, subscribed=SUBSCRIBED)
    org_nodes = org_nodes

    def _once(self, operation: str, key: str | None, request: dict, work: Callable[[Session], dict]) -> dict:
        """`work` in a transaction, its answer kept under `key` with it (the first answer to a repeated key)."""
        return once_in_transaction(self.db, operation, key, request, work)

    def _project(self, event):
        """Follow a created, renamed or moved node (the tree's consumers, checked with `OrgNodeExpected`), and with a
        moved one the paths stored for it (`tree.py`); an announcement older than the one applied last for the node
        is ignored."""
        with self.db.transaction() as session:
            tree.node_changed(session, event)

    def _plan_progressed(self, event, plan: PlanProgressed) -> None:
        with self.db.transaction() as session:
            plan_progress.advanced(session, event.event_type, plan)

    @event_consumer("plans", "plan_submitted", expects=PlanProgressed)
    def on_plan_submitted(self, event, plan):
        """A branch planned its month (counted as planned on the dashboard)."""
        self._plan_progressed(event, plan)

    @event_consumer("plans", "plan_returned", expects=PlanProgressed)
    def on_plan_returned(self, event, plan):
        """A returned plan was still planned."""
        self._plan_progressed(event, plan)

    @event_consumer("plans", "plan_approved", expects=PlanApproved)
    def on_plan_approved(self, event, plan):
        """An approved theme day is an activity to score: its month, and the roster's mobile members. A meeting of
        another kind is only counted on the dashboard, never scored or ranked."""
        with self.db.transaction() as session:
            plan_progress.advanced(session, event.event_type, plan)
            if plan.kind == plan_progress.THEME_DAY:
                activities.approved(session, plan, _now())

    @event_consumer("plans", "plan_held", expects=PlanProgressed)
    def on_plan_held(self, event, plan):
        """The activity's time has passed."""
        self._plan_progressed(event, plan)

    @event_consumer("plans", "summary_submitted", expects=PlanProgressed)
    def on_summary_submitted(self, event, plan):
        """The branch documented its activity."""
        self._plan_progressed(event, plan)

    @event_consumer("plans", "plan_archived", expects=PlanProgressed)
    def on_plan_archived(self, event, plan):
        """The month's record is complete."""
        self._plan_progressed(event, plan)

    def _counted(self, counted: AttendanceCounted) -> None:
        with self.db.transaction() as session:
            if activities.attendance_counted(session, counted, _now()):
                plan_progress.activity_held(session, counted.activity_id)

    @event_consumer("attendance", "activity_closed", expects=AttendanceCounted)
    def on_activity_closed(self, event, counted):
        """The sheet is final: the activity gets its first score."""
        self._counted(counted)

    @event_consumer("attendance", "attendance_updated", expects=AttendanceCounted)
    def on_attendance_updated(self, event, counted):
        """A late offline scan changed the counts: score again."""
        self._counted(counted)

    @event_consumer("attendance", "member_reflected", expects=MemberReflected)
    def on_member_reflected(self, event, reflection):
        """A sign-out reflection counts as the member's comment."""
        with self.db.transaction() as session:
            activities.reflected(session, reflection, _now())

    @event_consumer("media", "detail_score_changed", expects=DetailScoreChanged)
    def on_detail_score_changed(self, event, changed):
        """Media judged how complete the activity's photos and text are: score again."""
        with self.db.transaction() as session:
            activities.detail_changed(session, changed, _now())

    @event_consumer("quizzes", "quiz_participation_changed", expects=QuizParticipationChanged)
    def on_quiz_participation_changed(self, event, changed):
        """A branch's quiz participation in a month changed: its activities of that month are scored again (it
        counts only when PARTYDAY_SCORING_QUIZ_WEIGHT is above 0)."""
        with self.db.transaction() as session:
            scores.quiz_participation_changed(session, changed, _now())

    @rpc
    def get_activity(self, activity_id: str) -> dict:
        """The activity's branch and month, for scope checks."""
        with self.db.transaction() as session:
            return scores.summary(scores.activity(session, activity_id))

    @rpc
    def score(self, activity_id: str) -> dict:
        """`{total, indicators, weights}` of an activity; `status` is pending until attendance closes it."""
        with self.db.transaction() as session:
            return scores.view(scores.activity(session, activity_id))

    @rpc
    def set_superior_score(
        self, activity_id: str, payload: dict, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """The superior's 0–100 (上级党组织评分); it can change until the scoring period closes."""
        request = validated(SuperiorScore, payload)
        return self._once(
            "set_superior_score",
            idempotency_key,
            {"activity_id": activity_id, "payload": payload, "now": now},
            lambda session: scores.superior_scored(session, activity_id, request.score, instant(now)),
        )

    @rpc
    def rescore_all(self, month: str | None = None) -> dict:
        """Score every closed activity of `month` (like 2026-12; required, 400 MONTH_INVALID without it) whose
        period is open again, e.g. after the weights changed, in batches each locked and read afresh in its own
        transaction (`scores.rescore_month`). It takes no idempotency key: scoring again what is scored changes
        nothing, and no one of its transactions could keep the answer of them all."""
        started = _now()
        rescored = scores.rescore_month(self.db.transaction, month, started)
        return {**rescored, "seconds": round((_now() - started).total_seconds(), 3)}

    @rpc
    def like(
        self, activity_id: str, member_id: str, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """A member likes an activity, once (409 ALREADY_LIKED after, unless the same key is sent again)."""
        return self._once(
            "like",
            idempotency_key,
            {"activity_id": activity_id, "member_id": member_id, "now": now},
            lambda session: likes.like(session, activity_id, member_id, instant(now)),
        )

    @rpc
    def like_state(self, activity_id: str, member_id: str) -> dict:
        """Whether the member liked the activity, and how many likes it has."""
        with self.db.transaction() as session:
            return likes.state(session, activity_id, member_id)

    @rpc
    def add_comment(self, activity_id: str, member_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """A member's comment on an activity; it counts in the score while visible."""
        request = validated(CommentCreate, payload)
        return self._once(
            "add_comment",
            idempotency_key,
            {"activity_id": activity_id, "member_id": member_id, "payload": payload},
            lambda session: comments.comment(session, activity_id, member_id, request.text, _now()),
        )

    @rpc
    def comments(self, activity_id: str, page: int = 1, page_size: int = 50) -> dict:
        """The visible comments of an activity, oldest first."""
        with self.db.transaction() as session:
            return comments.visible(session, activity_id, page, page_size)

    @rpc
    def authored_comments(self, member_id: str, page: int = 1, page_size: int = 50) -> dict:
        """A member's own comments, newest first, with their status (visible, hidden, removed)."""
        with self.db.transaction() as session:
            return comments.authored(session, member_id, page, page_size)

    @rpc
    def comment_scope(self, comment_id: str) -> dict:
        """The comment's activity and branch, for scope checks."""
        with self.db.transaction() as session:
            return comments.scope(session, comment_id)

    @rpc
    def report_comment(
        self, comment_id: str, reporter_id: str, payload: dict, idempotency_key: str | None = None
    ) -> dict:
        """A member reports a comment; enough reports hide it for a moderator and tell its author."""
        request = validated(ReportCreate, payload)
        threshold = get_settings().comment_reports_to_hide
        return self._once(
            "report_comment",
            idempotency_key,
            {"comment_id": comment_id, "reporter_id": reporter_id, "payload": payload},
            lambda session: comments.report(session, comment_id, reporter_id, request.reason, threshold, _now()),
        )

    @rpc
    def moderation_queue(
        self, org_id: str, page: int = 1, page_size: int = 50, exclude_path: str | None = None
    ) -> dict:
        """Hidden comments of a subtree awaiting a moderator; `exclude_path` leaves out the moderator's own
        branch, which they may not moderate."""
        with self.db.transaction() as session:
            return comments.queue(session, org_id, page, page_size, exclude_path)

    @rpc
    def moderate(self, comment_id: str, payload: dict, moderator_id: str, idempotency_key: str | None = None) -> dict:
        """Restore or remove a hidden comment; its author is told by `comment_moderated`."""
        request = validated(Moderation, payload)
        return self._once(
            "moderate",
            idempotency_key,
            {"comment_id": comment_id, "payload": payload, "moderator_id": moderator_id},
            lambda session: comments.moderate(session, comment_id, request.decision, moderator_id, _now()),
        )

    @rpc
    def ranking(
        self,
        org_id: str,
        period: str,
        domain: str | None = None,
        group: str = "branches",
        kind: str | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> dict:
        """Branches of the subtree (or the node's children) ranked by score over a month, quarter or year,
        of one domain or kind (category) if given; one page of them (100 by default), `total` ranked in all.
        Ranks are over the whole ranking, whatever the page."""
        with self.db.transaction() as session:
            return rankings.ranking_page(session, org_id, period, domain, group, kind, page, page_size)

    @rpc
    def progress(self, org_id: str, month: str | None = None, domain: str | None = None) -> dict:
        """For the node and each child: planned / approved / held / documented / scored, counts and rates
        (the current month where none is given)."""
        month = dashboard.current_month(_now()) if month is None else month
        with self.db.transaction() as session:
            return dashboard.progress(session, org_id, month, domain)

    @rpc
    def create_campaign(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """A month's campaign over an organisation's subtree (one per organisation and month), taking votes from
        `opens_at` to `closes_at` (by default its month's first day until its scores stop changing)."""
        request = validated(CampaignCreate, payload)
        return self._once(
            "create_campaign", idempotency_key, {"payload": payload}, lambda session: campaigns.create(session, request)
        )

    @rpc
    def change_campaign(self, campaign_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Change a campaign's title or voting window (a closed one is never reopened; its start stays once voting
        has opened; no end moves into the past)."""
        request = validated(CampaignChange, payload)
        return self._once(
            "change_campaign",
            idempotency_key,
            {"campaign_id": campaign_id, "payload": payload},
            lambda session: campaigns.change(session, campaign_id, request, _now()),
        )

    @rpc
    def close_campaign(self, campaign_id: str, idempotency_key: str | None = None) -> dict:
        """Close a campaign's voting now (409 CAMPAIGN_NOT_OPEN before it opened, CAMPAIGN_CLOSED after it closed)."""
        return self._once(
            "close_campaign",
            idempotency_key,
            {"campaign_id": campaign_id},
            lambda session: campaigns.close(session, campaign_id, _now()),
        )

    @rpc
    def campaign(self, campaign_id: str) -> dict:
        """A campaign, its organisation and its voting window."""
        with self.db.transaction() as session:
            return campaigns.view(campaigns.get(session, campaign_id))

    @rpc
    def campaigns(self, org_id: str, page: int = 1, page_size: int = 50, month: str | None = None) -> dict:
        """The campaigns a node's branches are candidates in and those of its subtree, of one month if given,
        newest first, a page at a time (400 for a malformed month)."""
        request = validated(CampaignFilter, {"month": month})
        with self.db.transaction() as session:
            return campaigns.listing(session, org_id, request.month, page, page_size)

    @rpc
    def vote(
        self, campaign_id: str, voter: str, payload: dict, address: str, idempotency_key: str | None = None
    ) -> dict:
        """One vote of a member or verified public voter (`voter` names the account, never stored as such) from a
        client `address`. Every attempt first counts against the account's and the address's limits per minute,
        in its own transaction so that refused votes count too (429 VOTE_RATE_LIMITED with `retry_after`); a vote
        that lost a race for the voter's next slot with another of their votes is tried again. One vote per
        activity stays the rule; a key sent again gets the first answer instead of 409 ALREADY_VOTED."""
        vote_limits.check_voter(voter, address)
        request = validated(VoteCreate, payload)
        with self.db.transaction() as session:
            vote_limits.count_attempt(session, voter, address, get_settings().vote_limits, _now())
        asked = {"campaign_id": campaign_id, "voter": voter, "payload": payload, "address": address}
        return campaigns.retrying_conflicts(
            lambda: self._once(
                "vote",
                idempotency_key,
                asked,
                lambda session: campaigns.vote(session, campaign_id, voter, request.activity_id, _now()),
            )
        )

    @rpc
    def ballot(self, campaign_id: str, voter: str) -> dict:
        """For the voter alone: the candidates they voted for, their votes used and left, and whether voting is
        open."""
        with self.db.transaction() as session:
            return campaigns.ballot_of(session, campaign_id, voter, _now())

    @timer(interval=campaign_rules.RATE_WINDOW_S)
    def purge_vote_attempts(self):
        """Forget the vote attempts of past minutes."""
        with self.db.transaction() as session:
            vote_limits.purge_attempts(session, _now())

    @rpc
    def announce_opened_campaigns(self, now: str | None = None, idempotency_key: str | None = None) -> dict:
        """Announce, once each, the campaigns whose voting has opened by `now` (the clock by default)."""
        at = instant(now)
        return self._once(
            "announce_opened_campaigns",
            idempotency_key,
            {"now": now},
            lambda session: {"opened": campaigns.announce_opened(session, at)},
        )

    @timer(interval=get_settings().campaign_opening_interval_s)
    def campaign_opening_timer(self):
        """Tell members of each campaign when its voting opens."""
        self.announce_opened_campaigns()

    @rpc
    def campaign_results(self, campaign_id: str, page: int = 1, page_size: int = 100) -> dict:
        """Live results: votes per candidate activity, most first, one page of candidates (100 by default,
        `total` in all); never who voted for what."""
        with self.db.transaction() as session:
            return campaigns.results(session, campaign_id, page, page_size)

    @rpc
    def is_candidate(self, campaign_id: str, activity_id: str) -> bool:
        """Whether the activity is a candidate of the campaign (404 for an unknown campaign): the gateway's
        check before it serves a candidate's photo to voters."""
        with self.db.transaction() as session:
            return campaigns.has_candidate(session, campaign_id, activity_id)

    @rpc
    def create_evaluation(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """A month's best / excellent selection, or a quarter's golden ideas, over an organisation's subtree."""
        request = validated(EvaluationCreate, payload)
        return self._once(
            "create_evaluation",
            idempotency_key,
            {"payload": payload},
            lambda session: evaluations.create(session, request, _now()),
        )

    @rpc
    def evaluation(self, evaluation_id: str, page: int = 1, page_size: int = 100, judge_id: str | None = None) -> dict:
        """The evaluation, one page of its candidates best first (100 by default, `total` in all) with the
        judges' means and the votes beside them, and `judge_id`'s own marks (the caller's, named by the gateway)."""
        with self.db.transaction() as session:
            return evaluations.view(session, evaluation_id, page, page_size, judge_id)

    @rpc
    def evaluations(self, org_id: str, page: int = 1, page_size: int = 50) -> dict:
        """The evaluations a node takes part in (its own and its ancestors') and those of its subtree, newest first."""
        with self.db.transaction() as session:
            return evaluations.covering(session, org_id, page, page_size)

    @rpc
    def judge(self, evaluation_id: str, judge_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """A judge's marks (0–20 on theme, content, form, organisation, effect) for a candidate."""
        request = validated(JudgementCreate, payload)
        return self._once(
            "judge",
            idempotency_key,
            {"evaluation_id": evaluation_id, "judge_id": judge_id, "payload": payload},
            lambda session: evaluations.judge(session, evaluation_id, judge_id, request, _now()),
        )

    @rpc
    def propose_idea(
        self, evaluation_id: str, proposer_id: str, payload: dict, idempotency_key: str | None = None
    ) -> dict:
        """A branch's golden idea (金点子: a title, a text, photos) for a quarter's evaluation: a candidate."""
        request = validated(IdeaCreate, payload)
        return self._once(
            "propose_idea",
            idempotency_key,
            {"evaluation_id": evaluation_id, "proposer_id": proposer_id, "payload": payload},
            lambda session: evaluations.propose_idea(session, evaluation_id, request, proposer_id, _now()),
        )

    @rpc
    def evaluation_candidate(self, evaluation_id: str, candidate_id: str) -> dict:
        """One candidate, an activity or a proposed idea, with its branch (422 NOT_A_CANDIDATE otherwise)."""
        with self.db.transaction() as session:
            return evaluations.candidate(session, evaluation_id, candidate_id)

    @rpc
    def first_review(
        self, evaluation_id: str, payload: dict, idempotency_key: str | None = None, reviewer_id: str | None = None
    ) -> dict:
        """The working group's shortlist, by a reviewer who judged none of it (403 REVIEWER_JUDGED); judging closes."""
        request = validated(FirstReview, payload)
        return self._once(
            "first_review",
            idempotency_key,
            {"evaluation_id": evaluation_id, "payload": payload, "reviewer_id": reviewer_id},
            lambda session: evaluations.first_review(session, evaluation_id, request.shortlist, reviewer_id),
        )

    @rpc
    def second_review(
        self, evaluation_id: str, payload: dict, idempotency_key: str | None = None, reviewer_id: str | None = None
    ) -> dict:
        """The committee's winners, from the shortlist, by a reviewer who neither judged (403 REVIEWER_JUDGED) nor
        made the first review (403 REVIEWER_REVIEWED_FIRST)."""
        request = validated(SecondReview, payload)
        return self._once(
            "second_review",
            idempotency_key,
            {"evaluation_id": evaluation_id, "payload": payload, "reviewer_id": reviewer_id},
            lambda session: evaluations.second_review(
                session, evaluation_id, request.best, request.excellent, reviewer_id
            ),
        )

    @rpc
    def publish_evaluation(self, evaluation_id: str, idempotency_key: str | None = None) -> dict:
        """Publish the winners (`evaluation_published`)."""
        return self._once(
            "publish_evaluation",
            idempotency_key,
            {"evaluation_id": evaluation_id},
            lambda session: evaluations.publish(session, evaluation_id, _now()),
        )

    @rpc
    def evaluation_winners(self, evaluation_id: str) -> dict:
        """The published winners."""
        with self.db.transaction() as session:
            return evaluations.winners(session, evaluation_id)

    @rpc
    def report(self, org_id: str, kind: str, period: str) -> dict:
        """The monthly inspection (`inspection`, a month), quarterly bulletin (`bulletin`, a quarter) or annual
        assessment (`assessment`, a year) of a subtree: month-by-month figures and the table."""
        with self.db.transaction() as session:
            return reports.report(session, org_id, kind, period, _now())
