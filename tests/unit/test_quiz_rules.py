"""The quiz rules without a bus: a question's shape, a quiz's micro lesson (a study material of its directive, asked
of media), an attempt's score (multiple choice all-or-nothing), the window, the attempts, the time limit with its
grace, the draw, the best attempt, and a bank file's rows."""

import io
import random
from datetime import datetime, timedelta, timezone

import pytest
from nameko.exceptions import UnknownService
from openpyxl import Workbook

from partyday_common.errors import DomainError, not_found
from partyday_common.rpc import RpcTimeout
from partyday_quizzes import bank_file, quizzes, rules
from partyday_quizzes_contracts.rpc import TEMPLATE_EXAMPLES, TEMPLATE_HEADERS, QuizCreate

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)
QUESTIONS = [
    {"id": "q1", "kind": "single", "answer": [2]},
    {"id": "q2", "kind": "multiple", "answer": [0, 1, 3]},
    {"id": "q3", "kind": "true_false", "answer": [0]},
    {"id": "q4", "kind": "single", "answer": [0]},
]


def test_every_right_answer_scores_100():
    scored = rules.score_attempt(QUESTIONS, {"q1": [2], "q2": [3, 1, 0], "q3": [0], "q4": [0]})
    assert scored == {"correct": 4, "total": 4, "score": 100.0}


def test_multiple_choice_is_all_or_nothing():
    missing_one = rules.score_attempt(QUESTIONS, {"q2": [0, 1]})
    one_too_many = rules.score_attempt(QUESTIONS, {"q2": [0, 1, 2, 3]})
    assert missing_one["correct"] == one_too_many["correct"] == 0


def test_unanswered_questions_are_wrong_and_each_counts_alike():
    assert rules.score_attempt(QUESTIONS, {"q1": [2]}) == {"correct": 1, "total": 4, "score": 25.0}
    assert rules.score_attempt(QUESTIONS, {}) == {"correct": 0, "total": 4, "score": 0.0}
    assert rules.score_attempt([], {}) == {"correct": 0, "total": 0, "score": 0.0}


def test_a_question_needs_its_options_and_its_answers_among_them():
    assert rules.check_question("true_false", [], [1]) == (["对", "错"], [1])
    assert rules.check_question("multiple", ["a", "b", "c"], [2, 0]) == (["a", "b", "c"], [0, 2])
    for kind, options, answer, code in [
        ("single", ["a"], [0], "OPTIONS_COUNT"),
        ("single", ["a", "b"], [0, 1], "ONE_ANSWER_ONLY"),
        ("single", ["a", "b"], [2], "ANSWER_NOT_AN_OPTION"),
        ("multiple", ["a", "b"], [1, 1], "ANSWER_REPEATED"),
        ("true_false", ["yes", "no"], [0], "OPTIONS_NOT_ALLOWED"),
        ("true_false", [], [0, 1], "ONE_ANSWER_ONLY"),
    ]:
        with pytest.raises(DomainError) as refused:
            rules.check_question(kind, options, answer)
        assert refused.value.code == code, (kind, options, answer)


LESSON = {"material_id": "l1", "directive_id": "d1", "title": "微党课"}


def test_a_quiz_keeps_the_title_of_a_lesson_of_its_own_directive_only():
    assert rules.lesson_title(LESSON, "d1") == "微党课"
    with pytest.raises(DomainError) as other:
        rules.lesson_title(LESSON, "d2")
    assert other.value.code == "LESSON_NOT_OF_DIRECTIVE" and other.value.status == 422
    assert other.value.details == {"lesson_id": "l1"}


class FakeMedia:
    """Media's `material` RPC as the quizzes service calls it: a material, or what the call raises."""

    def __init__(self, answer):
        self.answer = answer
        self.asked = []

    def material(self, material_id):
        self.asked.append(material_id)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def quiz_body(**changes) -> QuizCreate:
    body = {
        "directive_id": "d1",
        "org_id": "c1",
        "title": "测试",
        "opens_at": T0.isoformat(),
        "closes_at": (T0 + timedelta(days=1)).isoformat(),
        "time_limit_minutes": 10,
    }
    return QuizCreate.model_validate({**body, **changes})


def test_a_quizs_lesson_is_asked_of_media_and_checked_against_its_directive():
    media = FakeMedia(LESSON)
    assert quizzes.lesson_title(media, quiz_body()) is None and media.asked == []
    assert quizzes.lesson_title(media, quiz_body(lesson_id="l1")) == "微党课" and media.asked == ["l1"]
    with pytest.raises(DomainError) as other:
        quizzes.lesson_title(FakeMedia({**LESSON, "directive_id": "d2"}), quiz_body(lesson_id="l1"))
    assert other.value.code == "LESSON_NOT_OF_DIRECTIVE"
    with pytest.raises(DomainError) as missing:
        quizzes.lesson_title(FakeMedia(not_found("study_material", "l9")), quiz_body(lesson_id="l9"))
    assert missing.value.code == "STUDY_MATERIAL_NOT_FOUND" and missing.value.status == 404


@pytest.mark.parametrize("failure", [RpcTimeout("media.material did not answer within 5s"), UnknownService("media")])
def test_a_lesson_when_media_cannot_be_reached_is_503_service_unavailable(failure):
    with pytest.raises(DomainError) as unavailable:
        quizzes.lesson_title(FakeMedia(failure), quiz_body(lesson_id="l1"))
    assert unavailable.value.code == "SERVICE_UNAVAILABLE" and unavailable.value.status == 503
    assert unavailable.value.details["service"] == "media" and unavailable.value.details["retry_after"] > 0


