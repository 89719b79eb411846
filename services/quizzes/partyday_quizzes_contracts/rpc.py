"""The bodies the quizzes service's RPCs take, the kinds of question, and the columns of a bank's XLSX template."""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from partyday_common.text import Identifier, VisibleText

KINDS = ("single", "multiple", "true_false")
Kind = Literal["single", "multiple", "true_false"]
MAX_OPTIONS = 6
MAX_QUESTIONS_PER_QUIZ = 200

# The template's columns, in order: 题型 (单选/多选/判断), the question, options A to F, the answer (letters, or
# 对/错 for a true/false question) and an optional explanation.
TEMPLATE_HEADERS = ("题型", "题目", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析")
TEMPLATE_EXAMPLES = (
    ("单选", "主题党日一般每月固定在哪一天开展？", "1日", "5日", "由支部确定的固定日期", "", "", "", "C", ""),
    ("多选", "“三会一课”包括哪些？", "支部党员大会", "支部委员会", "党小组会", "党课", "", "", "ABCD", ""),
    ("判断", "预备党员可以参加主题党日活动。", "", "", "", "", "", "", "对", ""),
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QuestionBody(Body):
    """One question of an organisation's bank: its kind, text, options (two to six; none for true/false, whose
    options are 对 and 错) and the indexes of the right options (one for single choice and true/false, at least
    one for multiple choice)."""

    kind: Kind
    text: VisibleText(1000)
    options: list[VisibleText(300)] = Field(default_factory=list, max_length=MAX_OPTIONS)
    answer: list[int] = Field(min_length=1, max_length=MAX_OPTIONS)
    explanation: VisibleText(1000) | None = None


class QuestionCreate(QuestionBody):
    org_id: Identifier


class BankImport(Body):
    """An XLSX the gateway streamed into the object store, to be read into the organisation's bank."""

    org_id: Identifier
    storage_key: str = Field(min_length=1, max_length=300)
    filename: str | None = Field(None, max_length=300)


class QuizCreate(Body):
    """A quiz on a directive (and optionally one of its micro lessons, `lesson_id`, a study material of the
    directive whose title the quizzes service asks of media) for the members under `org_id`, drawn from that
    organisation's bank: the chosen `question_ids`, or `draw_count` questions at random per attempt (from the
    chosen ones when both are given)."""

    directive_id: Identifier
    lesson_id: Identifier | None = None
    org_id: Identifier
    title: VisibleText(200)
    question_ids: list[Identifier] = Field(default_factory=list, max_length=MAX_QUESTIONS_PER_QUIZ)
    draw_count: int | None = Field(None, ge=1, le=MAX_QUESTIONS_PER_QUIZ)
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    max_attempts: int = Field(1, ge=1, le=20)
    time_limit_minutes: int = Field(ge=1, le=600)


class Taker(Body):
    """Who takes a quiz: the member and their branch as the directory knows them (the gateway's session)."""

    member_id: Identifier
    branch_id: Identifier
    branch_path: str = Field(min_length=1, max_length=1000)


class AnswersSubmit(Body):
    """A member's answers: per question id, the indexes of the options chosen."""

    answers: dict[Identifier, list[int]] = Field(max_length=MAX_QUESTIONS_PER_QUIZ)
