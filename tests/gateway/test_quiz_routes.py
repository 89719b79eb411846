"""Quiz routes through the gateway with the services faked: the bank's template is an XLSX of the template's
columns; a bank file streams to storage and reaches the quizzes service by key (and is removed when the service is
not there); who manages quizzes where, a quiz's lesson handed to the quizzes service (which checks it) and never a title
of the caller's, the member's branch from their session, and results read only within the caller's reach."""

import io

import pytest
from openpyxl import load_workbook

from partyday_common.settings import get_settings
from partyday_gateway import uploads
from partyday_gateway.rpc import RemoteError, ServiceUnavailable
from partyday_gateway.settings import GatewaySettings
from partyday_quizzes_contracts.rpc import TEMPLATE_HEADERS
from tests.gateway.conftest import NO_BROKER
from tests.gateway.fakes import FakeRpc, context
from tests.gateway.test_errors import assert_error

COUNTY_ADMIN = context(roles=[("org_admin", "c1", "/root/c1/")], org_id="b1", org_path="/root/c1/b1/")
SECRETARY = context(roles=[("branch_admin", "b1", "/root/c1/b1/")], org_id="b1", org_path="/root/c1/b1/")
MEMBER = context(org_id="b1", org_path="/root/c1/b1/")
NODES = {
    "c1": {"path": "/root/c1/", "level": "county", "name": "县"},
    "b1": {"path": "/root/c1/b1/", "level": "branch", "name": "一支部"},
    "b2": {"path": "/root/c1/b2/", "level": "branch", "name": "二支部"},
}
QUIZ = {"quiz_id": "q1", "org_id": "c1", "org_path": "/root/c1/", "title": "测试"}
BODY = {
    "directive_id": "d1",
    "org_id": "c1",
    "title": "测试",
    "opens_at": "2026-12-05T09:00:00+08:00",
    "closes_at": "2026-12-12T09:00:00+08:00",
    "time_limit_minutes": 10,
}


@pytest.fixture
def gateway_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "storage"))
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()
    yield GatewaySettings(amqp_uri=NO_BROKER, max_roster_bytes=1000)
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()


def stored(tmp_path) -> list:
    return [path for path in (tmp_path / "storage").rglob("*") if path.is_file()]


def upload(gateway, data=b"PK-bank"):
    return gateway.post("/api/v1/orgs/c1/questions/import", files={"file": ("题库.xlsx", data)})


