"""Study progress on RabbitMQ and PostgreSQL: members report opening, watching and finishing a directive's micro
lessons and texts; progress only goes forward; the branch's secretary sees per member not opened, opened or
finished with when."""

import pytest

from partyday_common.errors import DomainError
from tests.fixtures import media_corpus
from tests.services.test_media import _published_directive, call, incoming, media  # noqa: F401 (the fixture)


@pytest.fixture
def service(media):  # noqa: F811 (the media service, started)
    return media


def _refused(code, *args, **kwargs):
    with pytest.raises(DomainError) as raised:
        call(*args, **kwargs)
    assert raised.value.code == code, raised.value


def test_members_progress_only_goes_forward_and_the_secretary_sees_each_member_per_material(service):
    _published_directive(service)
    text = call(service, "add_text_material", "d-1", {"title": "党章第一章", "text": "第一条……"})
    lesson = call(service, "add_file_material", "d-1", "微党课", incoming(media_corpus.mp4(600)))
    at = "2026-12-08T20:00:00+08:00"

    opened = call(service, "report_progress", lesson["material_id"], "m-1", {"position_s": 300}, now=at)
    assert (opened["state"], opened["percent"], opened["kind"]) == ("opened", 50.0, "video")
    _refused("LESSON_NOT_WATCHED", service, "report_progress", lesson["material_id"], "m-1", {"finished": True})
    back = call(service, "report_progress", lesson["material_id"], "m-1", {"position_s": 20}, idempotency_key="p-1")
    assert (back["state"], back["percent"], back["opened_at"]) == ("opened", 50.0, opened["opened_at"])
    again = call(service, "report_progress", lesson["material_id"], "m-1", {"position_s": 20}, idempotency_key="p-1")
    assert again == back, "a repeat with its key gets the first answer"
    finished = call(
        service,
        "report_progress",
        lesson["material_id"],
        "m-1",
        {"position_s": 600, "finished": True},
        now="2026-12-08T20:10:00+08:00",
    )
    assert finished["state"] == "finished" and finished["percent"] == 100.0
    assert call(service, "report_progress", lesson["material_id"], "m-1", {"position_s": 0})["state"] == "finished"
    call(service, "report_progress", text["material_id"], "m-2", {}, now=at)

    _refused("VALIDATION_FAILED", service, "report_progress", lesson["material_id"], "m-1", {"percent": 101})
    _refused("VALIDATION_FAILED", service, "report_progress", lesson["material_id"], "m-1", {"seconds": 1})
    _refused("PROGRESS_NOT_APPLICABLE", service, "report_progress", text["material_id"], "m-1", {"percent": 5})
    _refused("POSITION_OUT_OF_RANGE", service, "report_progress", lesson["material_id"], "m-3", {"position_s": 900})
    _refused("STUDY_MATERIAL_NOT_FOUND", service, "report_progress", "nope", "m-1", {})

    seen = call(service, "directive_progress", "d-1", ["m-1", "m-2", "m-3"])
    assert [m["material_id"] for m in seen["materials"]] == [text["material_id"], lesson["material_id"]]
    states = {member: [line["state"] for line in lines] for member, lines in seen["members"].items()}
    assert states == {
        "m-1": ["not_opened", "finished"],
        "m-2": ["opened", "not_opened"],
        "m-3": ["not_opened", "not_opened"],
    }, "a refused report opens nothing"
    assert seen["members"]["m-1"][1]["finished_at"] == finished["finished_at"]
    mine = call(service, "member_progress", "m-1", [lesson["material_id"], text["material_id"]])
    assert (mine[lesson["material_id"]]["state"], mine[text["material_id"]]["state"]) == ("finished", "not_opened")
    _refused("MEMBERS_INVALID", service, "directive_progress", "d-1", ["m"] * 501)
    _refused("DIRECTIVE_NOT_FOUND", service, "directive_progress", "d-9", ["m-1"])
