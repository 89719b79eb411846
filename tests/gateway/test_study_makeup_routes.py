"""The study progress and make-up routes with the services faked: the member acts as themselves with the
Idempotency-Key handed on, a material of another organisation's directive is refused before media is asked, and the
secretary's view of a branch joins a page of the directory's members with media's progress for that page."""

import pytest

from tests.gateway.fakes import FakeRpc, context, under_root
from tests.gateway.test_errors import assert_error

PROGRESS = {
    "material_id": "mat-1",
    "member_id": "m1",
    "kind": "text",
    "state": "opened",
    "opened_at": "2026-12-08T12:00:00+00:00",
    "finished_at": None,
    "position_s": None,
    "percent": None,
}
MAKEUP = {
    "activity_id": "a1",
    "member_id": "m1",
    "name": "赵补学",
    "branch_id": "b1",
    "theme": "重温入党誓词",
    "starts_at": "2026-12-07T01:00:00+00:00",
    "state": "done",
    "assigned_at": "2026-12-07T16:00:00+00:00",
    "due_at": "2026-12-21T16:00:00+00:00",
    "completed_at": "2026-12-10T12:00:00+00:00",
    "late": False,
    "reflection": "补学心得",
}
NOT_OPENED = {"state": "not_opened", "opened_at": None, "finished_at": None, "position_s": None, "percent": None}


@pytest.fixture
def fake(gateway):
    """The gateway as member m1 of branch b1 (/root/b1/), its branch admin."""
    rpc = FakeRpc(
        caller=context([("branch_admin", "b1", "/root/b1/")], org_path="/root/b1/"), nodes=under_root("branch")
    )
    rpc.answer("media", "material", {"material_id": "mat-1", "org_id": "root", "org_path": "/root/"})
    rpc.answer("media", "report_progress", PROGRESS)
    rpc.answer("attendance", "complete_makeup", MAKEUP)
    rpc.answer("media", "directive", {"directive_id": "d1", "org_id": "root", "org_path": "/root/"})
    rpc.answer(
        "directory",
        "list_members",
        {"items": [{"member_id": "m1", "name": "李学习"}, {"member_id": "m2", "name": "赵补学"}], "total": 3},
    )
    rpc.answer(
        "media",
        "directive_progress",
        {
            "directive_id": "d1",
            "theme": "学党章",
            "materials": [{"material_id": "mat-1", "title": "党章第一章", "kind": "text", "duration_s": None}],
            "members": {"m1": [{"material_id": "mat-1", **NOT_OPENED}], "m2": [{"material_id": "mat-1", **NOT_OPENED}]},
        },
    )
    return gateway.use(rpc)


def test_a_members_progress_and_make_up_are_their_own_with_the_key_handed_on(gateway, fake):
    reported = gateway.post("/api/v1/study-materials/mat-1/progress", json={}, headers={"Idempotency-Key": "k-1"})
    assert reported.status_code == 200, reported.text
    ((_, _, args, kwargs),) = fake.called("report_progress")
    assert args[:2] == ("mat-1", "m1") and kwargs["idempotency_key"] == "k-1"
    done = gateway.post(
        "/api/v1/activities/a1/makeup/complete", json={"reflection": "补学心得"}, headers={"Idempotency-Key": "k-2"}
    )
    assert done.status_code == 200 and done.json()["state"] == "done"
    ((_, _, args, kwargs),) = fake.called("complete_makeup")
    assert args == ("a1", "m1", "补学心得") and kwargs["idempotency_key"] == "k-2"
    assert_error(gateway.post("/api/v1/activities/a1/makeup/complete", json={"text": "x"}), 400, "VALIDATION_FAILED")
    assert_error(
        gateway.post("/api/v1/study-materials/mat-1/progress", json={"percent": 101}), 400, "VALIDATION_FAILED"
    )


def test_a_material_of_another_organisations_directive_is_refused_before_media_is_asked(gateway, fake):
    fake.answer("media", "material", {"material_id": "mat-9", "org_id": "x", "org_path": "/elsewhere/"})
    assert_error(gateway.post("/api/v1/study-materials/mat-9/progress", json={}), 403, "NOT_YOUR_MATERIAL")
    assert fake.called("report_progress") == []


def test_the_secretary_reads_a_page_of_the_branchs_members_with_their_progress(gateway, fake):
    answer = gateway.get("/api/v1/branches/b1/study-progress", params={"directive_id": "d1", "page_size": 2})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [row["name"] for row in body["items"]] == ["李学习", "赵补学"] and body["total"] == 3
    assert body["items"][1]["materials"][0]["state"] == "not_opened"
    ((_, _, args, _),) = fake.called("directive_progress")
    assert args == ("d1", ["m1", "m2"]), "media is asked for the directory's page of members only"
    fake.answer("media", "directive", {"directive_id": "d2", "org_id": "x", "org_path": "/elsewhere/"})
    assert_error(
        gateway.get("/api/v1/branches/b1/study-progress", params={"directive_id": "d2"}),
        422,
        "DIRECTIVE_NOT_FOR_BRANCH",
    )
