from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from nameko.timer import timer
from sqlalchemy import select

from partyday_common.clock import instant
from partyday_common.consumer import event_consumer
from partyday_common.contracts import OrgNodeExpected
from partyday_common.db import Database
from partyday_common.errors import DomainError, invalid, not_found, validated
from partyday_common.idempotency import previous_response, remember_response
from partyday_common.orgtree import OrgTreeProjection, get_node
from partyday_common.pagination import page_bounds
from partyday_common.service import PartydayService, rpc
from partyday_common.settings import get_settings
from partyday_scoring import campaign_rules, campaigns, engagement, evaluations, rankings, reports, scores, tree
from partyday_scoring.models import ScoredActivity, metadata, org_nodes
from partyday_scoring_contracts.rpc import (
    CampaignCreate,
    CommentCreate,
    DetailScoreChanged,
    EvaluationCreate,
    FirstReview,
    JudgementCreate,
    Moderation,
    ReportCreate,
    SecondReview,
    SuperiorScore,
    VoteCreate,
)

scores.weights()
VOTE_ATTEMPTS = 3
RESCORE_BATCH = 500


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ScoringService(OrgTreeProjection, PartydayService):
    name = "scoring"
    db = Database(metadata)
    org_nodes = org_nodes

    def _project(self, event):
        """Follow a created, renamed or moved node of the tree, and with a moved one the paths stored for it
        (`tree.py`); an announcement older than the one applied last for the node is ignored."""
        OrgNodeExpected.model_validate(event.data)
        with self.db.transaction() as session:
            tree.node_changed(session, event)

    def _plan_event(self, event):
        with self.db.transaction() as session:
            scores.plan_moved(session, event.event_type, event.data, _now())

    @event_consumer("plans", "plan_submitted")
    def on_plan_submitted(self, event):
        """A branch planned its month (counted as planned on the dashboard)."""
        self._plan_event(event)

    @event_consumer("plans", "plan_returned")
    def on_plan_returned(self, event):
        """A returned plan was still planned."""
        self._plan_event(event)

    @event_consumer("plans", "plan_approved")
    def on_plan_approved(self, event):
        """An approved plan is an activity to score: its month, and the roster's mobile members."""
        self._plan_event(event)

    @event_consumer("plans", "plan_held")
    def on_plan_held(self, event):
        """The activity's time has passed."""
        self._plan_event(event)

    @event_consumer("plans", "summary_submitted")
    def on_summary_submitted(self, event):
        """The branch documented its activity."""
        self._plan_event(event)

    @event_consumer("plans", "plan_archived")
    def on_plan_archived(self, event):
        """The month's record is complete."""
        self._plan_event(event)

    @event_consumer("attendance", "activity_closed")
    def on_activity_closed(self, event):
        """The sheet is final: the activity gets its first score."""
        with self.db.transaction() as session:
            scores.attendance_counted(session, event.data, _now())

    @event_consumer("attendance", "attendance_updated")
    def on_attendance_updated(self, event):
        """A late offline scan changed the counts: score again."""
        with self.db.transaction() as session:
            scores.attendance_counted(session, event.data, _now())

    @event_consumer("attendance", "member_reflected")
    def on_member_reflected(self, event):
        """A sign-out reflection counts as the member's comment."""
        with self.db.transaction() as session:
            scores.reflected(session, event.data, _now())

    @event_consumer("media", "detail_score_changed")
    def on_detail_score_changed(self, event):
        """Media judged how complete the activity's photos and text are: score again."""
        data = DetailScoreChanged.model_validate(event.data).model_dump(mode="json")
        with self.db.transaction() as session:
            scores.detail_changed(session, data, _now())

    @rpc
    def get_activity(self, activity_id: str) -> dict:
        """The activity's branch and month, for scope checks."""
        with self.db.transaction() as session:
            act = scores.activity(session, activity_id)
            return {"activity_id": act.activity_id, "branch_id": act.branch_id, "month": act.month,
                    "theme": act.theme}

    @rpc
    def score(self, activity_id: str) -> dict:
        """`{total, indicators, weights}` of an activity; `status` is pending until attendance closes it."""
        with self.db.transaction() as session:
            return scores.view(scores.activity(session, activity_id))

    @rpc
    def set_superior_score(self, activity_id: str, payload: dict, now: str | None = None,
                           idempotency_key: str | None = None) -> dict:
        """The superior's 0–100 (上级党组织评分); it can change until the scoring period closes."""
        request = validated(SuperiorScore, payload)
        with self.db.transaction() as session:
            previous = previous_response(session, f"superior_score:{activity_id}", idempotency_key, payload)
            if previous is not None:
                return previous
            answer = scores.superior_scored(session, activity_id, request.score, instant(now))
            remember_response(session, f"superior_score:{activity_id}", idempotency_key, payload, answer)
            return answer

    @rpc
    def rescore_all(self, month: str | None = None) -> dict:
        """Score every closed activity of `month` (like 2026-12; required, 400 MONTH_INVALID without it) whose
        period is open again, e.g. after the weights changed. Activities are taken in batches of
        `RESCORE_BATCH`, each locked (`FOR UPDATE`) and read afresh in its own transaction, so a like or an
        event scoring one of them at the same time is neither overwritten nor lost: it waits for the batch, or
        the batch waits for it and sees it."""
        if not isinstance(month, str) or not rankings.MONTH.match(month):
            raise invalid("MONTH_INVALID", "rescore_all needs the month to score again, like 2026-12", month=month)
        started = _now()
        activities = changed = 0
        after = ""
        while True:
            with self.db.transaction() as session:
                batch = session.scalars(
                    select(ScoredActivity).where(ScoredActivity.closed.is_(True), ScoredActivity.month == month,
                                                 ScoredActivity.activity_id > after)
                    .order_by(ScoredActivity.activity_id).limit(RESCORE_BATCH).with_for_update()).all()
                if not batch:
                    break
                changed += scores.rescore_many(session, batch, started)
                activities += len(batch)
                after = batch[-1].activity_id
        return {"activities": activities, "changed": changed,
                "seconds": round((_now() - started).total_seconds(), 3)}

    @rpc
    def like(self, activity_id: str, member_id: str, now: str | None = None) -> dict:
        """A member likes an activity, once (409 ALREADY_LIKED after)."""
        with self.db.transaction() as session:
            return engagement.like(session, activity_id, member_id, instant(now))

    @rpc
    def add_comment(self, activity_id: str, member_id: str, payload: dict,
                    idempotency_key: str | None = None) -> dict:
        """A member's comment on an activity; it counts in the score while visible."""
        request = validated(CommentCreate, payload)
        with self.db.transaction() as session:
            operation = f"comment:{activity_id}:{member_id}"
            previous = previous_response(session, operation, idempotency_key, payload)
            if previous is not None:
                return previous
            answer = engagement.comment(session, activity_id, member_id, request.text, _now())
            remember_response(session, operation, idempotency_key, payload, answer)
            return answer

    @rpc
    def comments(self, activity_id: str, page: int = 1, page_size: int = 50) -> dict:
        """The visible comments of an activity, oldest first."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            return {**engagement.comments(session, activity_id, offset, limit), "page": page, "page_size": page_size}

    @rpc
    def authored_comments(self, member_id: str, page: int = 1, page_size: int = 50) -> dict:
        """A member's own comments, newest first, with their status (visible, hidden, removed)."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            return {**engagement.authored(session, member_id, offset, limit), "page": page, "page_size": page_size}

    @rpc
    def comment_scope(self, comment_id: str) -> dict:
        """The comment's activity and branch, for scope checks."""
        with self.db.transaction() as session:
            found = engagement.get_comment(session, comment_id)
            act = scores.activity(session, found.activity_id)
            return {"comment_id": comment_id, "activity_id": act.activity_id, "branch_id": act.branch_id}

    @rpc
    def report_comment(self, comment_id: str, reporter_id: str, payload: dict) -> dict:
        """A member reports a comment; enough reports hide it for a moderator and tell its author."""
        request = validated(ReportCreate, payload)
        with self.db.transaction() as session:
            return engagement.report(session, comment_id, reporter_id, request.reason,
                                     get_settings().comment_reports_to_hide, _now())

    @rpc
    def moderation_queue(self, org_id: str, page: int = 1, page_size: int = 50,
                         exclude_path: str | None = None) -> dict:
        """Hidden comments of a subtree awaiting a moderator; `exclude_path` leaves out the moderator's own
        branch, which they may not moderate."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            node = get_node(session, org_nodes, org_id)
            if node is None:
                raise not_found("org", org_id)
            return {**engagement.queue(session, node["path"], offset, limit, exclude_path), "page": page,
                    "page_size": page_size}

    @rpc
    def moderate(self, comment_id: str, payload: dict, moderator_id: str) -> dict:
        """Restore or remove a hidden comment; its author is told by `comment_moderated`."""
        request = validated(Moderation, payload)
        with self.db.transaction() as session:
            return engagement.moderate(session, comment_id, request.decision, moderator_id, _now())

    @rpc
    def ranking(self, org_id: str, period: str, domain: str | None = None, group: str = "branches",
                kind: str | None = None, page: int = 1, page_size: int = 100) -> dict:
        """Branches of the subtree (or the node's children) ranked by score over a month, quarter or year,
        of one domain or kind (category) if given; one page of them (100 by default), `total` ranked in all.
        Ranks are over the whole ranking, whatever the page."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            found = rankings.ranking(session, org_id, period, domain, group, kind)
        return {**found, "items": found["items"][offset:offset + limit], "total": len(found["items"]),
                "page": page, "page_size": page_size}

    @rpc
    def progress(self, org_id: str, month: str | None = None, domain: str | None = None) -> dict:
        """For the node and each child: planned / approved / held / documented / scored, counts and rates
        (the current month where none is given)."""
        if month is None:
            month = datetime.now(ZoneInfo(get_settings().scoring_time_zone)).strftime("%Y-%m")
        with self.db.transaction() as session:
            return rankings.progress(session, org_id, month, domain)

    @rpc
    def create_campaign(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """A month's campaign over an organisation's subtree (one per organisation and month), taking votes from
        `opens_at` to `closes_at` (by default its month's first day until its scores stop changing)."""
        request = validated(CampaignCreate, payload)
        with self.db.transaction() as session:
            previous = previous_response(session, "create_campaign", idempotency_key, payload)
            if previous is not None:
                return previous
            answer = campaigns.create(session, request)
            remember_response(session, "create_campaign", idempotency_key, payload, answer)
            return answer

    @rpc
    def campaign(self, campaign_id: str) -> dict:
        """A campaign, its organisation and its voting window."""
        with self.db.transaction() as session:
            return campaigns.view(campaigns.get(session, campaign_id))

    @rpc
    def vote(self, campaign_id: str, voter: str, payload: dict, address: str) -> dict:
        """One vote of a member or verified public voter (`voter` names the account, never stored as such) from a
        client `address`. Every attempt first counts against the account's and the address's limits per minute,
        in its own transaction so that refused votes count too (429 VOTE_RATE_LIMITED with `retry_after`); a vote
        that lost a race for the voter's next slot with another of their votes is tried again."""
        for name, value in (("voter", voter), ("address", address)):
            if not isinstance(value, str) or not value:
                raise invalid(f"{name.upper()}_INVALID", f"a vote needs its {name}")
        request = validated(VoteCreate, payload)
        settings = get_settings()
        with self.db.transaction() as session:
            campaigns.count_attempt(session, voter, address, {"account": settings.votes_per_account_per_minute,
                                                              "address": settings.votes_per_address_per_minute},
                                    _now())
        for attempt in range(1, VOTE_ATTEMPTS + 1):
            try:
                with self.db.transaction() as session:
                    return campaigns.vote(session, campaign_id, voter, request.activity_id, _now())
            except DomainError as exc:
                if exc.code != "VOTE_CONFLICT" or attempt == VOTE_ATTEMPTS:
                    raise

    @timer(interval=campaign_rules.RATE_WINDOW_S)
    def purge_vote_attempts(self):
        """Forget the vote attempts of past minutes."""
        with self.db.transaction() as session:
            campaigns.purge_attempts(session, _now())

    @rpc
    def campaign_results(self, campaign_id: str, page: int = 1, page_size: int = 100) -> dict:
        """Live results: votes per candidate activity, most first, one page of candidates (100 by default,
        `total` in all); never who voted for what."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            return {**campaigns.results(session, campaign_id, offset, limit), "page": page, "page_size": page_size}

    @rpc
    def is_candidate(self, campaign_id: str, activity_id: str) -> bool:
        """Whether the activity is a candidate of the campaign (404 for an unknown campaign): the gateway's
        check before it serves a candidate's photo to voters."""
        with self.db.transaction() as session:
            return campaigns.is_candidate(session, campaigns.get(session, campaign_id), activity_id)

    @rpc
    def create_evaluation(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """A month's best / excellent selection, or a quarter's golden ideas, over an organisation's subtree."""
        request = validated(EvaluationCreate, payload)
        with self.db.transaction() as session:
            previous = previous_response(session, "create_evaluation", idempotency_key, payload)
            if previous is not None:
                return previous
            answer = evaluations.create(session, request, _now())
            remember_response(session, "create_evaluation", idempotency_key, payload, answer)
            return answer

    @rpc
    def evaluation(self, evaluation_id: str, page: int = 1, page_size: int = 100) -> dict:
        """The evaluation, one page of its candidates best first (100 by default, `total` in all) with the
        judges' means and the votes beside them."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            return {**evaluations.view(session, evaluation_id, offset, limit), "page": page,
                    "page_size": page_size}

    @rpc
    def judge(self, evaluation_id: str, judge_id: str, payload: dict) -> dict:
        """A judge's marks (0–20 on theme, content, form, organisation, effect) for a candidate."""
        request = validated(JudgementCreate, payload)
        with self.db.transaction() as session:
            return evaluations.judge(session, evaluation_id, judge_id, request, _now())

    @rpc
    def first_review(self, evaluation_id: str, payload: dict) -> dict:
        """The working group's shortlist; judging closes."""
        request = validated(FirstReview, payload)
        with self.db.transaction() as session:
            return evaluations.first_review(session, evaluation_id, request.shortlist)

    @rpc
    def second_review(self, evaluation_id: str, payload: dict) -> dict:
        """The committee's winners, from the shortlist."""
        request = validated(SecondReview, payload)
        with self.db.transaction() as session:
            return evaluations.second_review(session, evaluation_id, request.best, request.excellent)

    @rpc
    def publish_evaluation(self, evaluation_id: str) -> dict:
        """Publish the winners (`evaluation_published`)."""
        with self.db.transaction() as session:
            return evaluations.publish(session, evaluation_id, _now())

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
            return reports.report(session, org_id, kind, period)
