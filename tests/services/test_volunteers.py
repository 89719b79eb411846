"""The volunteers service on RabbitMQ and PostgreSQL: a resident's request, its phone proved by the directory's
one-time code, through intake, dispatch or publication, claim, completion with a photo and the resident's rating;
illegal steps refused with 409; the overdue list and the counts per branch; each event in the outbox and each
administrative act announced; an Idempotency-Key answered once."""

import hashlib
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from nameko.rpc import rpc
from nameko.testing.services import entrypoint_hook
from PIL import Image
from sqlalchemy import select

from partyday_common.db import make_engine
from partyday_common.envelope import Envelope
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_common.settings import get_settings as common_settings
from partyday_common.storage import incoming_key, make_storage
from partyday_media.service import MediaService
from partyday_media.settings import get_settings as media_settings
from partyday_volunteers.models import metadata
from partyday_volunteers.service import VolunteersService
from partyday_volunteers.settings import get_settings
from tests.services.helpers import publish_event, wait_until

CODE = "123456"
NODES = [
    {"org_id": "city", "parent_id": None, "path": "/city/", "code": "HZ", "name": "市委", "level": "city"},
    {"org_id": "town", "parent_id": "city", "path": "/city/town/", "code": "T", "name": "街道", "level": "township"},
    {
        "org_id": "b-1",
        "parent_id": "town",
        "path": "/city/town/b-1/",
        "code": "B1",
        "name": "一社区支部",
        "level": "branch",
    },
    {
        "org_id": "b-2",
        "parent_id": "town",
        "path": "/city/town/b-2/",
        "code": "B2",
        "name": "二社区支部",
        "level": "branch",
    },
]
MEMBERS = [("m-1", "李党员", "b-1"), ("m-2", "王党员", "b-1"), ("m-3", "赵党员", "b-2")]


class FakeDirectory:
    """The directory's one RPC volunteers calls: a public one-time code checked without a session."""

    name = "directory"

    @rpc
    def verify_public_code(self, phone, code):
        if code != CODE:
            raise DomainError("CODE_INVALID", "the code is wrong", 401)
        return {"phone": phone}


@pytest.fixture
def volunteers(container_factory, make_config, databases, tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "store"))
    get_settings.cache_clear()
    common_settings.cache_clear()
    media_settings.cache_clear()
    media_url = databases.create("media")
    upgrade("media", media_url)
    container_factory(MediaService, make_config("media", url=media_url)).start()
    url = databases.create("volunteers")
    upgrade("volunteers", url)
    config = make_config("volunteers", url=url)
    container_factory(FakeDirectory, config).start()
    container = container_factory(VolunteersService, config)
    container.start()
    container.url = url
    container.storage = make_storage(get_settings())
    for node in NODES:
        send(container, "directory", "org_created", {**node, "domain": "community", "kind": "regular"})
    for member_id, name, branch in MEMBERS:
        member = {"member_id": member_id, "name": name, "branch_id": branch, "branch_path": f"/city/town/{branch}/"}
        flags = {"mobile": False, "probationary": False, "lost_contact": False, "active": True, "joined_on": None}
        send(container, "directory", "member_joined", {**member, **flags})
    wait_until(lambda: followed(container) == (4, 3), message="the tree and the members followed")
    yield container
    get_settings.cache_clear()
    common_settings.cache_clear()
    media_settings.cache_clear()


def send(container, source, event_type, data):
    publish_event(container.config["AMQP_URI"], source, Envelope(event_type=event_type, source=source, data=data))


def followed(container) -> tuple[int, int]:
    engine = make_engine(container.url)
    with engine.connect() as connection:
        nodes = len(connection.execute(select(metadata.tables["org_nodes"])).all())
        members = len(connection.execute(select(metadata.tables["volunteers"])).all())
    engine.dispose()
    return nodes, members


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def refused(container, method, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(container, method, *args, **kwargs)
    return caught.value


def outbox(container, event_type: str) -> list[dict]:
    engine = make_engine(container.url)
    table = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        bodies = connection.execute(select(table.c.body).where(table.c.event_type == event_type)).scalars().all()
    engine.dispose()
    return [body["data"] for body in bodies]


def later(**delta) -> str:
    return (datetime.now(timezone.utc) + timedelta(**delta)).isoformat()


def submit(container, org_id="b-1", code=CODE, wanted_by=None, key=None) -> dict:
    payload = {
        "what": "帮独居老人买菜",
        "where": "幸福小区3号楼",
        "wanted_by": wanted_by or later(days=2),
        "org_id": org_id,
        "name": "张阿姨",
        "phone": "13912345678",
        "code": code,
    }
    return call(container, "submit_request", payload, idempotency_key=key)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 160, 60)).save(out, "JPEG")
    return out.getvalue()


def photo(container, content=None) -> dict:
    content = jpeg() if content is None else content
    key = incoming_key()
    container.storage.put_bytes(key, content, "application/octet-stream")
    return {"key": key, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(), "filename": "done.jpg"}


