"""The scoring service's tables: the tree it ranks over, what it knows of each activity, engagement, votes."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.instants import Instant
from partyday_common.orgtree import add_org_projection
from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
org_nodes = add_org_projection(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class PlanProgress(Base):
    """How far a branch's plan for a month went, from the plans service's events: the theme day's, or a meeting's
    of another kind (三会一课), which the dashboard counts apart and nothing scores."""

    __tablename__ = "plan_progress"
    __table_args__ = (Index("ix_plan_progress_month_path", "month", "branch_path"),)

    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(20), default="theme_day", server_default="theme_day")
    activity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    planned: Mapped[bool] = mapped_column(Boolean, default=False)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    summarized: Mapped[bool] = mapped_column(Boolean, default=False)


class ScoredActivity(Base):
    """An activity as scoring sees it: the facts behind its score, and the score. `counts_version` (attendance's)
    and `detail_at` (media's) say which snapshot of the counts and of the detail score was applied last."""

    __tablename__ = "scored_activities"
    __table_args__ = (Index("ix_scored_activities_month_path", "month", "branch_path"),)

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[str | None] = mapped_column(String(64))
    branch_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str | None] = mapped_column(String(7))
    theme: Mapped[str | None] = mapped_column(String(200))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    expected: Mapped[int] = mapped_column(Integer, default=0)
    excused: Mapped[int] = mapped_column(Integer, default=0)
    signed_in: Mapped[int] = mapped_column(Integer, default=0)
    expected_mobile: Mapped[int] = mapped_column(Integer, default=0)
    mobile_excused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mobile_signed_in: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    detail_score: Mapped[int] = mapped_column(Integer, default=0)
    counts_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    detail_at = mapped_column(Instant)
    superior_score: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[float | None] = mapped_column(Float)
    sign_in_rate: Mapped[float | None] = mapped_column(Float)
    score = mapped_column(JSON)
    scored_at = mapped_column(Instant)
    freezes_at = mapped_column(Instant)


class RosterMember(Base):
    """A member expected at an activity (the roster snapshot of `plan_approved`), mobile or not."""

    __tablename__ = "roster_members"

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    mobile: Mapped[bool] = mapped_column(Boolean)


class Like(Base):
    """One like per member per activity: the primary key makes a second one impossible, even concurrently."""

    __tablename__ = "likes"

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    liked_at = mapped_column(Instant, nullable=False)


class Comment(Base):
    """A member's comment: visible, hidden after enough reports (awaiting a moderator), or removed."""

    __tablename__ = "comments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_path: Mapped[str] = mapped_column(String(1000), index=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    reports: Mapped[int] = mapped_column(Integer, default=0)
    created_at = mapped_column(Instant, nullable=False)
    hidden_at = mapped_column(Instant)
    moderated_by: Mapped[str | None] = mapped_column(String(64))


class CommentReport(Base):
    __tablename__ = "comment_reports"

    comment_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reporter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    reported_at = mapped_column(Instant, nullable=False)


class Reflection(Base):
    """A member's sign-out reflection (心得体会): it counts as a comment in the score."""

    __tablename__ = "reflections"

    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reflected_at = mapped_column(Instant, nullable=False)


class Campaign(Base):
    """A month's 我为主题党日打Call of an organisation's subtree."""

    __tablename__ = "campaigns"
    __table_args__ = (
        UniqueConstraint("org_id", "month", name="uq_campaign_org_month"),
        # The opening round reads only the campaigns whose opening is still to announce.
        Index(
            "ix_campaigns_awaiting_opening",
            "opens_at",
            postgresql_where=text("opened_announced_at IS NULL"),
            sqlite_where=text("opened_announced_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str] = mapped_column(String(7))
    title: Mapped[str] = mapped_column(String(200))
    votes_per_voter: Mapped[int] = mapped_column(Integer)
    opens_at = mapped_column(Instant, nullable=False)
    closes_at = mapped_column(Instant, nullable=False)
    created_at = mapped_column(Instant, nullable=False)
    opened_announced_at = mapped_column(Instant)


class Ballot(Base):
    """That a voter used one vote in a campaign, and on which activity.

    The secret ballot: no RPC reads voters back; results are counted per activity only.
    The primary key (campaign, voter, activity) refuses a second vote for the same activity
    and `slot` (unique per campaign and voter, below `votes_per_voter`) caps the number of votes,
    so concurrent duplicates cannot both commit.
    """

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("campaign_id", "voter_id", "slot", name="uq_ballot_slot"),)

    campaign_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    voter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer)
    cast_at = mapped_column(Instant, nullable=False)


class VoteAttempt(Base):
    """Vote attempts of one account or one client address (`key`, a keyed hash of either) in the one-minute window
    starting at `window_start` (seconds since the epoch): shared by every gateway, kept across restarts."""

    __tablename__ = "vote_attempts"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer)


class Evaluation(Base):
    """A month's best / excellent selection, or a quarter's golden ideas, of an organisation's subtree."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("org_id", "kind", "period", name="uq_evaluation_org_kind_period"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(7))
    stage: Mapped[str] = mapped_column(String(20))
    best_slots: Mapped[int] = mapped_column(Integer)
    excellent_slots: Mapped[int] = mapped_column(Integer)
    shortlist = mapped_column(JSON, nullable=False)
    best = mapped_column(JSON, nullable=False)
    excellent = mapped_column(JSON, nullable=False)
    min_sign_in_rate: Mapped[float] = mapped_column(Float, server_default="0.8")
    summary_required: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at = mapped_column(Instant, nullable=False)
    published_at = mapped_column(Instant)
    first_reviewed_by: Mapped[str | None] = mapped_column(String(64))
    second_reviewed_by: Mapped[str | None] = mapped_column(String(64))


class GoldenIdea(Base):
    """A golden idea (金点子) a branch proposed to a quarter's evaluation, a candidate beside the activities; its
    id (`idea-…`) never meets an activity's, so judgements, the shortlist and the winners name it as they do one."""

    __tablename__ = "golden_ideas"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    evaluation_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_id: Mapped[str] = mapped_column(String(64))
    branch_path: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    media_ids = mapped_column(JSON, nullable=False)
    proposed_by: Mapped[str | None] = mapped_column(String(64))
    proposed_at = mapped_column(Instant, nullable=False)


class Judgement(Base):
    """One judge's marks for one candidate, 0–20 on each of the five criteria."""

    __tablename__ = "judgements"

    evaluation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    judge_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    theme: Mapped[int] = mapped_column(Integer)
    content: Mapped[int] = mapped_column(Integer)
    form: Mapped[int] = mapped_column(Integer)
    organisation: Mapped[int] = mapped_column(Integer)
    effect: Mapped[int] = mapped_column(Integer)
    judged_at = mapped_column(Instant, nullable=False)


class QuizParticipation(Base):
    """A branch's quiz participation in a month, as the quizzes service announces it
    (`quiz_participation_changed`): the sixth indicator, when it is weighed."""

    __tablename__ = "quiz_participation"

    branch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    took: Mapped[int] = mapped_column(Integer)
    expected: Mapped[int] = mapped_column(Integer)
    announced_at = mapped_column(Instant, nullable=False)
