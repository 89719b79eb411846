"""From an approved plan to a signed sheet, through the gateway with every service running, in real time."""

import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import wait_for

# Closing runs every second, and one absence flags a member, so that a party day missed is flagged within the test.
STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    "PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S": "1",
    "PARTYDAY_ABSENCE_FLAG_AFTER": "1",
}
PASSWORD = "attend-pass-1"
VENUE = {"name": "党员活动室", "lat": 33.0700, "lon": 107.0300, "radius_m": 300}


@pytest.fixture(scope="module")
def party_day(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()

    county = stack.create_org(root["org_id"], "county", "县")
    town = stack.create_org(county, "township", "镇")
    branch, elsewhere = stack.create_org(town, "branch", "一支部"), stack.create_org(town, "branch", "二支部")
    secretary = stack.create_member(branch, PASSWORD)
    stack.grant(secretary, "branch_admin", branch)
    people = {
        "secretary": secretary,
        "member": stack.create_member(branch, PASSWORD),
        "mobile": stack.create_member(branch, PASSWORD, mobile=True),
        "stranger": stack.create_member(elsewhere, PASSWORD),
    }
    # A short party day, so that signing out is reached: sign-in closes at its end, and the tests that sign in
    # come before the one that waits for it.
    now = datetime.now(timezone.utc)
    activity_id = stack.approved_activity(
        branch, now - timedelta(minutes=1), now + timedelta(seconds=45), theme="主题党日", venue=VENUE
    )
    return {
        "activity_id": activity_id,
        "people": people,
        "ends_at": now + timedelta(seconds=45),
        "branch": branch,
        "others": [elsewhere],
    }


def scan_body(token, **changes):
    return {
        "token": token,
        "lat": VENUE["lat"],
        "lon": VENUE["lon"],
        "accuracy_m": 12,
        "device_id": "phone",
        "nonce": uuid.uuid4().hex,
        **changes,
    }


def test_a_stranger_invited_as_a_guest_may_sign_in(stack, party_day):
    http, activity, people = stack.http, party_day["activity_id"], party_day["people"]
    secretary, stranger = people["secretary"]["headers"], stack.create_member(party_day["others"][0], PASSWORD)
    invite = {"member_id": stranger["member_id"]}
    assert (
        http.post(f"/api/v1/activities/{activity}/guests", headers=people["member"]["headers"], json=invite).status_code
        == 403
    )
    invited = http.post(f"/api/v1/activities/{activity}/guests", headers=secretary, json=invite)
    assert invited.status_code == 201 and invited.json()["guest"] is True, invited.text
    again = http.post(f"/api/v1/activities/{activity}/guests", headers=secretary, json=invite)
    assert again.status_code == 409 and again.json()["error"]["code"] == "ALREADY_ON_SHEET"
    unknown = http.post(f"/api/v1/activities/{activity}/guests", headers=secretary, json={"member_id": "nobody"})
    assert unknown.status_code == 404
    code = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=secretary).json()
    signed = http.post(
        f"/api/v1/activities/{activity}/check-in", headers=stranger["headers"], json=scan_body(code["token"])
    )
    assert signed.status_code == 200 and signed.json()["status"] == "signed_in", signed.text
    removed = http.delete(f"/api/v1/activities/{activity}/guests/{stranger['member_id']}", headers=secretary)
    assert removed.status_code == 409 and removed.json()["error"]["code"] == "GUEST_SIGNED_IN"


def test_offline_scans_through_the_gateway(stack, party_day):
    http, activity, people = stack.http, party_day["activity_id"], party_day["people"]
    code = http.get(
        f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=people["secretary"]["headers"]
    ).json()
    scanned = (datetime.now(timezone.utc) - timedelta(seconds=30)).isoformat()
    batch = [{**scan_body(code["token"]), "activity_id": activity, "kind": "sign_in", "scanned_at": scanned}]
    answer = http.post("/api/v1/attendance/offline-batch", headers=people["secretary"]["headers"], json=batch)
    assert answer.status_code == 200, answer.text
    assert answer.json()[0]["status"] == "signed_in" and answer.json()[0]["sent_late"] is True
    bad = http.post(
        "/api/v1/attendance/offline-batch", headers=people["secretary"]["headers"], json=[{"activity_id": activity}]
    )
    assert bad.status_code == 400