def test_a_request_goes_from_the_resident_to_a_member_and_back_to_be_rated(volunteers):
    wanted_by = later(days=2)
    posted = submit(volunteers, wanted_by=wanted_by, key="k-submit")
    assert submit(volunteers, wanted_by=wanted_by, key="k-submit") == posted
    request_id, token = posted["request"]["request_id"], posted["token"]
    assert posted["request"]["state"] == "submitted" and posted["request"]["resident_phone"] == "139****5678"
    assert call(volunteers, "get_request", request_id)["resident_phone"] == "13912345678"
    [announced] = outbox(volunteers, "volunteer_request_submitted")
    assert announced["branch_id"] == "b-1" and announced["request_id"] == request_id

    assert call(volunteers, "accept_request", request_id, "admin-1", idempotency_key="k-accept")["state"] == "accepted"
    assert call(volunteers, "accept_request", request_id, "admin-1", idempotency_key="k-accept")["state"] == "accepted"
    assert call(volunteers, "publish_request", request_id, "admin-1")["state"] == "published"
    [dispatched] = outbox(volunteers, "volunteer_request_dispatched")
    assert dispatched["published"] is True and dispatched["member_ids"] == []

    assert [item["request_id"] for item in call(volunteers, "member_open_requests", "m-2")["items"]] == [request_id]
    assert call(volunteers, "member_open_requests", "m-3")["total"] == 0
    assert refused(volunteers, "claim_request", request_id, "m-3").code == "NOT_DISPATCHED_TO_YOU"
    claimed = call(volunteers, "claim_request", request_id, "m-2")
    assert claimed["state"] == "claimed" and claimed["claimed_by_name"] == "王党员"
    taken = refused(volunteers, "claim_request", request_id, "m-1")
    assert (taken.status, taken.code) == (409, "REQUEST_STATE_CONFLICT")
    assert refused(volunteers, "cancel_request", token).status == 409

    not_mine = photo(volunteers)
    assert refused(volunteers, "complete_request", request_id, "m-1", not_mine, {}).code == "NOT_YOUR_CLAIM"
    assert not volunteers.storage.exists(not_mine["key"])
    pdf = photo(volunteers, b"%PDF-1.7")
    assert refused(volunteers, "complete_request", request_id, "m-2", pdf, {}).code == "UNSUPPORTED_TYPE"
    done = call(volunteers, "complete_request", request_id, "m-2", photo(volunteers), {"note": "已送到"})
    assert done["state"] == "done" and done["has_photo"] and done["completion_note"] == "已送到"
    kept = call(volunteers, "photo", request_id)
    assert kept["content_type"] == "image/jpeg" and volunteers.storage.exists(kept["key"])
    assert kept["key"].startswith(f"media/kept/volunteers-{request_id}/"), "kept by media, re-encoded"
    [completed] = outbox(volunteers, "volunteer_request_completed")
    assert completed["member_id"] == "m-2" and completed["on_time"] is True and completed["photo_key"] == kept["key"]

    confirmed = call(volunteers, "confirm_request", token, {"rating": 5, "comment": "谢谢"})
    assert confirmed["state"] == "confirmed" and confirmed["rating"] == 5
    assert refused(volunteers, "confirm_request", token, {"rating": 4}).status == 409
    assert [step["action"] for step in call(volunteers, "follow_request", token)["history"]] == [
        "submit",
        "accept",
        "publish",
        "claim",
        "complete",
        "confirm",
    ]
    acts = [act["action"] for act in outbox(volunteers, "administrative_act")]
    assert acts == ["volunteer_request.accept", "volunteer_request.publish"]

    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    counted = call(volunteers, "branch_stats", "/city/town/", month)
    assert counted["items"] == [
        {"branch_id": "b-1", "name": "一社区支部", "received": 1, "completed": 1, "average_rating": 5.0}
    ]
    assert call(volunteers, "branch_stats", "/city/town/b-2/", month)["items"] == []


def test_a_request_dispatched_by_name_is_claimed_only_by_those_named(volunteers):
    request_id = submit(volunteers)["request"]["request_id"]
    assert refused(volunteers, "dispatch_request", request_id, "admin-1", {"member_ids": ["m-1"]}).status == 409
    call(volunteers, "accept_request", request_id, "admin-1")
    outsider = refused(volunteers, "dispatch_request", request_id, "admin-1", {"member_ids": ["m-1", "m-3"]})
    assert (outsider.status, outsider.code, outsider.details["member_ids"]) == (422, "MEMBER_NOT_IN_BRANCH", ["m-3"])
    dispatched = call(volunteers, "dispatch_request", request_id, "admin-1", {"member_ids": ["m-1"]})
    assert dispatched["state"] == "dispatched" and dispatched["dispatched_to"] == ["m-1"]
    [told] = outbox(volunteers, "volunteer_request_dispatched")
    assert told["published"] is False and told["member_ids"] == ["m-1"]
    assert call(volunteers, "member_open_requests", "m-2")["total"] == 0
    assert refused(volunteers, "claim_request", request_id, "m-2").code == "NOT_DISPATCHED_TO_YOU"
    call(volunteers, "claim_request", request_id, "m-1")
    assert [item["request_id"] for item in call(volunteers, "member_claimed_requests", "m-1")["items"]] == [request_id]


