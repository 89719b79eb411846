"""Uploads through the gateway with every service running: the hostile corpus, EXIF evidence,
served copies, review by a superior, and the detail score reaching the activity's score."""

import io
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from tests.e2e.helpers import wait_for
from tests.fixtures import media_corpus

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000", "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1"}
PASSWORD = "media-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}
ACTION = "诵读党章"


@pytest.fixture(scope="module")
def party_day(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()

    county = stack.create_org(root["org_id"], "county", "县")
    town = stack.create_org(county, "township", "镇")
    branch = stack.create_org(town, "branch", "一支部")
    secretary, plain = stack.create_member(branch, PASSWORD), stack.create_member(branch, PASSWORD)
    granted = http.post(
        "/api/v1/role-grants",
        headers=admin,
        json={"member_id": secretary["member_id"], "role": "branch_admin", "org_id": branch},
    )
    assert granted.status_code == 201, granted.text
    now = datetime.now(timezone.utc)
    month = now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    directive = http.post(
        "/api/v1/directives",
        headers=admin,
        json={"org_id": county, "month": month, "theme": "学党章", "required_actions": [ACTION]},
    )
    assert directive.status_code == 201, directive.text
    plan = http.post(
        "/api/v1/plans",
        headers=admin,
        json={
            "branch_id": branch,
            "month": month,
            "theme": "主题党日",
            "required_actions": [ACTION],
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(seconds=5)).isoformat(),
            "venue": VENUE,
            "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0},
        },
    )
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["plan_id"]
    assert http.post(f"/api/v1/plans/{plan_id}/submit", headers=admin).status_code == 200
    approved = http.post(f"/api/v1/plans/{plan_id}/approve", headers=admin)
    assert approved.status_code == 200, approved.text
    activity_id = approved.json()["activity_id"]
    wait_for(lambda: http.get(f"/api/v1/activities/{activity_id}/media", headers=admin).status_code == 200)
    return {
        "activity_id": activity_id,
        "branch": branch,
        "town": town,
        "month": month,
        "secretary": secretary,
        "member": plain,
        "directive_id": directive.json()["directive_id"],
        "now": now,
    }


def upload(stack, activity_id, headers, data, filename="photo.jpg", content_type="image/jpeg", **fields):
    return stack.http.post(
        f"/api/v1/activities/{activity_id}/media",
        headers=headers,
        files={"file": (filename, data, content_type)},
        data=fields,
    )


def test_the_hostile_corpus_is_refused_with_its_codes(stack, party_day):
    secretary = party_day["secretary"]["headers"]
    for hostile in media_corpus.hostile_corpus():
        answer = upload(
            stack, party_day["activity_id"], secretary, hostile.data, hostile.filename, hostile.content_type
        )
        assert answer.status_code == hostile.status, (hostile.name, answer.text)
        assert answer.json()["error"]["code"] == hostile.code, hostile.name
    not_multipart = stack.http.post(
        f"/api/v1/activities/{party_day['activity_id']}/media", headers=secretary, content=media_corpus.jpeg()
    )
    assert not_multipart.status_code == 415 and not_multipart.json()["error"]["code"] == "MULTIPART_REQUIRED"
    queue = stack.http.get("/api/v1/media", params={"org_id": party_day["town"]}, headers=stack.admin).json()
    assert queue["total"] == 0