def test_a_superior_audits_every_attempt_with_its_evidence(stack, party_day):
    http, activity, people = stack.http, party_day["activity_id"], party_day["people"]
    secretary = people["secretary"]["headers"]
    token = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=secretary).json()["token"]
    far = scan_body(token, lat=VENUE["lat"] + 0.02, accuracy_m=30, device_id="far-phone")
    assert (
        http.post(f"/api/v1/activities/{activity}/check-in", headers=people["mobile"]["headers"], json=far).json()[
            "error"
        ]["code"]
        == "GEOFENCE_OUTSIDE"
    )
    log = http.get(
        f"/api/v1/activities/{activity}/scans",
        headers=stack.admin,
        params={"outcome": "refused", "member_id": people["mobile"]["member_id"]},
    )
    assert log.status_code == 200, log.text
    attempt = next(row for row in log.json()["items"] if row["nonce"] == far["nonce"])
    assert (
        attempt["accepted"],
        attempt["reason"],
        attempt["device_id"],
        attempt["accuracy_m"],
        attempt["client_ip"],
        attempt["kind"],
    ) == (False, "GEOFENCE_OUTSIDE", "far-phone", 30, "127.0.0.1", "sign_in")
    assert attempt["lat"] == far["lat"] and attempt["token_id"] and attempt["details"]["distance_m"] > 2000
    everything = http.get(f"/api/v1/activities/{activity}/scans", headers=stack.admin).json()
    assert everything["outcomes"]["GEOFENCE_OUTSIDE"] >= 1
    assert everything["total"] == sum(everything["outcomes"].values())
    for who in (people["member"]["headers"], secretary):
        refused = http.get(f"/api/v1/activities/{activity}/scans", headers=who)
        assert refused.status_code == 403, "the branch's own admin keeps the record audited, and does not audit it"
    assert (
        http.get(f"/api/v1/activities/{activity}/scans", headers=stack.admin, params={"outcome": "maybe"}).status_code
        == 400
    )


def test_the_branch_prints_its_code_and_members_sign_in_and_out(stack, party_day):
    http, activity, people = stack.http, party_day["activity_id"], party_day["people"]
    secretary = people["secretary"]["headers"]
    code = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=secretary).json()
    assert code["url"].endswith(code["token"]) and code["expires_at"]
    png = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "png"}, headers=secretary)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "svg"}, headers=secretary)
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert http.get(f"/api/v1/activities/{activity}/qr", headers=people["member"]["headers"]).status_code == 403

    body = scan_body(code["token"])
    signed = http.post(f"/api/v1/activities/{activity}/check-in", headers=people["member"]["headers"], json=body)
    assert signed.status_code == 200 and signed.json()["status"] == "signed_in", signed.text
    repeated = http.post(f"/api/v1/activities/{activity}/check-in", headers=people["member"]["headers"], json=body)
    assert repeated.json() == signed.json()
    far = http.post(
        f"/api/v1/activities/{activity}/check-in",
        headers=people["mobile"]["headers"],
        json=scan_body(code["token"], lat=VENUE["lat"] + 0.01),
    )
    assert far.status_code == 422 and far.json()["error"]["code"] == "GEOFENCE_OUTSIDE"
    stranger = http.post(
        f"/api/v1/activities/{activity}/check-in", headers=people["stranger"]["headers"], json=scan_body(code["token"])
    )
    assert stranger.status_code == 403 and stranger.json()["error"]["code"] == "NOT_EXPECTED"
    forged = http.post(
        f"/api/v1/activities/{activity}/check-in",
        headers=people["mobile"]["headers"],
        json=scan_body(code["token"][:-2] + "xx"),
    )
    assert forged.json()["error"]["code"] == "TOKEN_INVALID"
    early = http.post(
        f"/api/v1/activities/{activity}/check-out",
        headers=people["member"]["headers"],
        json=scan_body(code["token"], reflection="今天的学习让我收获很多体会"),
    )
    assert early.json()["error"]["code"] == "TOO_EARLY"

    time.sleep(max(0.0, (party_day["ends_at"] - datetime.now(timezone.utc)).total_seconds()) + 1)
    unseen = http.post(
        f"/api/v1/activities/{activity}/check-out",
        headers=people["member"]["headers"],
        json=scan_body(code["token"], reflection="很好" + "\u200b\u200d\ufeff\u2060" * 5 + "\u3000" * 5),
    )
    assert unseen.status_code == 422 and unseen.json()["error"]["code"] == "REFLECTION_REQUIRED", unseen.text
    out = http.post(
        f"/api/v1/activities/{activity}/check-out",
        headers=people["member"]["headers"],
        json=scan_body(code["token"], reflection="今天的学习让我收获很多体会"),
    )
    assert out.status_code == 200 and out.json()["status"] == "signed_out", out.text
    for path, body, who in (
        (f"/api/v1/activities/{activity}/comments", {"text": "\u200b" * 30}, people["member"]["headers"]),
        (f"/api/v1/activities/{activity}/summary", {"text": "\u2060\u200c" * 200}, secretary),
    ):
        refused = http.post(path, headers=who, json=body)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "TEXT_NOT_VISIBLE", refused.text

    sheet = http.get(f"/api/v1/activities/{activity}/attendance", headers=secretary).json()
    statuses = {row["member_id"]: row["status"] for row in sheet["members"]}
    assert statuses[people["member"]["member_id"]] == "signed_out"
    assert statuses[people["mobile"]["member_id"]] == "expected"
    assert http.get(f"/api/v1/activities/{activity}/attendance", headers=people["member"]["headers"]).status_code == 403
    detail = http.get(f"/api/v1/activities/{activity}", headers=people["member"]["headers"]).json()
    assert detail["plan"]["venue"]["name"] == "党员活动室" and detail["branch_id"] == party_day["branch"]