def test_a_request_is_declined_with_a_reason_or_cancelled_by_the_resident_before_it_is_claimed(volunteers):
    declined_id = submit(volunteers)["request"]["request_id"]
    declined = call(volunteers, "decline_request", declined_id, "admin-1", {"reason": "不在本社区范围"})
    assert declined["state"] == "declined" and declined["decline_reason"] == "不在本社区范围"
    assert refused(volunteers, "accept_request", declined_id, "admin-1").code == "REQUEST_STATE_CONFLICT"
    posted = submit(volunteers)
    call(volunteers, "accept_request", posted["request"]["request_id"], "admin-1")
    assert call(volunteers, "cancel_request", posted["token"])["state"] == "cancelled"
    assert refused(volunteers, "follow_request", "not-a-token").status == 404
    acts = [(act["action"], act["details"]) for act in outbox(volunteers, "administrative_act")]
    assert ("volunteer_request.decline", {"reason": "不在本社区范围"}) in acts


def test_bad_requests_are_refused_with_their_reason(volunteers):
    assert refused(volunteers, "submit_request", {"what": "x"}).code == "VALIDATION_FAILED"
    assert refused(volunteers, "get_request", "nope").status == 404
    code = refused(volunteers, "submit_request", {**payload_of(volunteers), "code": "000000"})
    assert (int(code.status), code.code) == (401, "CODE_INVALID")
    assert refused(volunteers, "submit_request", {**payload_of(volunteers), "org_id": "town"}).code == "NOT_A_BRANCH"
    assert refused(volunteers, "submit_request", {**payload_of(volunteers), "org_id": "gone"}).status == 404
    past = refused(volunteers, "submit_request", {**payload_of(volunteers), "wanted_by": later(minutes=-1)})
    assert past.code == "WANTED_BY_PAST"
    rating = refused(volunteers, "confirm_request", "token", {"rating": 6})
    assert rating.code == "VALIDATION_FAILED"


def payload_of(volunteers) -> dict:
    return {
        "what": "修理水管",
        "where": "二号楼",
        "wanted_by": later(days=1),
        "org_id": "b-1",
        "name": "李大爷",
        "phone": "13900000009",
        "code": CODE,
    }


def test_requests_late_are_listed_per_subtree_a_page_at_a_time(volunteers):
    waiting = submit(volunteers)["request"]["request_id"]
    taken = submit(volunteers, wanted_by=later(hours=30))["request"]["request_id"]
    call(volunteers, "accept_request", taken, "admin-1")
    other = submit(volunteers, org_id="b-2")["request"]["request_id"]
    assert call(volunteers, "overdue_requests", "/city/")["total"] == 0
    day_after = later(hours=25)
    late = call(volunteers, "overdue_requests", "/city/town/b-1/", now=day_after)
    assert {(item["request_id"], item["overdue"]) for item in late["items"]} == {(waiting, "not_taken_in")}
    much_later = later(hours=31)
    everywhere = call(volunteers, "overdue_requests", "/city/", now=much_later, page_size=2)
    assert everywhere["total"] == 3 and len(everywhere["items"]) == 2
    second = call(volunteers, "overdue_requests", "/city/", page=2, page_size=2, now=much_later)
    reasons = {item["request_id"]: item["overdue"] for item in everywhere["items"] + second["items"]}
    assert reasons == {waiting: "not_taken_in", taken: "past_due", other: "not_taken_in"}
    listed = call(volunteers, "branch_requests", "/city/town/", ["accepted"])
    assert [item["request_id"] for item in listed["items"]] == [taken]
    assert refused(volunteers, "overdue_requests", "/city/", page=0).code == "PAGE_INVALID"


def test_a_roster_import_s_batch_is_followed_at_once_and_a_known_member_is_updated(volunteers):
    known, name, branch = MEMBERS[0]
    flags = {"mobile": False, "probationary": False, "lost_contact": False, "active": True, "joined_on": None}
    batch = [
        {"member_id": known, "name": "改名后", "branch_id": branch, "branch_path": f"/city/town/{branch}/", **flags},
        *(
            {"member_id": f"imported-{n}", "name": f"新党员{n}", "branch_id": "b-1", "branch_path": "/city/town/b-1/"}
            | flags
            for n in range(3)
        ),
    ]
    send(volunteers, "directory", "members_imported", {"import_id": "i-1", "members": batch})
    wait_until(lambda: followed(volunteers) == (4, 6), message="the batch's new members followed")
    engine = make_engine(volunteers.url)
    with engine.connect() as connection:
        table = metadata.tables["volunteers"]
        renamed = connection.execute(select(table.c.name).where(table.c.member_id == known)).scalar_one()
    engine.dispose()
    assert renamed == "改名后"
