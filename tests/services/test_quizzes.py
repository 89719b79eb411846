"""The quizzes service on RabbitMQ and PostgreSQL: a bank imported from an XLSX in the object store (a wrong row
reported with its number, the others kept) and edited one question at a time; a quiz on a directive it follows,
or on a micro lesson of it (asked of a fake media); attempts within the window and the number of attempts, answers
refused after the time limit plus the grace, the best attempt counting; results and participation per branch, and
the participation announced for scoring."""

import io
from datetime import datetime, timedelta, timezone

import pytest
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook
from openpyxl import Workbook
from sqlalchemy import select

from partyday_common.db import make_engine
from partyday_common.envelope import Envelope
from partyday_common.errors import DomainError, not_found
from partyday_common.migrations import upgrade
from partyday_common.settings import get_settings as common_settings
from partyday_common.storage import incoming_key, make_storage
from partyday_quizzes.models import metadata
from partyday_quizzes.service import QuizzesService
from partyday_quizzes.settings import get_settings
from partyday_quizzes_contracts.rpc import TEMPLATE_HEADERS
from tests.services.helpers import publish_event, wait_until

T0 = datetime(2026, 12, 10, 8, 0, tzinfo=timezone.utc)
NODES = [
    ("city", None, "/city/", "city"),
    ("county", "city", "/city/county/", "county"),
    ("b-1", "county", "/city/county/b-1/", "branch"),
    ("b-2", "county", "/city/county/b-2/", "branch"),
    ("other", "city", "/city/other/", "county"),
    ("b-9", "other", "/city/other/b-9/", "branch"),
]
MEMBERS = [("m1", "王一", "b-1"), ("m2", "李二", "b-1"), ("m3", "张三", "b-2"), ("m9", "赵九", "b-9")]
PATHS = {node_id: path for node_id, _, path, _ in NODES}
LESSONS = {
    "lesson-1": {"material_id": "lesson-1", "directive_id": "d-1", "title": "微党课"},
    "lesson-9": {"material_id": "lesson-9", "directive_id": "d-9", "title": "别的微党课"},
}


class FakeMedia:
    """Media's one RPC quizzes calls: a study material, with the directive it belongs to."""

    name = "media"

    @rpc
    def material(self, material_id):
        if material_id not in LESSONS:
            raise not_found("study_material", material_id)
        return LESSONS[material_id]