def test_upload_review_and_the_activitys_score(stack, party_day):
    http, admin, activity_id = stack.http, stack.admin, party_day["activity_id"]
    secretary, member = party_day["secretary"]["headers"], party_day["member"]["headers"]
    wait_for(lambda: http.get(f"/api/v1/activities/{activity_id}/score", headers=admin).json()["status"] == "scored")
    before = http.get(f"/api/v1/activities/{activity_id}/score", headers=admin).json()
    assert http.get(f"/api/v1/activities/{activity_id}/media", headers=admin).json()["detail_score"] == 10

    taken = party_day["now"].astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y:%m:%d %H:%M:%S")
    photo = media_corpus.jpeg(width=800, height=600, taken_at=taken, offset="+08:00", gps=(33.0702, 107.0301))
    assert upload(stack, activity_id, member, photo).status_code == 403
    sent = upload(stack, activity_id, secretary, photo, "党日 照片.JPG", caption="全体党员诵读党章", action=ACTION)
    assert sent.status_code == 201, sent.text
    media_id = sent.json()["media_id"]
    assert sent.json()["status"] == "pending" and sent.json()["possible_forgery"] is False

    queue = http.get("/api/v1/media", params={"org_id": party_day["town"]}, headers=admin).json()
    item = next(item for item in queue["items"] if item["media_id"] == media_id)
    assert item["evidence"]["on_activity_day"] is True and item["evidence"]["near_venue"] is True
    assert item["original_name"] == "党日 照片.JPG" and item["action"] == ACTION

    served = http.get(f"/api/v1/media/{media_id}", headers=secretary)
    assert served.status_code == 200 and served.headers["content-disposition"].startswith("attachment;")
    assert media_id in served.headers["content-disposition"] and served.headers["x-content-type-options"] == "nosniff"
    assert not Image.open(io.BytesIO(served.content)).getexif()
    thumbnail = http.get(f"/api/v1/media/{media_id}/thumbnail", headers=secretary)
    assert thumbnail.status_code == 200 and max(Image.open(io.BytesIO(thumbnail.content)).size) == 320
    assert http.get(f"/api/v1/media/{media_id}", headers=member).status_code == 403

    own = http.post(f"/api/v1/media/{media_id}/approve", headers=secretary)
    assert own.status_code == 403
    approved = http.post(f"/api/v1/media/{media_id}/approve", headers=admin)
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    assert http.get(f"/api/v1/media/{media_id}/web", headers=member).status_code == 200

    expected = round(40 / 6 + 20 + 10)
    wait_for(
        lambda: http.get(f"/api/v1/activities/{activity_id}/media", headers=admin).json()["detail_score"] == expected
    )
    after = wait_for(
        lambda: (
            lambda score: (
                score if score["indicators"]["upload_detail"] != before["indicators"]["upload_detail"] else None
            )
        )(http.get(f"/api/v1/activities/{activity_id}/score", headers=admin).json())
    )
    assert after["indicators"]["upload_detail"] == pytest.approx(expected / 100)
    assert after["total"] > before["total"]

    reused = upload(stack, activity_id, secretary, media_corpus.resized(photo))
    assert reused.status_code == 201 and reused.json()["duplicates"][0]["match"] == "near"
    rejected = http.post(f"/api/v1/media/{reused.json()['media_id']}/reject", headers=admin, json={"reason": "重复"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["reject_reason"] == "重复"
    records = http.get(f"/api/v1/activities/{activity_id}/media", headers=member).json()
    assert [item["media_id"] for item in records["items"]] == [media_id]


def test_study_materials_and_notes(stack, party_day):
    http, admin = stack.http, stack.admin
    secretary, member = party_day["secretary"]["headers"], party_day["member"]["headers"]
    directive, branch, month = party_day["directive_id"], party_day["branch"], party_day["month"]
    text = {"title": "党章第一章", "text": "中国共产党是中国工人阶级的先锋队……"}
    wait_for(
        lambda: http.post(f"/api/v1/directives/{directive}/materials/text", headers=admin, json=text).status_code == 201
    )
    lesson_form = {"files": {"file": ("lesson.mp4", media_corpus.mp4(1200), "video/mp4")}, "data": {"title": "微党课"}}
    keyed = {**admin, "Idempotency-Key": uuid.uuid4().hex}
    lesson = http.post(f"/api/v1/directives/{directive}/materials", headers=keyed, **lesson_form)
    assert lesson.status_code == 201 and lesson.json()["kind"] == "video", lesson.text
    assert http.post(f"/api/v1/directives/{directive}/materials", headers=keyed, **lesson_form).json() == lesson.json()
    assert (
        http.post(
            f"/api/v1/directives/{directive}/materials/text", headers=secretary, json={"title": "x", "text": "y"}
        ).status_code
        == 403
    )
    package = http.get(f"/api/v1/directives/{directive}/materials", headers=admin).json()
    assert [item["kind"] for item in package["items"]] == ["text", "video"] and package["total"] == 2
    second = http.get(f"/api/v1/directives/{directive}/materials", headers=admin, params={"page": 2, "page_size": 1})
    assert [item["kind"] for item in second.json()["items"]] == ["video"]
    assert http.get(f"/api/v1/directives/{directive}/materials", headers=member).status_code == 403
    materials = http.get(f"/api/v1/branches/{branch}/months/{month}/materials", headers=member).json()["items"]
    assert [item["title"] for item in materials] == ["党章第一章", "微党课"]
    opened = http.get(materials[1]["url"], headers=member)
    assert opened.status_code == 200 and opened.content[4:8] == b"ftyp"
    assert "attachment" in opened.headers["content-disposition"]
    seek = http.get(materials[1]["url"], headers={**member, "Range": "bytes=4-7"})
    assert seek.status_code == 206 and seek.content == b"ftyp"

    note = http.post(
        f"/api/v1/branches/{branch}/months/{month}/study-notes",
        headers=member,
        json={"text": "学习党章，坚定理想信念，做合格党员。"},
    )
    assert note.status_code == 201, note.text
    assert (
        http.post(
            f"/api/v1/branches/{branch}/months/{month}/study-notes",
            headers=admin,
            json={"text": "学习党章，坚定理想信念，做合格党员。"},
        ).status_code
        == 403
    )
    listed = http.get(f"/api/v1/branches/{branch}/months/{month}/study-notes", headers=secretary).json()
    assert listed["total"] == 1 and http.get(note.json()["url"], headers=secretary).status_code == 200


def test_another_countys_uploads_are_only_also_used_elsewhere_and_flat_pictures_are_not_reuse(stack, party_day):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    other_county = stack.create_org(root["org_id"], "county", "邻县")
    other_branch = stack.create_org(stack.create_org(other_county, "township", "邻镇"), "branch", "邻支部")
    other_admin = stack.create_member(other_branch, PASSWORD)
    stack.grant(other_admin, "org_admin", other_county)
    now = datetime.now(timezone.utc)
    other_activity = stack.approved_activity(
        other_branch, now - timedelta(hours=2), now - timedelta(hours=1), theme="主题党日", venue=VENUE
    )
    photo, blank = media_corpus.jpeg(pattern=8), media_corpus.flat_jpeg(640, 480)
    secretary = party_day["secretary"]["headers"]
    original = upload(stack, party_day["activity_id"], secretary, photo)
    assert original.status_code == 201, original.text
    assert upload(stack, party_day["activity_id"], secretary, blank).status_code == 201

    reused = upload(stack, other_activity, other_admin["headers"], photo)
    assert reused.status_code == 201 and reused.json()["possible_forgery"] is True
    assert reused.json()["duplicates"] == [
        {
            "match": "exact",
            "distance": 0,
            "other_activity": True,
            "same_branch": False,
            "elsewhere": "also used elsewhere",
        }
    ]
    shown = http.get(f"/api/v1/media/{reused.json()['media_id']}/details", headers=other_admin["headers"]).json()
    assert original.json()["media_id"] not in str(shown) and party_day["branch"] not in str(shown)
    by_the_city = http.get(f"/api/v1/media/{reused.json()['media_id']}/details", headers=admin).json()
    assert by_the_city["duplicates"][0]["media_id"] == original.json()["media_id"]

    flat = upload(stack, other_activity, other_admin["headers"], media_corpus.flat_jpeg(800, 600))
    assert flat.status_code == 201 and flat.json()["duplicates"] == [] and flat.json()["possible_forgery"] is False
