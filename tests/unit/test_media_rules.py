"""Media's rules without a bus or a database: type by content, names, evidence, hashes, the detail score."""

import io
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image

from partyday_common.acts import ACT_EVENT, AdministrativeAct
from partyday_common.errors import DomainError
from partyday_media import detect, images, rules
from partyday_media.expectations import (
    ActivityClosedExpected,
    DirectiveExpected,
    PlanApprovedExpected,
    SummaryExpected,
)
from partyday_media_contracts.events import EVENTS, SUBSCRIBED, DetailScoreChanged, UploadRejected
from tests.fixtures import media_corpus

CST = timezone(timedelta(hours=8))
STARTS = datetime(2026, 12, 7, 9, 0, tzinfo=CST)
VENUE = (33.07, 107.03, 300)


@pytest.mark.parametrize(
    "data, name",
    [
        (media_corpus.jpeg(), "jpeg"),
        (media_corpus.png(), "png"),
        (media_corpus.webp(), "webp"),
        (media_corpus.mp4(), "mp4"),
        (media_corpus.pdf(), "pdf"),
    ],
)
def test_the_type_is_judged_by_the_first_bytes(data, name):
    assert detect.sniff(data[: detect.SNIFF_BYTES]).name == name


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + b"\x00" * 20,
        b"PK\x03\x04" + b"\x00" * 30,
        b"<svg></svg>",
        b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20,
        b"",
        b"MZ\x90\x00",
    ],
)
def test_other_content_is_415(data):
    with pytest.raises(DomainError) as raised:
        detect.sniff(data)
    assert (raised.value.status, raised.value.code) == (415, "UNSUPPORTED_TYPE")


@pytest.mark.parametrize(
    "name", ["../x.jpg", "a/b.jpg", "a\\b.jpg", "..", "x\x00.jpg", "x\u202egpj.exe", "a" * 256 + ".jpg", " . "]
)
def test_names_that_climb_or_hide_are_refused(name):
    with pytest.raises(DomainError) as raised:
        detect.display_name(name)
    assert (raised.value.status, raised.value.code) == (422, "FILENAME_INVALID")


def test_a_plain_name_is_kept_for_display_only():
    assert detect.display_name("党日活动 照片.JPG") == "党日活动 照片.JPG"
    assert detect.display_name(None) is None


def test_evidence_on_the_day_and_near_the_venue():
    verdict = rules.judge_evidence(
        {"taken_at": "2026-12-07T09:40:00+08:00", "lat": 33.0705, "lon": 107.0302}, STARTS, VENUE
    )
    assert verdict["on_activity_day"] is True
    assert verdict["near_venue"] is True
    assert verdict["distance_m"] < 100


def test_evidence_of_another_day_and_place():
    verdict = rules.judge_evidence({"taken_at": "2026-11-07T09:40:00+08:00", "lat": 34.0, "lon": 108.0}, STARTS, VENUE)
    assert verdict["on_activity_day"] is False
    assert verdict["near_venue"] is False


def test_a_capture_time_without_offset_is_read_in_the_activitys_zone():
    late_evening = rules.judge_evidence({"taken_at": "2026-12-07T23:30:00"}, STARTS, VENUE)
    assert late_evening["on_activity_day"] is True
    utc_next_day = rules.judge_evidence({"taken_at": "2026-12-06T17:00:00+00:00"}, STARTS, VENUE)
    assert utc_next_day["on_activity_day"] is True


def test_no_exif_tells_nothing():
    verdict = rules.judge_evidence({}, STARTS, VENUE)
    assert verdict["on_activity_day"] is None and verdict["near_venue"] is None


def test_hashes_within_six_bits_share_two_bands():
    a = "f0f0f0f0f0f0f0f0"
    b = f"{int(a, 16) ^ int('0101010101010000', 16):016x}"
    assert rules.hamming(a, b) == 6
    shared = sum(x == y for x, y in zip(rules.hash_bands(a), rules.hash_bands(b)))
    assert shared >= rules.BANDS_TO_SHARE


