"""The rules of make-up study (attendance) and of study progress (media), as plain functions."""

from datetime import datetime, timedelta, timezone

import pytest

from partyday_attendance import makeups
from partyday_attendance.settings import AttendanceSettings
from partyday_common.errors import DomainError
from partyday_gateway.documents import makeup_label
from partyday_media.study_progress import MIN_PERCENT_TO_FINISH, advance

CLOSED = datetime(2026, 12, 7, 16, 0, tzinfo=timezone.utc)
T0 = datetime(2026, 12, 8, 1, 0, tzinfo=timezone.utc)


def test_a_make_up_is_due_the_setting_days_after_the_close_fourteen_by_default(monkeypatch):
    monkeypatch.delenv("PARTYDAY_ATTENDANCE_MAKEUP_DUE_DAYS", raising=False)
    assert AttendanceSettings().attendance_makeup_due_days == 14
    monkeypatch.setenv("PARTYDAY_ATTENDANCE_MAKEUP_DUE_DAYS", "7")
    assert AttendanceSettings().attendance_makeup_due_days == 7
    assert makeups.due_at(CLOSED, 14) == CLOSED + timedelta(days=14)


def test_a_make_up_is_overdue_only_after_its_due_instant_and_done_or_withdrawn_stay_so():
    due = makeups.due_at(CLOSED, 14)
    assert makeups.state("assigned", due, due) == "assigned"
    assert makeups.state("assigned", due, due + timedelta(seconds=1)) == "overdue"
    assert makeups.state("done", due, due + timedelta(days=30)) == "done"
    assert makeups.state("withdrawn", due, due + timedelta(days=30)) == "withdrawn"


@pytest.mark.parametrize(
    "text, code",
    [
        (None, "MAKEUP_REFLECTION_REQUIRED"),
        ("学" * (makeups.MIN_REFLECTION_CHARS - 1), "MAKEUP_REFLECTION_TOO_SHORT"),
        (" 学 " * (makeups.MIN_REFLECTION_CHARS - 1), "MAKEUP_REFLECTION_TOO_SHORT"),
        ("学" * (makeups.MAX_REFLECTION_CHARS + 1), "MAKEUP_REFLECTION_TOO_LONG"),
    ],
)
def test_a_make_up_is_completed_by_a_reflection_of_enough_words(text, code):
    with pytest.raises(DomainError) as raised:
        makeups.check_reflection(text)
    assert raised.value.code == code


def test_a_reflection_long_enough_is_kept_stripped():
    assert makeups.check_reflection("  " + "学" * makeups.MIN_REFLECTION_CHARS + "\n") == "学" * 30


def _refused(code, *args):
    with pytest.raises(DomainError) as raised:
        advance(*args)
    assert raised.value.code == code
    return raised.value


def test_progress_never_goes_back_and_the_first_opening_is_kept():
    opened = advance(None, "video", 600.0, {"position_s": 300.0}, T0)
    assert (opened["opened_at"], opened["position_s"], opened["percent"]) == (T0, 300.0, 50.0)
    back = advance(opened, "video", 600.0, {"position_s": 60.0}, T0 + timedelta(minutes=5))
    assert (back["opened_at"], back["position_s"], back["percent"]) == (T0, 300.0, 50.0), "seeking back keeps it"
    assert advance(back, "video", 600.0, {"percent": 70.0}, T0)["percent"] == 70.0
    assert advance(back, "video", 600.0, {}, T0) == back, "a report repeated changes nothing"


def test_a_lesson_is_finished_only_once_enough_of_it_was_watched_and_stays_finished():
    half = advance(None, "video", 600.0, {"position_s": 300.0}, T0)
    refused = _refused("LESSON_NOT_WATCHED", half, "video", 600.0, {"finished": True}, T0)
    assert refused.details["min_percent"] == MIN_PERCENT_TO_FINISH
    done = advance(half, "video", 600.0, {"position_s": 590.0, "finished": True}, T0 + timedelta(minutes=10))
    assert done["finished_at"] == T0 + timedelta(minutes=10)
    later = advance(done, "video", 600.0, {"position_s": 10.0, "finished": True}, T0 + timedelta(days=1))
    assert later["finished_at"] == done["finished_at"], "finishing is kept, not moved"


def test_a_text_is_opened_and_finished_without_a_position_and_bad_input_is_refused():
    read = advance(None, "text", None, {"finished": True}, T0)
    assert read["finished_at"] == T0 and read["percent"] is None
    _refused("PROGRESS_NOT_APPLICABLE", None, "text", None, {"percent": 10.0}, T0)
    _refused("PROGRESS_NOT_APPLICABLE", None, "document", None, {"position_s": 10.0}, T0)
    _refused("POSITION_OUT_OF_RANGE", None, "video", 600.0, {"position_s": 700.0}, T0)
    assert advance(None, "video", 600.0, {"position_s": 601.0}, T0)["percent"] == 100.0, "a second's tolerance"


def test_the_printed_sheet_shows_an_absent_members_make_up_in_the_branchs_time_zone():
    due, done = "2026-12-21T16:00:00+00:00", "2026-12-10T17:00:00+00:00"
    zone = "Asia/Shanghai"
    assert makeup_label(None, zone) == ""
    assert makeup_label({"state": "assigned", "due_at": due, "completed_at": None, "late": False}, zone) == (
        "待补学（2026-12-22前）"
    )
    assert makeup_label({"state": "overdue", "due_at": due, "completed_at": None, "late": False}, zone) == (
        "补学逾期（应于2026-12-22前）"
    )
    assert makeup_label({"state": "done", "due_at": due, "completed_at": done, "late": False}, zone) == (
        "已补学 2026-12-11"
    )
    assert makeup_label({"state": "done", "due_at": due, "completed_at": done, "late": True}, zone).endswith(
        "逾期完成）"
    )
