"""The quizzes service: each organisation's question bank, the directives and members it follows, the quizzes
and the members' attempts."""

from sqlalchemy import JSON, Boolean, Float, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.instants import Instant
from partyday_common.orgtree import add_org_projection
from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
org_nodes = add_org_projection(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Question(Base):
    """A question of an organisation's bank; `answer` holds the indexes of the right options. A removed question
    stays for the attempts that drew it but is drawn no more."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_org_active", "org_id", "active"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    options = mapped_column(JSON, nullable=False)
    answer = mapped_column(JSON, nullable=False)
    explanation: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at = mapped_column(Instant, nullable=False)
    updated_at = mapped_column(Instant, nullable=False)


class Directive(Base):
    """A month's directive as plans announced it (`directive_published`): the subtree it reaches."""

    __tablename__ = "directives"

    directive_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str] = mapped_column(String(7))
    theme: Mapped[str] = mapped_column(String(500))


class Member(Base):
    """A member as the directory announces them: who is expected to take a quiz, in which branch."""

    __tablename__ = "members"

    member_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    branch_id: Mapped[str | None] = mapped_column(String(64), index=True)
    branch_path: Mapped[str | None] = mapped_column(String(1000), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Quiz(Base):
    """A quiz on a directive (or one of its micro lessons) for the members under `org_path`, drawn from its
    organisation's bank: `question_ids` chosen, or `draw_count` at random per attempt."""

    __tablename__ = "quizzes"
    __table_args__ = (Index("ix_quizzes_org_path", "org_path"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    directive_id: Mapped[str] = mapped_column(String(64), index=True)
    lesson_id: Mapped[str | None] = mapped_column(String(64))
    lesson_title: Mapped[str | None] = mapped_column(String(200))
    org_id: Mapped[str] = mapped_column(String(64))
    org_path: Mapped[str] = mapped_column(String(1000))
    month: Mapped[str] = mapped_column(String(7))
    title: Mapped[str] = mapped_column(String(200))
    question_ids = mapped_column(JSON, nullable=False)
    draw_count: Mapped[int | None] = mapped_column(Integer)
    opens_at = mapped_column(Instant, nullable=False)
    closes_at = mapped_column(Instant, nullable=False)
    max_attempts: Mapped[int] = mapped_column(Integer)
    time_limit_minutes: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at = mapped_column(Instant, nullable=False)


class Attempt(Base):
    """A member's attempt at a quiz: the questions drawn for it (as they were), its deadline on the server, and
    once submitted the answers and the score."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "member_id", "number", name="uq_attempts_quiz_member_number"),
        Index("ix_attempts_quiz_branch_path", "quiz_id", "branch_path"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    branch_id: Mapped[str] = mapped_column(String(64))
    branch_path: Mapped[str] = mapped_column(String(1000))
    number: Mapped[int] = mapped_column(Integer)
    questions = mapped_column(JSON, nullable=False)
    started_at = mapped_column(Instant, nullable=False)
    deadline_at = mapped_column(Instant, nullable=False)
    submitted_at = mapped_column(Instant)
    answers = mapped_column(JSON)
    correct: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