def test_the_detail_score_formula():
    assert rules.detail_score(0, 0, ["诵读党章"], set(), False)[0] == 0
    score, breakdown = rules.detail_score(3, 250, ["诵读党章", "缴纳党费"], {"诵读党章", "其他"}, True)
    assert score == round(40 * 3 / 6 + 30 * 250 / 500 + 20 * 1 / 2 + 10)
    assert breakdown["evidenced_actions"] == ["诵读党章"]
    assert rules.detail_score(10, 5000, ["诵读党章"], {"诵读党章"}, True)[0] == 100


def test_without_required_actions_an_approved_photo_gives_the_actions_part():
    assert rules.detail_score(1, 0, [], set(), False)[1]["actions"] == 20
    assert rules.detail_score(0, 0, [], set(), False)[1]["actions"] == 0


def test_detail_score_changed_bounds_the_score():
    with pytest.raises(ValueError):
        DetailScoreChanged(
            activity_id="a",
            branch_id="b",
            branch_path="/b/",
            detail_score=101,
            breakdown={},
            at=datetime.now(timezone.utc),
        )


def test_every_event_media_emits_has_its_model_and_scoring_notifications_and_the_directory_subscribe():
    assert EVENTS == {
        "detail_score_changed": DetailScoreChanged,
        "upload_rejected": UploadRejected,
        ACT_EVENT: AdministrativeAct,
    }
    assert SUBSCRIBED == {"detail_score_changed", "upload_rejected", ACT_EVENT}, "the directory keeps media's acts"


def test_the_events_media_consumes_give_what_it_reads():
    from partyday_attendance_contracts.events import ActivityClosed
    from partyday_plans_contracts.events import DirectivePublished, PlanApproved, PlanEvent

    for produced, expected in [
        (PlanApproved, PlanApprovedExpected),
        (PlanEvent, SummaryExpected),
        (ActivityClosed, ActivityClosedExpected),
        (DirectivePublished, DirectiveExpected),
    ]:
        missing = set(expected.model_fields) - set(produced.model_fields)
        assert not missing, f"{produced.__name__} lacks {missing}"


# --- reuse: flat pictures and what a caller may see of another branch's uploads --------------------------------


def test_a_flat_picture_is_told_from_a_photo():
    assert rules.is_flat([200] * 1024)
    assert rules.is_flat([200, 201, 199, 200] * 256)
    assert not rules.is_flat(list(range(256)) * 4)


@pytest.mark.parametrize("color", [(255, 255, 255), (0, 0, 0), (200, 30, 30)], ids=["white", "black", "red"])
def test_a_single_colour_photo_has_no_perceptual_hash_to_be_matched_by(color):
    flat = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(flat, "JPEG", quality=85)
    assert images.process(flat.getvalue(), "jpeg", 10_000_000).phash is None
    assert images.process(media_corpus.jpeg(pattern=2), "jpeg", 10_000_000).phash is not None


DUPLICATES = [
    {
        "media_id": "m1",
        "activity_id": "a1",
        "branch_id": "b1",
        "branch_path": "/c/x/b1/",
        "match": "exact",
        "distance": 0,
        "status": "approved",
        "same_branch": False,
        "other_activity": True,
    },
    {
        "media_id": "m2",
        "activity_id": "a2",
        "branch_id": "b2",
        "branch_path": "/c/y/b2/",
        "match": "near",
        "distance": 3,
        "status": "pending",
        "same_branch": False,
        "other_activity": True,
    },
]


def test_duplicates_are_named_only_inside_the_subtrees_the_caller_reads():
    shown = rules.duplicates_seen_from(DUPLICATES, ["/c/x/"])
    assert shown[0] == DUPLICATES[0]
    assert shown[1] == {
        "match": "near",
        "distance": 3,
        "other_activity": True,
        "same_branch": False,
        "elsewhere": "also used elsewhere",
    }
    assert rules.duplicates_seen_from(DUPLICATES, ["/c/"]) == DUPLICATES
    assert [set(item) for item in rules.duplicates_seen_from(DUPLICATES, [])] == [set(shown[1])] * 2
    assert "m1" not in str(rules.duplicates_seen_from(DUPLICATES, ["", "/c/x/b10/"]))
