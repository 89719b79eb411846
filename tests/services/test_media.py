"""The media service on RabbitMQ and PostgreSQL: activities from events, uploads from storage,
duplicates, review, the detail score and its event, study materials and notes, the two RPCs."""

import hashlib
import os
import uuid

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select, text

from partyday_common.db import make_engine
from partyday_common.envelope import Envelope
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_common.storage import incoming_key, make_storage
from partyday_common.tables import OUTBOX
from partyday_media.models import metadata
from partyday_media.service import MediaService
from partyday_media.settings import get_settings
from tests.fixtures import media_corpus
from tests.services.helpers import publish_event, wait_until

MONTH = "2026-12"
VENUE = (33.07, 107.03)
NODES = [
    {"org_id": "city", "parent_id": None, "path": "/city/", "code": "HZ", "name": "市委", "level": "city"},
    {"org_id": "b-1", "parent_id": "city", "path": "/city/b-1/", "code": "B1", "name": "一支部", "level": "branch"},
    {"org_id": "b-2", "parent_id": "city", "path": "/city/b-2/", "code": "B2", "name": "二支部", "level": "branch"},
]


@pytest.fixture
def media(container_factory, make_config, databases, tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("PARTYDAY_MEDIA_BRANCH_QUOTA_BYTES", "200000")
    get_settings.cache_clear()
    url = databases.create("media")
    upgrade("media", url)
    container = container_factory(MediaService, make_config("media", url=url))
    container.start()
    container.url = url
    for node in NODES:
        send(container, "directory", "org_created", {**node, "domain": "community", "kind": "regular"})
    yield container
    get_settings.cache_clear()


def send(container, source, event_type, data):
    publish_event(container.config["AMQP_URI"], source, Envelope(event_type=event_type, source=source, data=data))


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def _known(container, activity_id):
    try:
        return call(container, "activity", activity_id)
    except DomainError:
        return None


def approve_plan(container, branch_id="b-1", actions=("诵读党章", "缴纳党费")) -> str:
    activity_id = uuid.uuid4().hex
    send(
        container,
        "plans",
        "plan_approved",
        {
            "plan_id": uuid.uuid4().hex,
            "activity_id": activity_id,
            "branch_id": branch_id,
            "branch_path": f"/city/{branch_id}/",
            "month": MONTH,
            "theme": "主题党日",
            "starts_at": "2026-12-07T09:00:00+08:00",
            "ends_at": "2026-12-07T11:00:00+08:00",
            "venue_name": "活动室",
            "venue_lat": VENUE[0],
            "venue_lon": VENUE[1],
            "radius_m": 300,
            "required_actions": list(actions),
            "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60},
            "roster": [],
        },
    )
    wait_until(lambda: _known(container, activity_id), message="the activity arrived")
    return activity_id


def incoming(data: bytes, **fields) -> dict:
    """What the gateway hands media: the key it streamed the file to, its size and sha256, the name as sent."""
    key = incoming_key()
    make_storage(get_settings()).put_bytes(key, data, "application/octet-stream")
    return {
        "key": key,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "filename": "photo.jpg",
        "uploaded_by": "m-1",
        **fields,
    }


def events(container, event_type):
    engine = make_engine(container.url)
    with engine.connect() as connection:
        table = metadata.tables[OUTBOX]
        rows = connection.execute(
            select(table.c.body).where(table.c.event_type == event_type).order_by(table.c.id)
        ).all()
    engine.dispose()
    return [row.body["data"] for row in rows]


def test_upload_review_and_the_detail_score_event(media):
    activity_id = approve_plan(media)
    photo = media_corpus.jpeg(taken_at="2026:12:07 09:40:00", offset="+08:00", gps=(33.0702, 107.0301))
    upload = incoming(photo, caption="诵读党章", action="诵读党章")
    answer = call(media, "ingest", activity_id, upload)
    assert answer["status"] == "pending" and answer["kind"] == "image"
    assert answer["evidence"]["on_activity_day"] is True and answer["evidence"]["near_venue"] is True
    assert answer["possible_forgery"] is False
    assert not make_storage(get_settings()).exists(upload["key"])
    assert events(media, "detail_score_changed") == []

    approved = call(media, "review", answer["media_id"], True, reviewer_id="boss")
    assert approved["status"] == "approved" and approved["reviewed_by"] == "boss"
    [act] = events(media, "administrative_act")
    assert (act["action"], act["target_type"], act["target_id"], act["org_path"]) == (
        "media.approve",
        "media",
        answer["media_id"],
        "/city/b-1/",
    )
    changed = events(media, "detail_score_changed")
    assert [item["detail_score"] for item in changed] == [round(40 / 6 + 10)]
    assert changed[0]["activity_id"] == activity_id and changed[0]["branch_path"] == "/city/b-1/"
    assert changed[0]["breakdown"]["evidenced_actions"] == ["诵读党章"]

    send(
        media,
        "plans",
        "summary_submitted",
        {
            "plan_id": "p",
            "branch_id": "b-1",
            "branch_path": "/city/b-1/",
            "month": MONTH,
            "status": "summarized",
            "activity_id": activity_id,
            "summary_chars": 500,
        },
    )
    send(
        media,
        "attendance",
        "activity_closed",
        {
            "activity_id": activity_id,
            "plan_id": "p",
            "branch_id": "b-1",
            "branch_path": "/city/b-1/",
            "closed_at": "2026-12-07T12:00:00Z",
        },
    )
    wait_until(
        lambda: call(media, "activity_media", activity_id)["detail_score"] == round(40 / 6 + 10 + 30 + 10),
        message="summary and sheet counted",
    )
    assert events(media, "detail_score_changed")[-1]["breakdown"]["sign_in_sheet"] is True

    with pytest.raises(DomainError) as raised:
        call(media, "review", answer["media_id"], False, reason="again")
    assert raised.value.code == "MEDIA_ALREADY_REVIEWED"


def test_a_rejected_upload_counts_for_nothing(media):
    activity_id = approve_plan(media)
    answer = call(media, "ingest", activity_id, incoming(media_corpus.jpeg(pattern=3)))
    with pytest.raises(DomainError) as raised:
        call(media, "review", answer["media_id"], False, reason="  ")
    assert raised.value.code == "REASON_REQUIRED"
    rejected = call(media, "review", answer["media_id"], False, reason="与活动无关")
    assert rejected["status"] == "rejected" and rejected["reject_reason"] == "与活动无关"
    assert call(media, "activity_media", activity_id)["detail_score"] == 0
    assert events(media, "detail_score_changed") == []
    [told] = events(media, "upload_rejected")
    assert (told["media_id"], told["uploaded_by"], told["reason"]) == (answer["media_id"], "m-1", "与活动无关")


def test_a_photo_used_for_another_activity_is_flagged(media):
    first = approve_plan(media, "b-1")
    second = approve_plan(media, "b-2")
    photo = media_corpus.jpeg(pattern=5)
    original = call(media, "ingest", first, incoming(photo))
    with pytest.raises(DomainError) as raised:
        call(media, "ingest", first, incoming(photo))
    assert (raised.value.status, raised.value.code) == (409, "DUPLICATE_UPLOAD")

    reused = call(media, "ingest", second, incoming(photo), seen_from=["/city/"])
    assert reused["possible_forgery"] is True
    assert (
        reused["duplicates"][0]
        | {"match": "exact", "media_id": original["media_id"], "branch_id": "b-1", "same_branch": False}
        == reused["duplicates"][0]
    )

    near = call(media, "ingest", second, incoming(media_corpus.resized(photo)), seen_from=["/city/b-2/"])
    assert {item["match"] for item in near["duplicates"]} == {"near"}
    (elsewhere,) = [item for item in near["duplicates"] if "media_id" not in item]
    assert elsewhere == elsewhere | {"elsewhere": "also used elsewhere", "other_activity": True}
    assert set(elsewhere) == {"match", "distance", "other_activity", "same_branch", "elsewhere"}
    assert [item["branch_id"] for item in near["duplicates"] if "media_id" in item] == ["b-2"]
    unseen = call(media, "get_media", near["media_id"])["duplicates"]
    assert len(unseen) == 2 and not [item for item in unseen if "media_id" in item or "branch_id" in item]
    queue = call(media, "review_queue", "city", "pending", 1, 10, seen_from=["/city/"])
    assert queue["total"] == 3 and [item["possible_forgery"] for item in queue["items"]] == [False, True, True]
    assert {item["branch_id"] for item in queue["items"][2]["duplicates"]} == {"b-1", "b-2"}


def test_flat_pictures_are_not_taken_for_reused_photos(media):
    first = approve_plan(media, "b-1")
    second = approve_plan(media, "b-2")
    white, larger_white = media_corpus.flat_jpeg(640, 480), media_corpus.flat_jpeg(800, 600)
    assert call(media, "ingest", first, incoming(white), seen_from=["/city/"])["duplicates"] == []
    for flat in (white, larger_white):
        again = call(media, "ingest", second, incoming(flat), seen_from=["/city/"])
        assert again["possible_forgery"] is False and again["duplicates"] == []
    with pytest.raises(DomainError) as raised:
        call(media, "ingest", first, incoming(white))
    assert raised.value.code == "DUPLICATE_UPLOAD"


def test_hostile_files_are_refused_and_their_incoming_copy_removed(media):
    activity_id = approve_plan(media)
    storage = make_storage(get_settings())
    for hostile in [
        item for item in media_corpus.hostile_corpus(get_settings().media_max_image_bytes) if item.status == 422
    ]:
        upload = incoming(hostile.data, filename=hostile.filename)
        with pytest.raises(DomainError) as raised:
            call(media, "ingest", activity_id, upload)
        assert (raised.value.status, raised.value.code) == (hostile.status, hostile.code), hostile.name
        assert not storage.exists(upload["key"])
    malformed = incoming(media_corpus.jpeg(), caption="长" * 501)
    with pytest.raises(DomainError) as raised:
        call(media, "ingest", activity_id, malformed)
    assert raised.value.code == "VALIDATION_FAILED" and not storage.exists(malformed["key"])
    assert call(media, "activity_media", activity_id)["counts"] == {"pending": 0, "approved": 0, "rejected": 0}


@pytest.mark.parametrize(
    "data, filename, status, code",
    [
        (b"GIF89a" + b"0" * 100, "x.jpg", 415, "UNSUPPORTED_TYPE"),
        (b"\xff\xd8\xff" + b"0" * 60_000, "x.jpg", 413, "FILE_TOO_LARGE"),
        (b"\xff\xd8\xff" + b"0" * 100, "..\\..\\boot.ini", 422, "FILENAME_INVALID"),
    ],
)
def test_media_judges_the_type_the_size_and_the_name_before_anything_else(
    media, monkeypatch, data, filename, status, code
):
    monkeypatch.setenv("PARTYDAY_MEDIA_MAX_IMAGE_BYTES", "50000")
    get_settings.cache_clear()
    activity_id = approve_plan(media)
    for method, args in [("ingest", (activity_id,)), ("add_file_material", ("d-1", "学习资料"))]:
        upload = incoming(data, filename=filename)
        with pytest.raises(DomainError) as raised:
            call(media, method, *args, upload)
        assert (raised.value.status, raised.value.code) == (status, code), method
        assert not make_storage(get_settings()).exists(upload["key"])
    assert call(media, "activity_media", activity_id)["counts"] == {"pending": 0, "approved": 0, "rejected": 0}
    assert _stored("media") == [] and _stored("study") == []


def test_the_branch_quota(media):
    activity_id = approve_plan(media)
    with pytest.raises(DomainError) as raised:
        call(media, "ingest", activity_id, incoming(media_corpus.pdf(stream=os.urandom(250_000))))
    assert (raised.value.status, raised.value.code) == (413, "QUOTA_EXCEEDED")


def test_an_idempotent_upload_answers_the_first_time_again(media):
    activity_id = approve_plan(media)
    photo = media_corpus.jpeg(pattern=7)
    first = call(media, "ingest", activity_id, incoming(photo), idempotency_key="k-1")
    again = incoming(photo)
    assert call(media, "ingest", activity_id, again, idempotency_key="k-1") == first
    assert not make_storage(get_settings()).exists(again["key"])
    assert _stored("media/b-1") == sorted(
        f"media/b-1/{first['media_id']}/{name}" for name in ("original.jpg", "thumbnail.jpg", "web.jpg")
    )


def test_branch_month_records_materials_and_notes(media):
    activity_id = approve_plan(media, "b-1")
    approved = call(media, "ingest", activity_id, incoming(media_corpus.jpeg(pattern=1)))
    call(media, "review", approved["media_id"], True)
    call(media, "ingest", activity_id, incoming(media_corpus.jpeg(pattern=9, color=(20, 20, 200))))
    send(
        media,
        "plans",
        "directive_published",
        {
            "directive_id": "d-1",
            "org_id": "city",
            "org_path": "/city/",
            "month": MONTH,
            "theme": "学党章",
            "required_actions": [],
        },
    )
    wait_until(lambda: _directive(media, "d-1"), message="the directive arrived")
    text = call(media, "add_text_material", "d-1", {"title": "党章第一章", "text": "第一条……"})
    lesson = call(media, "add_file_material", "d-1", "微党课", incoming(media_corpus.mp4(900)))
    assert lesson["kind"] == "video" and lesson["duration_s"] == 900
    with pytest.raises(DomainError) as raised:
        call(media, "add_file_material", "d-1", "照片", incoming(media_corpus.jpeg(pattern=2)))
    assert raised.value.code == "UNSUPPORTED_TYPE"
    note = call(
        media,
        "add_note",
        {"branch_id": "b-1", "month": MONTH, "member_id": "m-1", "text": "学习党章的体会：要坚定理想信念。"},
    )

    records = call(media, "branch_month_records", ["b-1", "b-2"], MONTH)
    assert records["b-1"]["photos"] == {"approved": 1, "pending": 1, "rejected": 0}
    assert records["b-1"]["approved_photo_links"] == [f"/api/v1/media/{approved['media_id']}"]
    assert records["b-1"]["study_notes"] == {"count": 1, "links": [note["url"]]}
    assert [item["material_id"] for item in records["b-1"]["study_materials"]] == [
        text["material_id"],
        lesson["material_id"],
    ]
    assert records["b-1"]["detail_score"] == round(40 / 6)
    assert records["b-2"] == {
        "activity_ids": [],
        "photos": {"approved": 0, "pending": 0, "rejected": 0},
        "approved_photo_links": [],
        "study_notes": {"count": 0, "links": []},
        "study_materials": records["b-1"]["study_materials"],
        "detail_score": None,
    }
    assert call(media, "notes", "b-1", MONTH, 1, 10)["total"] == 1


def _directive(container, directive_id):
    try:
        return call(container, "directive", directive_id)
    except DomainError:
        return None


@pytest.fixture
def s3_media(container_factory, make_config, databases, monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in {
        "PARTYDAY_MEDIA_STORAGE": "s3",
        "PARTYDAY_MEDIA_S3_ENDPOINT_URL": f"http://{host}:{port}",
        "PARTYDAY_MEDIA_S3_BUCKET": "partyday-test",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    make_storage(get_settings()).client.create_bucket(Bucket="partyday-test")
    url = databases.create("media")
    upgrade("media", url)
    container = container_factory(MediaService, make_config("media", url=url))
    container.start()
    container.url = url
    for node in NODES:
        send(container, "directory", "org_created", {**node, "domain": "community", "kind": "regular"})
    yield container
    server.stop()
    get_settings.cache_clear()


def test_uploads_go_to_an_s3_compatible_bucket(s3_media):
    activity_id = approve_plan(s3_media)
    upload = incoming(media_corpus.jpeg(pattern=4))
    answer = call(s3_media, "ingest", activity_id, upload)
    storage = make_storage(get_settings())
    found = call(s3_media, "media_file", answer["media_id"], "web")
    assert found["key"].startswith("media/b-1/") and storage.exists(found["key"])
    assert not storage.exists(upload["key"])


def _green_wait(connection, timeout=None):
    """psycopg2's wait callback on eventlet's hub (what psycogreen does): a query waiting for PostgreSQL
    lets the other green threads run, as the workers of several media processes would."""
    import psycopg2
    from eventlet.hubs import trampoline

    while True:
        state = connection.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        if state == psycopg2.extensions.POLL_READ:
            trampoline(connection.fileno(), read=True)
        elif state == psycopg2.extensions.POLL_WRITE:
            trampoline(connection.fileno(), write=True)
        else:
            raise psycopg2.OperationalError(f"bad state from poll: {state}")


@pytest.fixture
def green_postgres():
    """Database calls that yield to the hub, so that concurrent workers really interleave."""
    import psycopg2.extensions

    previous = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(previous or _green_wait)
    yield
    psycopg2.extensions.set_wait_callback(previous)


@pytest.fixture
def parallel_media(green_postgres, media):
    return media


def _outcomes(container, method, calls):
    """Start one worker per call at once; each answers its result or the DomainError it raised.
    (entrypoint_hook waits for the first worker of the method, so it cannot run calls side by side.)"""
    from eventlet.event import Event
    from nameko.extensions import Entrypoint
    from nameko.testing.utils import get_extension

    entrypoint = get_extension(container, Entrypoint, method_name=method)

    def handler(done):
        def handle_result(worker_ctx, result, exc_info):
            done.send(exc_info[1] if exc_info else result)
            return result, exc_info

        return handle_result

    finished = [Event() for _ in calls]
    for args, done in zip(calls, finished):
        container.spawn_worker(entrypoint, args, {}, handle_result=handler(done))
    outcomes = [done.wait() for done in finished]
    assert all(isinstance(item, (dict, DomainError)) for item in outcomes), outcomes
    return outcomes


def _stored(prefix):
    root = get_settings().media_folder()
    return (
        sorted(str(path.relative_to(root)) for path in (root / prefix).rglob("*") if path.is_file())
        if (root / prefix).exists()
        else []
    )


def test_parallel_uploads_stay_within_the_branch_quota(parallel_media):
    activity_id = approve_plan(parallel_media)
    files = [incoming(media_corpus.pdf(stream=os.urandom(60_000))) for _ in range(6)]
    outcomes = _outcomes(parallel_media, "ingest", [(activity_id, item) for item in files])
    accepted = [item for item in outcomes if isinstance(item, dict)]
    refused = [item for item in outcomes if not isinstance(item, dict)]
    assert len(accepted) == 3, outcomes
    assert {(item.status, item.code) for item in refused} == {(413, "QUOTA_EXCEEDED")}
    assert len(_stored("media/b-1")) == 3
    engine = make_engine(parallel_media.url)
    with engine.connect() as connection:
        used = connection.execute(text("SELECT used_bytes FROM branch_usage WHERE branch_id = 'b-1'")).scalar()
    engine.dispose()
    assert used == sum(file["size"] for file in files if file["sha256"] in {item["sha256"] for item in accepted})


def test_a_rejected_upload_gives_its_bytes_back(media):
    activity_id = approve_plan(media)
    first = call(media, "ingest", activity_id, incoming(media_corpus.pdf(stream=os.urandom(120_000))))
    second = incoming(media_corpus.pdf(stream=os.urandom(120_000)))
    with pytest.raises(DomainError) as raised:
        call(media, "ingest", activity_id, second)
    assert raised.value.code == "QUOTA_EXCEEDED"
    call(media, "review", first["media_id"], False, reason="与活动无关")
    assert call(media, "ingest", activity_id, incoming(media_corpus.pdf(stream=os.urandom(120_000))))


def test_two_identical_uploads_at_once_store_one(parallel_media):
    activity_id = approve_plan(parallel_media)
    document = media_corpus.pdf(stream=os.urandom(20_000))
    outcomes = _outcomes(parallel_media, "ingest", [(activity_id, incoming(document)) for _ in range(4)])
    accepted = [item for item in outcomes if isinstance(item, dict)]
    refused = [item for item in outcomes if not isinstance(item, dict)]
    assert len(accepted) == 1, outcomes
    assert [(item.status, item.code, item.details["media_id"]) for item in refused] == [
        (409, "DUPLICATE_UPLOAD", accepted[0]["media_id"])
    ] * 3
    assert _stored("media/b-1") == [f"media/b-1/{accepted[0]['media_id']}/original.pdf"]


def _published_directive(container):
    send(
        container,
        "plans",
        "directive_published",
        {
            "directive_id": "d-1",
            "org_id": "city",
            "org_path": "/city/",
            "month": MONTH,
            "theme": "学党章",
            "required_actions": [],
        },
    )
    wait_until(lambda: _directive(container, "d-1"), message="the directive arrived")


def test_a_study_material_whose_transaction_fails_leaves_no_stored_copy(media, monkeypatch):
    from partyday_media import materials

    _published_directive(media)

    def broken(*args, **kwargs):
        raise DomainError("BROKEN", "the database refused", 500)

    monkeypatch.setattr(materials, "add_file", broken)
    upload = incoming(media_corpus.pdf())
    with pytest.raises(DomainError) as raised:
        call(media, "add_file_material", "d-1", "学习资料", upload)
    assert raised.value.code == "BROKEN"
    assert _stored("study") == [] and not make_storage(get_settings()).exists(upload["key"])


def test_study_materials_and_notes_are_idempotent(media):
    _published_directive(media)
    lesson = media_corpus.pdf(stream=os.urandom(5_000))
    first = call(media, "add_file_material", "d-1", "学习资料", incoming(lesson), idempotency_key="f-1")
    again = incoming(lesson)
    assert call(media, "add_file_material", "d-1", "学习资料", again, idempotency_key="f-1") == first
    assert not make_storage(get_settings()).exists(again["key"]) and len(_stored("study")) == 1
    with pytest.raises(DomainError) as raised:
        call(media, "add_file_material", "d-1", "另一份", incoming(lesson), idempotency_key="f-1")
    assert raised.value.code == "IDEMPOTENCY_KEY_REUSED"

    body = {"title": "党章第一章", "text": "第一条……"}
    text_material = call(media, "add_text_material", "d-1", body, uploaded_by="m-1", idempotency_key="t-1")
    assert call(media, "add_text_material", "d-1", body, uploaded_by="m-1", idempotency_key="t-1") == text_material
    assert call(media, "directive_materials", "d-1")["total"] == 2

    activity_id = approve_plan(media)
    uploaded = call(media, "ingest", activity_id, incoming(media_corpus.pdf(stream=os.urandom(5_000))))
    rejected = call(media, "review", uploaded["media_id"], False, reason="模糊", idempotency_key="r-1")
    assert call(media, "review", uploaded["media_id"], False, reason="模糊", idempotency_key="r-1") == rejected

    note = {"branch_id": "b-1", "month": MONTH, "member_id": "m-1", "text": "学习党章的体会：要坚定理想信念。"}
    written = call(media, "add_note", note, idempotency_key="n-1")
    assert call(media, "add_note", note, idempotency_key="n-1") == written
    assert call(media, "notes", "b-1", MONTH, 1, 10)["total"] == 1


def test_material_and_media_listings_are_paged(media):
    _published_directive(media)
    made = [call(media, "add_text_material", "d-1", {"title": f"材料{n}", "text": "正文"}) for n in range(3)]
    page = call(media, "directive_materials", "d-1", page=2, page_size=2)
    assert page | {"total": 3, "page": 2, "page_size": 2} == page
    assert [item["material_id"] for item in page["items"]] == [made[2]["material_id"]]
    month = call(media, "month_materials", "b-1", MONTH, page=1, page_size=2)
    assert month["total"] == 3 and [item["material_id"] for item in month["items"]] == [
        item["material_id"] for item in made[:2]
    ]
    with pytest.raises(DomainError) as raised:
        call(media, "month_materials", "b-1", MONTH, page=0)
    assert raised.value.code == "PAGE_INVALID"

    activity_id = approve_plan(media)
    uploaded = [
        call(media, "ingest", activity_id, incoming(media_corpus.jpeg(pattern=n, color=(40 * n, 90, 20))))
        for n in range(1, 4)
    ]
    call(media, "review", uploaded[0]["media_id"], True)
    call(media, "review", uploaded[1]["media_id"], False, reason="模糊")
    listed = call(media, "activity_media_page", activity_id, page=1, page_size=1)
    assert (
        listed | {"total": 2, "page": 1, "page_size": 1, "counts": {"pending": 1, "approved": 1, "rejected": 1}}
        == listed
    )
    assert [item["media_id"] for item in listed["items"]] == [uploaded[0]["media_id"]]
    approved = call(media, "activity_media_page", activity_id, page=1, page_size=10, approved_only=True)
    assert approved["total"] == 1 and [item["media_id"] for item in approved["items"]] == [uploaded[0]["media_id"]]
    assert len(call(media, "activity_media", activity_id)["items"]) == 2