def test_the_poster_and_the_sheet_print_as_pdf(stack, party_day):
    import io

    from pypdf import PdfReader

    http, activity, people = stack.http, party_day["activity_id"], party_day["people"]
    secretary = people["secretary"]["headers"]
    poster = http.get(f"/api/v1/activities/{activity}/qr", params={"format": "pdf"}, headers=secretary)
    assert poster.status_code == 200 and poster.headers["content-type"] == "application/pdf", poster.text
    assert poster.headers["content-disposition"] == f'attachment; filename="checkin-{activity}.pdf"'
    text = PdfReader(io.BytesIO(poster.content)).pages[0].extract_text()
    assert "一支部" in text and "主题党日" in text and "党员活动室" in text
    rotating = http.get(
        f"/api/v1/activities/{activity}/qr", params={"format": "pdf", "rotating": "true"}, headers=secretary
    )
    assert rotating.status_code == 422 and rotating.json()["error"]["code"] == "ROTATING_NOT_PRINTABLE"
    assert (
        http.get(
            f"/api/v1/activities/{activity}/qr", params={"format": "pdf"}, headers=people["member"]["headers"]
        ).status_code
        == 403
    )
    sheet = http.get(f"/api/v1/activities/{activity}/attendance.pdf", headers=secretary)
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert "一支部 主题党日签到表" in PdfReader(io.BytesIO(sheet.content)).pages[0].extract_text()
    assert http.get(f"/api/v1/activities/{activity}/attendance.doc", headers=secretary).status_code == 400


def test_leave_after_the_start_is_refused(stack, party_day):
    answer = stack.http.post(
        f"/api/v1/activities/{party_day['activity_id']}/leave-requests",
        headers=party_day["people"]["mobile"]["headers"],
        json={"reason": "出差"},
    )
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "LEAVE_TOO_LATE"


def test_the_sign_in_sheet_exports_to_excel(stack, party_day):
    import io

    from openpyxl import load_workbook

    answer = stack.http.get(
        f"/api/v1/activities/{party_day['activity_id']}/attendance.xlsx",
        headers=party_day["people"]["secretary"]["headers"],
    )
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "一支部 主题党日：主题党日"
    assert rows[2] == ("姓名", "类别", "状态", "签到时间", "签退时间", "离线补传", "补学")
    assert sorted(row[2] for row in rows[3:]).count("已签退") == 1
    assert (
        stack.http.get(
            f"/api/v1/activities/{party_day['activity_id']}/attendance.xlsx",
            headers=party_day["people"]["member"]["headers"],
        ).status_code
        == 403
    )


