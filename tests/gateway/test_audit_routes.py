"""The audit log through the gateway: the caller's subtrees, the filters handed to the directory, the CSV export."""

import csv
import io

from tests.gateway.fakes import FakeRpc, context
from tests.gateway.test_errors import assert_error

COUNTY_ADMIN = context(roles=[("org_admin", "county", "/root/county/")])


def entry(number: int, **fields) -> dict:
    return {
        "audit_id": str(number),
        "at": "2026-12-04T10:00:00+00:00",
        "actor_id": "m1",
        "client_ip": "10.0.0.1",
        "action": "plan.approve",
        "target_type": "plan",
        "target_id": f"p{number}",
        "org_path": "/root/county/b1/",
        "details": {"month": "2026-12"},
        "correlation_id": "c1",
        **fields,
    }


def pages(entries: list[dict]):
    def answer(scope, page, page_size, filters):
        start = (page - 1) * page_size
        return {
            "items": entries[start : start + page_size],
            "total": len(entries),
            "page": page,
            "page_size": page_size,
        }

    return answer


def test_the_log_is_read_within_the_caller_s_subtrees_with_the_filters_given(gateway):
    fake = gateway.use(FakeRpc(caller=COUNTY_ADMIN).answer("directory", "audit_entries", pages([entry(1)])))
    answer = gateway.get(
        "/api/v1/audit",
        params={
            "action": "plan.approve",
            "actor_id": "m1",
            "target_type": "plan",
            "since": "2026-12-01T00:00:00+08:00",
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"][0]["org_path"] == "/root/county/b1/"
    (call,) = fake.called("audit_entries")
    assert call.args == (["/root/county/"],)
    assert call.kwargs["filters"] == {
        "action": "plan.approve",
        "actor_id": "m1",
        "target_type": "plan",
        "since": "2026-12-01T00:00:00+08:00",
    }


def test_a_time_without_an_offset_is_refused_before_the_directory(gateway):
    fake = gateway.use(FakeRpc(caller=COUNTY_ADMIN))
    assert_error(gateway.get("/api/v1/audit", params={"since": "2026-12-01T00:00:00"}), 400, "VALIDATION_FAILED")
    assert fake.calls == []


def test_a_caller_without_an_audit_role_is_refused(gateway):
    gateway.use(FakeRpc(caller=context(roles=[("branch_admin", "b1", "/root/county/b1/")])))
    assert_error(gateway.get("/api/v1/audit"), 403, "FORBIDDEN")
    assert_error(gateway.get("/api/v1/audit.csv"), 403, "FORBIDDEN")


def test_the_export_is_every_filtered_entry_as_csv_read_from_one_moment(gateway):
    entries = [entry(n) for n in range(1200, 0, -1)]
    entries[0] = entry(1200, details={"comment": '=HYPERLINK("x")'}, action="plan.return")
    fake = gateway.use(FakeRpc(caller=COUNTY_ADMIN).answer("directory", "audit_entries", pages(entries)))
    answer = gateway.get("/api/v1/audit.csv", params={"target_type": "plan"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["audit_id", "at", "actor_id", "client_ip", "action"]
    assert len(rows) == 1 + 1200 and rows[1][0] == "1200" and rows[-1][0] == "1"
    assert rows[1][4] == "plan.return" and rows[1][-1].startswith('{"comment"'), "details as JSON"
    calls = fake.called("audit_entries")
    assert [call.kwargs["page"] for call in calls] == [1, 2, 3]
    assert all(call.kwargs["filters"] == {"target_type": "plan", "through_id": "1200"} for call in calls[1:])