@pytest.fixture
def quizzes(container_factory, make_config, databases, tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("PARTYDAY_QUIZZES_GRACE_S", "10")
    get_settings.cache_clear()
    common_settings.cache_clear()
    url = databases.create("quizzes")
    upgrade("quizzes", url)
    config = make_config("quizzes", url=url)
    container_factory(FakeMedia, config).start()
    container = container_factory(QuizzesService, config)
    container.start()
    container.url = url
    for org_id, parent_id, path, level in NODES:
        node = {"org_id": org_id, "parent_id": parent_id, "path": path, "code": org_id, "name": f"{org_id}名"}
        send(container, "directory", "org_created", {**node, "level": level, "domain": "community", "kind": "regular"})
    for member_id, name, branch_id in MEMBERS:
        member = {"member_id": member_id, "name": name, "branch_id": branch_id, "branch_path": PATHS[branch_id]}
        send(container, "directory", "member_joined", {**member, "active": True, "mobile": False})
    directive = {"directive_id": "d-1", "org_id": "county", "org_path": "/city/county/", "month": "2026-12"}
    send(container, "plans", "directive_published", {**directive, "theme": "学习二十大", "required_actions": []})
    wait_until(lambda: counts(container) == (6, 4, 1), message="the tree, members and the directive followed")
    yield container
    get_settings.cache_clear()
    common_settings.cache_clear()


def send(container, source, event_type, data):
    publish_event(container.config["AMQP_URI"], source, Envelope(event_type=event_type, source=source, data=data))


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def refused(container, method, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(container, method, *args, **kwargs)
    return error.value


def counts(container) -> tuple[int, int, int]:
    engine = make_engine(container.url)
    with engine.connect() as connection:
        found = tuple(
            len(connection.execute(select(metadata.tables[table])).all())
            for table in ("org_nodes", "members", "directives")
        )
    engine.dispose()
    return found


def outbox(container, event_type):
    engine = make_engine(container.url)
    table = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        bodies = connection.execute(
            select(table.c.body).where(table.c.event_type == event_type).order_by(table.c.id)
        ).scalars()
        found = [body["data"] for body in bodies]
    engine.dispose()
    return found


def taker(member_id):
    branch_id = next(branch for member, _, branch in MEMBERS if member == member_id)
    return {"member_id": member_id, "branch_id": branch_id, "branch_path": PATHS[branch_id]}


def stored_bank(rows) -> str:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    data = io.BytesIO()
    workbook.save(data)
    key = incoming_key()
    make_storage(common_settings()).put_bytes(key, data.getvalue(), "application/octet-stream")
    return key


def import_county_bank(container) -> list[str]:
    key = stored_bank(
        [
            TEMPLATE_HEADERS,
            ("单选", "主题党日每月几次？", "一次", "两次", "", "", "", "", "A", ""),
            ("多选", "三会一课包括？", "党员大会", "支委会", "党小组会", "党课", "", "", "ABCD", ""),
            ("判断", "党费按月交纳。", "", "", "", "", "", "", "对", ""),
            ("单选", "没有答案的题", "甲", "乙", "", "", "", "", "", ""),
        ]
    )
    report = call(container, "import_bank", {"org_id": "county", "storage_key": key, "filename": "bank.xlsx"})
    assert report["accepted"] == 3
    assert report["rejected"] == [
        {
            "row": 5,
            "reasons": [{"code": "ANSWER_UNREADABLE", "message": report["rejected"][0]["reasons"][0]["message"]}],
        }
    ]
    assert not make_storage(common_settings()).exists(key), "the file is deleted once read"
    return report["question_ids"]


def new_quiz(container, **changes) -> dict:
    body = {
        "directive_id": "d-1",
        "org_id": "county",
        "title": "十二月学习测试",
        "opens_at": T0.isoformat(),
        "closes_at": (T0 + timedelta(days=7)).isoformat(),
        "time_limit_minutes": 10,
        **changes,
    }
    return call(container, "create_quiz", body, created_by="admin", now=T0.isoformat())


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def right_answers(container, attempt) -> dict:
    questions = {q["question_id"]: q for q in call(container, "questions", "county")["items"]}
    return {q["id"]: questions[q["id"]]["answer"] for q in attempt["questions"]}


def test_a_bank_is_imported_and_edited_one_question_at_a_time(quizzes):
    ids = import_county_bank(quizzes)
    bank = call(quizzes, "questions", "county")
    assert bank["total"] == 3 and {q["question_id"] for q in bank["items"]} == set(ids)
    added = call(
        quizzes,
        "add_question",
        {"org_id": "county", "kind": "single", "text": "新题", "options": ["甲", "乙", "丙"], "answer": [1]},
        idempotency_key="add-1",
    )
    again = call(
        quizzes,
        "add_question",
        {"org_id": "county", "kind": "single", "text": "新题", "options": ["甲", "乙", "丙"], "answer": [1]},
        idempotency_key="add-1",
    )
    assert again == added
    edited = call(
        quizzes,
        "edit_question",
        added["question_id"],
        {"kind": "multiple", "text": "新题", "options": ["甲", "乙"], "answer": [0, 1]},
    )
    assert edited["kind"] == "multiple" and edited["answer"] == [0, 1]
    wrong = refused(
        quizzes,
        "edit_question",
        added["question_id"],
        {"kind": "single", "text": "新题", "options": ["甲"], "answer": [0]},
    )
    assert wrong.code == "OPTIONS_COUNT" and wrong.status == 400
    call(quizzes, "remove_question", added["question_id"])
    assert call(quizzes, "questions", "county")["total"] == 3
    assert refused(quizzes, "get_question", added["question_id"]).code == "QUESTION_NOT_FOUND"
    acts = {act["action"] for act in outbox(quizzes, "administrative_act")}
    assert {"bank_imported", "question_added", "question_edited", "question_removed"} <= acts


def test_a_quiz_is_set_on_a_directive_for_an_organisation_it_reaches(quizzes):
    ids = import_county_bank(quizzes)
    quiz = new_quiz(quizzes, question_ids=ids[:2])
    assert quiz["month"] == "2026-12" and quiz["question_count"] == 2 and quiz["state"] == "open"
    assert quiz["directive_theme"] == "学习二十大" and quiz["max_attempts"] == 1
    assert quiz["lesson_id"] is None and quiz["lesson_title"] is None
    assert refused(quizzes, "create_quiz", {**_body(), "directive_id": "nope"}).code == "DIRECTIVE_NOT_FOUND"
    assert refused(quizzes, "create_quiz", {**_body(), "org_id": "other"}).code == "ORG_NOT_REACHED"
    assert refused(quizzes, "create_quiz", {**_body(), "org_id": "b-1"}).code == "BANK_EMPTY"
    assert refused(quizzes, "create_quiz", {**_body(), "draw_count": 4}).code == "DRAW_COUNT_TOO_LARGE"
    assert refused(quizzes, "create_quiz", {**_body(), "question_ids": ["x"]}).code == "QUESTION_NOT_IN_BANK"
    window = refused(quizzes, "create_quiz", {**_body(), "closes_at": T0.isoformat()})
    assert window.code == "WINDOW_INVALID"
    listed = call(quizzes, "quizzes", "/city/county/b-1/", now=T0.isoformat())
    assert [q["quiz_id"] for q in listed["items"]] == [quiz["quiz_id"]], "a quiz set above reaches the branch"
    assert call(quizzes, "quizzes", "/city/other/")["total"] == 0


def test_a_quiz_on_a_micro_lesson_keeps_the_title_media_gives_of_a_lesson_of_its_directive(quizzes):
    import_county_bank(quizzes)
    quiz = new_quiz(quizzes, lesson_id="lesson-1")
    assert quiz["lesson_id"] == "lesson-1" and quiz["lesson_title"] == "微党课"
    assert call(quizzes, "get_quiz", quiz["quiz_id"])["lesson_title"] == "微党课"
    other = refused(quizzes, "create_quiz", {**_body(), "lesson_id": "lesson-9"})
    assert (other.code, other.status, other.details) == ("LESSON_NOT_OF_DIRECTIVE", 422, {"lesson_id": "lesson-9"})
    missing = refused(quizzes, "create_quiz", {**_body(), "lesson_id": "nope"})
    # media's own error, passed on: nameko carries a DomainError's status across the bus as text
    assert (missing.code, missing.status) == ("STUDY_MATERIAL_NOT_FOUND", "404")
    titled = refused(quizzes, "create_quiz", {**_body(), "lesson_id": "lesson-1", "lesson_title": "自拟"})
    assert titled.code == "VALIDATION_FAILED", "the title is media's, not the caller's"
    assert call(quizzes, "quizzes", "/city/county/")["total"] == 1


def _body():
    return {
        "directive_id": "d-1",
        "org_id": "county",
        "title": "测试",
        "opens_at": T0.isoformat(),
        "closes_at": (T0 + timedelta(days=1)).isoformat(),
        "time_limit_minutes": 5,
    }


def test_a_member_takes_a_quiz_within_its_time_limit_and_attempts(quizzes):
    import_county_bank(quizzes)
    quiz = new_quiz(quizzes, max_attempts=2, draw_count=2)
    quiz_id = quiz["quiz_id"]
    early = refused(quizzes, "start_attempt", quiz_id, taker("m1"), now=at(-1))
    assert early.code == "QUIZ_NOT_OPEN"
    outsider = refused(quizzes, "start_attempt", quiz_id, taker("m9"), now=at(1))
    assert outsider.code == "QUIZ_NOT_FOR_YOU" and outsider.status == 403

    first = call(quizzes, "start_attempt", quiz_id, taker("m1"), now=at(0))
    assert len(first["questions"]) == 2 and "answer" not in first["questions"][0]
    assert first["deadline_at"] == (T0 + timedelta(minutes=10)).isoformat() and first["seconds_left"] == 600
    resumed = call(quizzes, "start_attempt", quiz_id, taker("m1"), now=at(3))
    assert resumed["attempt_id"] == first["attempt_id"], "a running attempt is resumed, not a second one started"

    late = refused(quizzes, "submit_attempt", first["attempt_id"], "m1", {"answers": {}}, now=at(10.2))
    assert late.code == "TIME_LIMIT_EXCEEDED" and late.status == 422
    assert outbox(quizzes, "quiz_participation_changed") == []

    second = call(quizzes, "start_attempt", quiz_id, taker("m1"), now=at(11))
    assert second["number"] == 2
    answers = right_answers(quizzes, second)
    wrong_one = dict(answers)
    first_id = next(iter(answers))
    wrong_one[first_id] = [5]
    bad = refused(quizzes, "submit_attempt", second["attempt_id"], "m1", {"answers": wrong_one}, now=at(12))
    assert bad.code == "ANSWER_NOT_AN_OPTION"
    within_grace = (T0 + timedelta(minutes=21, seconds=5)).isoformat()
    scored = call(quizzes, "submit_attempt", second["attempt_id"], "m1", {"answers": answers}, now=within_grace)
    assert scored["score"] == 100.0 and scored["correct"] == 2
    again = refused(quizzes, "submit_attempt", second["attempt_id"], "m1", {"answers": answers}, now=within_grace)
    assert again.code == "ATTEMPT_SUBMITTED" and again.status == 409
    exhausted = refused(quizzes, "start_attempt", quiz_id, taker("m1"), now=at(30))
    assert exhausted.code == "ATTEMPTS_EXHAUSTED"
    assert refused(quizzes, "get_attempt", second["attempt_id"], "m2").code == "ATTEMPT_NOT_FOUND"

    [told] = outbox(quizzes, "quiz_participation_changed")
    assert told == {
        "branch_id": "b-1",
        "branch_path": "/city/county/b-1/",
        "month": "2026-12",
        "took": 1,
        "expected": 2,
    }
    mine = call(quizzes, "my_quizzes", taker("m1"), now=at(30))
    [entry] = mine["items"]
    assert entry["attempts_used"] == 2 and entry["attempts_left"] == 0 and entry["best_score"] == 100.0
    closed = refused(quizzes, "start_attempt", quiz_id, taker("m2"), now=(T0 + timedelta(days=7)).isoformat())
    assert closed.code == "QUIZ_CLOSED"


def test_the_best_attempt_counts_in_the_results_and_branches_show_who_took_it(quizzes):
    import_county_bank(quizzes)
    quiz_id = new_quiz(quizzes, max_attempts=2)["quiz_id"]
    for member_id, right in [("m1", True), ("m3", False)]:
        attempt = call(quizzes, "start_attempt", quiz_id, taker(member_id), now=at(1))
        answers = right_answers(quizzes, attempt) if right else {}
        call(quizzes, "submit_attempt", attempt["attempt_id"], member_id, {"answers": answers}, now=at(2))
    worse = call(quizzes, "start_attempt", quiz_id, taker("m1"), now=at(3))
    call(quizzes, "submit_attempt", worse["attempt_id"], "m1", {"answers": {}}, now=at(4))

    results = call(quizzes, "results", quiz_id, "/city/county/")
    assert [(r["member_id"], r["best_score"], r["attempts"]) for r in results["items"]] == [
        ("m1", 100.0, 2),
        ("m3", 0.0, 1),
    ]
    assert results["items"][0]["name"] == "王一" and results["items"][0]["branch_name"] == "b-1名"
    branch = call(quizzes, "results", quiz_id, "/city/county/b-2/")
    assert [r["member_id"] for r in branch["items"]] == ["m3"], "a secretary sees their branch only"
    paged = call(quizzes, "results", quiz_id, "/city/county/", page=2, page_size=1)
    assert paged["total"] == 2 and [r["member_id"] for r in paged["items"]] == ["m3"]

    summary = call(quizzes, "participation", quiz_id, "/city/")
    assert [(b["branch_id"], b["took"], b["expected"]) for b in summary["items"]] == [("b-1", 1, 2), ("b-2", 1, 1)]
    assert (summary["took"], summary["expected"]) == (2, 3)
    assert call(quizzes, "participation", quiz_id, "/city/other/")["items"] == []
    told = outbox(quizzes, "quiz_participation_changed")
    assert [(e["branch_id"], e["took"]) for e in told] == [("b-1", 1), ("b-2", 1)], "once per member's first try"


def test_starts_of_one_member_at_once_give_one_attempt(quizzes):
    import_county_bank(quizzes)
    quiz_id = new_quiz(quizzes, max_attempts=3)["quiz_id"]
    with ClusterRpcProxy({"AMQP_URI": quizzes.config["AMQP_URI"]}, timeout=60) as proxy:
        replies = [proxy.quizzes.start_attempt.call_async(quiz_id, taker("m2"), now=at(1)) for _ in range(6)]
        started = {reply.result()["attempt_id"] for reply in replies}
    assert len(started) == 1, "one attempt started, the others resumed it"
    assert call(quizzes, "my_quizzes", taker("m2"), now=at(2))["items"][0]["attempts_used"] == 1


def test_an_import_repeated_with_its_key_gets_the_first_answer_and_every_file_is_deleted(quizzes):
    rows = [TEMPLATE_HEADERS, ("判断", "党费按月交纳。", "", "", "", "", "", "", "对", "")]
    first_key, second_key = stored_bank(rows), stored_bank(rows)
    body = {"org_id": "county", "filename": "bank.xlsx"}
    first = call(quizzes, "import_bank", {**body, "storage_key": first_key}, idempotency_key="import-1")
    again = call(quizzes, "import_bank", {**body, "storage_key": second_key}, idempotency_key="import-1")
    assert again == first and call(quizzes, "questions", "county")["total"] == 1
    storage = make_storage(common_settings())
    assert not storage.exists(first_key) and not storage.exists(second_key)
    missing = refused(quizzes, "import_bank", {**body, "storage_key": first_key})
    assert missing.code == "UPLOAD_NOT_FOUND" and missing.status == 404


def test_a_question_removed_from_the_bank_is_drawn_no_more(quizzes):
    ids = import_county_bank(quizzes)
    quiz_id = new_quiz(quizzes, question_ids=ids[:2], max_attempts=2)["quiz_id"]
    call(quizzes, "remove_question", ids[0])
    attempt = call(quizzes, "start_attempt", quiz_id, taker("m1"), now=at(1))
    assert [q["id"] for q in attempt["questions"]] == [ids[1]] and attempt["total"] == 1
    call(quizzes, "submit_attempt", attempt["attempt_id"], "m1", {"answers": {}}, now=at(2))
    call(quizzes, "remove_question", ids[1])
    assert refused(quizzes, "start_attempt", quiz_id, taker("m1"), now=at(3)).code == "QUIZ_HAS_NO_QUESTIONS"