def test_an_attempt_starts_only_inside_the_window():
    closes = T0 + timedelta(days=7)
    with pytest.raises(DomainError) as early:
        rules.check_can_start(T0, closes, 1, 0, T0 - timedelta(seconds=1))
    assert early.value.code == "QUIZ_NOT_OPEN" and early.value.status == 422
    rules.check_can_start(T0, closes, 1, 0, T0)
    with pytest.raises(DomainError) as late:
        rules.check_can_start(T0, closes, 1, 0, closes)
    assert late.value.code == "QUIZ_CLOSED"
    with pytest.raises(DomainError) as window:
        rules.check_window(closes, T0)
    assert window.value.code == "WINDOW_INVALID" and window.value.status == 400


def test_attempts_are_counted_against_the_quiz_number():
    closes = T0 + timedelta(days=7)
    rules.check_can_start(T0, closes, 2, 1, T0)
    with pytest.raises(DomainError) as refused:
        rules.check_can_start(T0, closes, 2, 2, T0)
    assert refused.value.code == "ATTEMPTS_EXHAUSTED" and refused.value.details == {"max_attempts": 2, "used": 2}


def test_the_deadline_is_the_time_limit_and_never_after_the_close():
    assert rules.deadline(T0, 20, T0 + timedelta(days=1)) == T0 + timedelta(minutes=20)
    assert rules.deadline(T0, 20, T0 + timedelta(minutes=5)) == T0 + timedelta(minutes=5)


def test_answers_are_taken_until_the_deadline_plus_the_grace():
    deadline = T0 + timedelta(minutes=10)
    rules.check_in_time(deadline, 30, deadline + timedelta(seconds=30))
    with pytest.raises(DomainError) as late:
        rules.check_in_time(deadline, 30, deadline + timedelta(seconds=31))
    assert late.value.code == "TIME_LIMIT_EXCEEDED" and late.value.status == 422
    assert rules.is_running(None, deadline, 30, deadline + timedelta(seconds=30))
    assert not rules.is_running(None, deadline, 30, deadline + timedelta(seconds=31))
    assert not rules.is_running(T0, deadline, 30, T0)


def test_a_draw_takes_n_distinct_questions_or_the_whole_pool_in_order():
    pool = [f"q{n}" for n in range(10)]
    drawn = rules.draw(pool, 4, random.Random(7))
    assert len(drawn) == len(set(drawn)) == 4 and set(drawn) <= set(pool)
    assert rules.draw(pool, None) == pool
    assert rules.draw(pool, 12) == pool


def test_the_best_attempt_counts():
    attempts = [
        {"number": 1, "score": 50.0},
        {"number": 2, "score": 75.0},
        {"number": 3, "score": 75.0},
        {"number": 4, "score": None},
    ]
    assert rules.best(attempts)["number"] == 2
    assert rules.best([{"number": 1, "score": None}]) is None


def test_a_quiz_reaches_the_branches_under_its_organisation():
    assert rules.in_reach("/city/county/b-1/", "/city/county/")
    assert not rules.in_reach("/city/other/b-2/", "/city/county/")


def _workbook(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    return data


def test_the_template_reads_back_as_its_examples():
    read = bank_file.read_bank(_workbook([TEMPLATE_HEADERS, *TEMPLATE_EXAMPLES]), 100)
    assert read.rejected == []
    assert [(row, q["kind"], q["answer"]) for row, q in read.questions] == [
        (2, "single", [2]),
        (3, "multiple", [0, 1, 2, 3]),
        (4, "true_false", [0]),
    ]


def test_a_wrong_row_is_reported_with_its_number_and_the_others_kept():
    rows = [
        TEMPLATE_HEADERS,
        ("单选", "题一", "甲", "乙", "", "", "", "", "B", ""),
        ("问答", "题二", "甲", "乙", "", "", "", "", "A", ""),
        (),
        ("多选", "题三", "甲", "", "丙", "", "", "", "AC", ""),
        ("单选", "题四", "甲", "乙", "", "", "", "", "AB", ""),
        ("判断", "题五", "", "", "", "", "", "", "也许", ""),
        ("判断", "题六", "", "", "", "", "", "", "错", "解析"),
    ]
    read = bank_file.read_bank(_workbook(rows), 100)
    assert [row for row, _ in read.questions] == [2, 8]
    assert {entry["row"]: [r["code"] for r in entry["reasons"]] for entry in read.rejected} == {
        3: ["KIND_UNKNOWN"],
        5: ["OPTION_GAP"],
        6: ["ONE_ANSWER_ONLY"],
        7: ["ANSWER_UNREADABLE"],
    }


def test_a_bank_file_without_the_columns_or_not_a_workbook_is_refused():
    with pytest.raises(DomainError) as header:
        bank_file.read_bank(_workbook([("名字", "电话")]), 100)
    assert header.value.code == "BANK_HEADER_MISSING"
    with pytest.raises(DomainError) as unreadable:
        bank_file.read_bank(io.BytesIO(b"not a workbook"), 100)
    assert unreadable.value.code == "BANK_UNREADABLE" and unreadable.value.status == 415
    with pytest.raises(DomainError) as many:
        bank_file.read_bank(_workbook([TEMPLATE_HEADERS, *TEMPLATE_EXAMPLES]), 2)
    assert many.value.code == "BANK_TOO_MANY_ROWS"