def test_the_template_is_an_xlsx_with_the_template_columns(gateway):
    gateway.use(FakeRpc(caller=MEMBER))
    answer = gateway.get("/api/v1/quiz-bank/template.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert tuple(cell.value for cell in sheet[1]) == TEMPLATE_HEADERS


def test_a_bank_file_reaches_the_quizzes_service_by_key(gateway, tmp_path):
    fake = gateway.use(FakeRpc(caller=COUNTY_ADMIN, nodes=NODES))

    def import_bank(payload, **kwargs):
        fake.stored_at_call = b"".join(uploads.media_storage().iter_chunks(payload["storage_key"]))
        return {"accepted": 1, "rejected": []}

    fake.answer("quizzes", "import_bank", import_bank)
    answer = gateway.post(
        "/api/v1/orgs/c1/questions/import", files={"file": ("题库.xlsx", b"PK-bank")}, headers={"Idempotency-Key": "k"}
    )
    assert answer.status_code == 200, answer.text
    ((_, _, (payload,), kwargs),) = fake.called("import_bank")
    assert payload["org_id"] == "c1" and payload["filename"] == "题库.xlsx" and fake.stored_at_call == b"PK-bank"
    assert kwargs == {"idempotency_key": "k"}
    assert_error(upload(gateway, b"x" * 1001), 413, "FILE_TOO_LARGE")


def test_the_bank_file_is_removed_when_the_quizzes_service_is_not_there(gateway, tmp_path):
    fake = gateway.use(FakeRpc(caller=COUNTY_ADMIN, nodes=NODES))
    fake.answer("quizzes", "import_bank", ServiceUnavailable("quizzes", "no consumer"))
    assert_error(upload(gateway), 503, "SERVICE_UNAVAILABLE")
    assert stored(tmp_path) == []


def test_a_secretary_manages_their_branchs_bank_and_quizzes_not_the_countys(gateway, tmp_path):
    fake = gateway.use(FakeRpc(caller=SECRETARY, nodes=NODES))
    assert_error(upload(gateway), 403, "FORBIDDEN")
    assert_error(gateway.post("/api/v1/quizzes", json=BODY), 403, "FORBIDDEN")
    assert fake.calls == [] and stored(tmp_path) == []
    fake.answer("quizzes", "questions", {"items": [], "total": 0, "page": 1, "page_size": 50})
    assert gateway.get("/api/v1/orgs/b1/questions").status_code == 200


def test_a_quiz_on_a_lesson_goes_to_the_quizzes_service_which_checks_the_lesson(gateway):
    fake = gateway.use(FakeRpc(caller=COUNTY_ADMIN, nodes=NODES))
    fake.answer("quizzes", "create_quiz", {**QUIZ, "lesson_id": "l1", "lesson_title": "微党课"})
    created = gateway.post("/api/v1/quizzes", json={**BODY, "lesson_id": "l1"}, headers={"Idempotency-Key": "k"})
    assert created.status_code == 201 and created.json()["lesson_title"] == "微党课"
    ((service, _, (payload,), kwargs),) = fake.calls
    assert service == "quizzes" and payload["lesson_id"] == "l1" and "lesson_title" not in payload
    assert kwargs == {"created_by": "m1", "idempotency_key": "k"}
    fake.answer(
        "quizzes",
        "create_quiz",
        RemoteError(
            "quizzes",
            "create_quiz",
            {"exc_type": "DomainError", "exc_args": ["LESSON_NOT_OF_DIRECTIVE", "not", 422, {"lesson_id": "l1"}]},
        ),
    )
    other = gateway.post("/api/v1/quizzes", json={**BODY, "lesson_id": "l1"})
    assert assert_error(other, 422, "LESSON_NOT_OF_DIRECTIVE")["details"] == {"lesson_id": "l1"}
    titled = gateway.post("/api/v1/quizzes", json={**BODY, "lesson_id": "l1", "lesson_title": "自拟"})
    assert_error(titled, 400, "VALIDATION_FAILED")
    assert len(fake.calls) == 2, "a title of the caller's never reaches the quizzes service"


def test_a_member_takes_a_quiz_as_the_member_of_their_branch(gateway):
    fake = gateway.use(FakeRpc(caller=MEMBER, nodes=NODES))
    fake.answer("quizzes", "start_attempt", {"attempt_id": "a1"})
    assert gateway.post("/api/v1/quizzes/q1/attempts").status_code == 201
    ((_, _, args, _),) = fake.called("start_attempt")
    assert args == ("q1", {"member_id": "m1", "branch_id": "b1", "branch_path": "/root/c1/b1/"})
    fake.answer("quizzes", "submit_attempt", {"attempt_id": "a1", "score": 50.0})
    answered = gateway.post("/api/v1/quiz-attempts/a1/answers", json={"answers": {"x": [0]}})
    assert answered.status_code == 200
    assert_error(
        gateway.post("/api/v1/quiz-attempts/a1/answers", json={"answers": {"x": "A"}}), 400, "VALIDATION_FAILED"
    )


def test_a_public_voter_takes_no_quiz(gateway):
    gateway.use(FakeRpc(caller=context(kind="public", member_id=None, org_id=None), nodes=NODES))
    answer = gateway.get("/api/v1/me/quizzes")
    assert answer.status_code in (401, 403)


def test_results_are_read_within_the_callers_reach(gateway):
    fake = gateway.use(FakeRpc(caller=SECRETARY, nodes=NODES))
    fake.answer("quizzes", "get_quiz", QUIZ)
    fake.answer("quizzes", "results", {"items": [], "total": 0, "page": 1, "page_size": 50})
    assert gateway.get("/api/v1/quizzes/q1/results", params={"org_id": "b1"}).status_code == 200
    ((_, _, args, _),) = fake.called("results")
    assert args == ("q1", "/root/c1/b1/")
    assert_error(gateway.get("/api/v1/quizzes/q1/results", params={"org_id": "b2"}), 403, "FORBIDDEN")
    assert_error(gateway.get("/api/v1/quizzes/q1/participation"), 403, "FORBIDDEN")