def test_a_spot_check_gathers_a_branchs_records_in_one_answer(stack, party_day):
    month = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    named = stack.http.post(
        "/api/v1/spot-checks", headers=stack.admin, json={"month": month, "branch_ids": [party_day["branch"]]}
    )
    assert named.status_code == 200, named.text
    [record] = named.json()["branches"]
    assert record["plan"]["activity_id"] == party_day["activity_id"]
    assert record["attendance"]["expected"] == 3 and record["attendance"]["by_status"]["signed_out"] == 1
    assert record["attendance"]["guests"] == 1
    town = stack.http.get(f"/api/v1/orgs/{party_day['branch']}", headers=stack.admin).json()["parent_id"]
    sampled = stack.http.post(
        "/api/v1/spot-checks", headers=stack.admin, json={"month": month, "org_id": town, "sample_size": 5}
    )
    assert {r["branch_id"] for r in sampled.json()["branches"]} <= {party_day["branch"], *party_day["others"]}
    assert len(sampled.json()["branches"]) == 1 + len(party_day["others"])
    refused = stack.http.post(
        "/api/v1/spot-checks",
        headers=party_day["people"]["member"]["headers"],
        json={"month": month, "branch_ids": [party_day["branch"]]},
    )
    assert refused.status_code == 403
    both = stack.http.post(
        "/api/v1/spot-checks",
        headers=stack.admin,
        json={"month": month, "branch_ids": [party_day["branch"]], "org_id": town, "sample_size": 2},
    )
    assert both.status_code == 400


