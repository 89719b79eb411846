"""Roster imports through the gateway with the directory faked: the file streams to storage under a key the
directory gets with the caller (never the bytes, never rows), the one size cap while streaming, 202 with the
import's Location at once, and its progress read back for the caller."""

import pytest

from partyday_common.settings import get_settings
from partyday_directory_contracts.imports import TEMPLATE_HEADERS
from partyday_gateway import uploads
from partyday_gateway.rpc import ServiceUnavailable
from partyday_gateway.settings import GatewaySettings
from tests.gateway.conftest import NO_BROKER
from tests.gateway.fakes import FakeRpc, context
from tests.gateway.test_errors import assert_error

ROSTER = "姓名,手机号,支部编码\n张红梅,13800138000,HZ-1\n".encode()
STARTED = {
    "import_id": "i1",
    "state": "queued",
    "filename": "花名册.csv",
    "format": None,
    "requested_by": "m1",
    "citywide": False,
    "total": None,
    "rows_read": 0,
    "accepted": 0,
    "unchanged": 0,
    "rejected": 0,
    "warnings": [],
    "error": None,
    "created_at": "2026-12-04T09:00:00Z",
    "started_at": None,
    "finished_at": None,
}
BRANCH_ADMIN = context(roles=[("branch_admin", "b1", "/root/b1/")], org_path="/root/b1/")


@pytest.fixture
def gateway_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "storage"))
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()
    yield GatewaySettings(amqp_uri=NO_BROKER, max_roster_bytes=1000)
    get_settings.cache_clear()
    uploads.media_storage.cache_clear()


@pytest.fixture
def directory(gateway):
    fake = FakeRpc(caller=BRANCH_ADMIN)

    def start_import(payload, **kwargs):
        fake.stored_at_call = b"".join(uploads.media_storage().iter_chunks(payload["storage_key"]))
        return STARTED

    fake.answer("directory", "start_import", start_import)
    return gateway.use(fake)


def upload(gateway, data=ROSTER, **fields):
    return gateway.post("/api/v1/members/import", files={"file": ("花名册.csv", data, "text/csv")}, data=fields)


def stored(tmp_path) -> list:
    return [path for path in (tmp_path / "storage").rglob("*") if path.is_file()]


def test_the_directory_gets_the_file_by_key_with_the_caller_and_the_answer_is_202_at_once(gateway, directory):
    answer = upload(gateway, initial_password="welcome-1")
    assert answer.status_code == 202, answer.text
    assert answer.headers["Location"] == "/api/v1/imports/i1" and answer.json()["state"] == "queued"
    ((_, _, (payload,), kwargs),) = directory.called("start_import")
    assert payload == {
        "storage_key": payload["storage_key"],
        "requested_by": "m1",
        "filename": "花名册.csv",
        "initial_password": "welcome-1",
    }
    assert payload["storage_key"].startswith("incoming/") and directory.stored_at_call == ROSTER
    assert kwargs == {"idempotency_key": None}


def test_the_idempotency_key_goes_to_the_directory(gateway, directory):
    assert upload(gateway).status_code == 202
    gateway.post("/api/v1/members/import", files={"file": ("x.csv", ROSTER)}, headers={"Idempotency-Key": "k-1"})
    assert [call.kwargs for call in directory.called("start_import")] == [
        {"idempotency_key": None},
        {"idempotency_key": "k-1"},
    ]


def test_a_roster_over_the_cap_is_refused_while_it_streams(gateway, directory, tmp_path):
    answer = upload(gateway, data=b"x" * 1001)
    assert_error(answer, 413, "ROSTER_TOO_LARGE")
    assert directory.called("start_import") == [] and stored(tmp_path) == []


def test_a_caller_who_manages_no_members_is_refused_before_the_file_is_read(gateway, tmp_path):
    fake = gateway.use(FakeRpc(caller=context(roles=[("auditor", "root", "/root/")])))
    assert_error(upload(gateway), 403, "FORBIDDEN")
    assert fake.calls == [] and stored(tmp_path) == []


def test_the_file_is_removed_when_the_directory_is_not_there(gateway, directory, tmp_path):
    directory.answer("directory", "start_import", ServiceUnavailable("directory", "no consumer"))
    assert_error(upload(gateway), 503, "SERVICE_UNAVAILABLE")
    assert stored(tmp_path) == []


def test_an_import_is_read_for_the_caller_a_page_at_a_time(gateway, directory):
    directory.answer(
        "directory",
        "get_import",
        lambda import_id, **kwargs: {
            **STARTED,
            "state": "running",
            "rows_read": 1000,
            "total": 5000,
            "rejected_rows": {"items": [], "total": 0, "page": kwargs["page"], "page_size": kwargs["page_size"]},
        },
    )
    answer = gateway.get("/api/v1/imports/i1", params={"page": 2, "page_size": 20})
    assert answer.status_code == 200 and answer.json()["rows_read"] == 1000
    ((_, _, args, kwargs),) = directory.called("get_import")
    assert args == ("i1",) and kwargs == {"reader": "m1", "page": 2, "page_size": 20}


def test_the_template_is_the_directorys_headers_as_a_csv(gateway, directory):
    answer = gateway.get("/api/v1/members/import-template")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content.decode("utf-8-sig").splitlines()[0] == ",".join(TEMPLATE_HEADERS)
