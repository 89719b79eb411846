from partyday_gateway.routes.archive import HAVES, six_haves

BRANCH = {
    "branch_id": "b1",
    "name": "一支部",
    "year": 2026,
    "task_list_items": 3,
    "plan": {"plan_id": "p1", "status": "summarized", "activity_id": "a1", "summary_submitted": True},
    "directives": [{"directive_id": "d1", "theme": "学党章", "study_materials": ["党章第一章"]}],
}
MEDIA = {
    "photos": {"approved": 2, "pending": 1, "rejected": 0},
    "approved_photo_links": ["/api/v1/media/x1", "/api/v1/media/x2"],
    "study_notes": {"count": 1, "links": ["/api/v1/study-notes/n1"]},
    "study_materials": [
        {"material_id": "s1", "title": "微党课", "directive_id": "d1", "url": "/api/v1/study-materials/s1"},
        {"material_id": "s2", "title": "党章导读", "directive_id": "d1", "url": None},
    ],
}
SHEET = {"closed": True, "signed_in": 12, "reflections": 10}


def test_a_complete_month_has_all_six_haves_each_linked_to_its_source():
    record = six_haves(BRANCH, MEDIA, SHEET)
    assert record["present"] == 6 and all(record["haves"][name]["present"] for name in HAVES)
    haves = record["haves"]
    assert haves["annual_task_list"]["links"] == ["/api/v1/branches/b1/task-lists/2026"]
    assert haves["monthly_plan"]["links"] == ["/api/v1/plans/p1"]
    assert [item["title"] for item in haves["study_materials"]["items"]] == ["党章第一章", "微党课", "党章导读"]
    assert [item.get("link") for item in haves["study_materials"]["items"]] == [
        None,
        "/api/v1/study-materials/s1",
        "/api/v1/study-materials/s2",
    ], "a text opens at its own address as a file does"
    assert haves["study_notes"]["links"] == ["/api/v1/study-notes/n1", "/api/v1/activities/a1/attendance"]
    assert haves["activity_record"]["links"] == ["/api/v1/activities/a1", "/api/v1/media/x1", "/api/v1/media/x2"]
    assert haves["sign_in_sheet"]["links"] == [
        "/api/v1/activities/a1/attendance.pdf",
        "/api/v1/activities/a1/attendance.xlsx",
    ]


def test_a_branch_without_records_has_none_and_no_dead_links():
    empty = {**BRANCH, "task_list_items": 0, "plan": None, "directives": []}
    record = six_haves(empty, None, None)
    assert record["present"] == 0 and record["activity_id"] is None
    assert all(not have["present"] for have in record["haves"].values())
    assert record["haves"]["sign_in_sheet"]["links"] == [] and record["haves"]["activity_record"]["links"] == []


def test_drafts_open_sheets_and_photos_without_a_summary_do_not_count():
    draft = {**BRANCH, "plan": {**BRANCH["plan"], "status": "submitted", "summary_submitted": False}}
    record = six_haves(
        draft, {**MEDIA, "study_notes": {"count": 0, "links": []}}, {"closed": False, "signed_in": 3, "reflections": 0}
    )
    haves = record["haves"]
    assert not haves["monthly_plan"]["present"] and haves["monthly_plan"]["status"] == "submitted"
    assert not haves["activity_record"]["present"], "photos without the summary are not the record"
    assert not haves["sign_in_sheet"]["present"], "a sheet counts once the activity is closed"
    assert not haves["study_notes"]["present"]
    assert record["present"] == 2