def test_a_member_who_missed_the_party_day_is_flagged_to_the_branch_admin(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    town = stack.create_org(stack.create_org(root["org_id"], "county", "县"), "township", "镇")
    branch, neighbour = stack.create_org(town, "branch", "三支部"), stack.create_org(town, "branch", "四支部")
    secretary, neighbours_secretary = stack.create_member(branch, PASSWORD), stack.create_member(neighbour, PASSWORD)
    for who, where in ((secretary, branch), (neighbours_secretary, neighbour)):
        stack.grant(who, "branch_admin", where)
    present = stack.create_member(branch, PASSWORD)
    missing = stack.create_member(branch, PASSWORD, name="缺席者")
    now = datetime.now(timezone.utc)
    starts_at = now - timedelta(minutes=1)
    rules = {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 0}
    activity = stack.approved_activity(
        branch, starts_at, now + timedelta(seconds=30), theme="重温入党誓词", venue=VENUE, attendance_rules=rules
    )
    token = http.get(
        f"/api/v1/activities/{activity}/qr", params={"format": "json"}, headers=secretary["headers"]
    ).json()["token"]
    for member in (secretary, present):
        signed = http.post(f"/api/v1/activities/{activity}/check-in", headers=member["headers"], json=scan_body(token))
        assert signed.status_code == 200, signed.text
    flags_path = f"/api/v1/branches/{branch}/absence-flags"
    assert http.get(flags_path, headers=secretary["headers"]).json()["total"] == 0, "nobody has missed one yet"

    wait_for(
        lambda: http.get(flags_path, headers=secretary["headers"]).json()["total"] == 1,
        timeout=60,
        message="the closed party day flagged the member who missed it",
    )
    flags = http.get(flags_path, headers=secretary["headers"]).json()
    assert (flags["threshold"], flags["page"], flags["page_size"]) == (1, 1, 20)
    [flag] = flags["items"]
    missed = flag.pop("last_absence")
    assert flag == {"member_id": missing["member_id"], "name": "缺席者", "consecutive_absences": 1}
    assert (missed["activity_id"], missed["theme"]) == (activity, "重温入党誓词")
    assert datetime.fromisoformat(missed["starts_at"]) == starts_at
    assert http.get(flags_path, headers=admin).json()["total"] == 1, "the city sees it too"
    for outsider in (present, neighbours_secretary):
        refused = http.get(flags_path, headers=outsider["headers"])
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    assert (
        http.get(f"/api/v1/branches/{neighbour}/absence-flags", headers=neighbours_secretary["headers"]).json()["total"]
        == 0
    )
    not_a_branch = http.get(f"/api/v1/branches/{town}/absence-flags", headers=admin)
    assert not_a_branch.status_code == 422 and not_a_branch.json()["error"]["code"] == "BRANCH_REQUIRED"
    assert http.get("/api/v1/branches/nowhere/absence-flags", headers=admin).status_code == 404
    assert http.get(flags_path, headers=admin, params={"page_size": 0}).status_code == 400


def test_the_branch_admin_lists_and_decides_leave_before_the_party_day(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    town = stack.create_org(stack.create_org(root["org_id"], "county", "县"), "township", "镇")
    branch, neighbour = stack.create_org(town, "branch", "五支部"), stack.create_org(town, "branch", "六支部")
    secretary, away, ill = (stack.create_member(branch, PASSWORD) for _ in range(3))
    stranger = stack.create_member(neighbour, PASSWORD)
    stack.grant(secretary, "branch_admin", branch)
    starts_at = datetime.now(timezone.utc) + timedelta(minutes=10)
    activity = stack.approved_activity(branch, starts_at, starts_at + timedelta(hours=1), theme="主题党日", venue=VENUE)
    leave_path = f"/api/v1/activities/{activity}/leave-requests"
    for member, reason in ((away, "出差在外"), (ill, "生病住院")):
        asked = http.post(leave_path, headers=member["headers"], json={"reason": reason})
        assert asked.status_code == 201 and asked.json()["status"] == "pending", asked.text

    listed = http.get(leave_path, headers=secretary["headers"]).json()
    assert [(row["member_id"], row["reason"], row["status"]) for row in listed["items"]] == [
        (away["member_id"], "出差在外", "pending"),
        (ill["member_id"], "生病住院", "pending"),
    ]
    own = http.get(leave_path, headers=away["headers"]).json()
    assert [row["member_id"] for row in own["items"]] == [away["member_id"]], "a member sees only their own"
    assert http.get(leave_path, headers=secretary["headers"], params={"mine": True}).json()["total"] == 0
    assert http.get(leave_path, headers=stranger["headers"]).status_code == 403
    leave_id = listed["items"][0]["leave_id"]
    assert http.post(f"/api/v1/leave-requests/{leave_id}/approve", headers=ill["headers"]).status_code == 403
    approved = http.post(f"/api/v1/leave-requests/{leave_id}/approve", headers=secretary["headers"])
    assert approved.status_code == 200 and approved.json()["status"] == "approved" and approved.json()["decided_at"]
    again = http.post(f"/api/v1/leave-requests/{leave_id}/reject", headers=secretary["headers"])
    assert again.status_code == 409 and again.json()["error"]["code"] == "LEAVE_DECIDED"
    assert http.get(leave_path, headers=away["headers"]).json()["items"][0]["status"] == "approved"


def test_a_leave_request_sent_again_with_its_idempotency_key_gets_the_first_answer(stack):
    http, admin = stack.http, stack.admin
    root = http.get("/api/v1/orgs", params={"code": "HZ"}, headers=admin).json()
    town = stack.create_org(stack.create_org(root["org_id"], "county", "县"), "township", "镇")
    branch = stack.create_org(town, "branch", "七支部")
    secretary, away = stack.create_member(branch, PASSWORD), stack.create_member(branch, PASSWORD)
    stack.grant(secretary, "branch_admin", branch)
    starts_at = datetime.now(timezone.utc) + timedelta(minutes=10)
    activity = stack.approved_activity(branch, starts_at, starts_at + timedelta(hours=1), theme="主题党日", venue=VENUE)
    leave_path = f"/api/v1/activities/{activity}/leave-requests"
    key = {**away["headers"], "Idempotency-Key": uuid.uuid4().hex}

    first = http.post(leave_path, headers=key, json={"reason": "出差在外"})
    again = http.post(leave_path, headers=key, json={"reason": "出差在外"})
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json(), "the repeat is answered with the first request, not a second one"
    reused = http.post(leave_path, headers=key, json={"reason": "生病住院"})
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    unkeyed = http.post(leave_path, headers=away["headers"], json={"reason": "出差在外"})
    assert unkeyed.status_code == 409 and unkeyed.json()["error"]["code"] == "LEAVE_EXISTS"
    assert http.get(leave_path, headers=secretary["headers"]).json()["total"] == 1

    decision = f"/api/v1/leave-requests/{first.json()['leave_id']}/approve"
    decided = {**secretary["headers"], "Idempotency-Key": uuid.uuid4().hex}
    approved = http.post(decision, headers=decided)
    assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text
    assert http.post(decision, headers=decided).json() == approved.json()
