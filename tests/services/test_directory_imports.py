"""Roster imports as jobs, on PostgreSQL (and RabbitMQ for the service): the scope each row is checked
against, progress while an import runs, resuming after a crash without losing or repeating a row, who
may read an import, and the directory process that runs them in the background."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.db import make_engine, utcnow
from partyday_common.errors import DomainError
from partyday_common.migrations import upgrade
from partyday_common.storage import LocalStorage, incoming_key, make_storage
from partyday_common.tables import OUTBOX
from partyday_directory import bootstrap, grants, imports, members, orgs, sessions
from partyday_directory.models import AuditEntry, Member, RosterImport, RosterImportRejection, metadata
from partyday_directory.service import DirectoryService
from partyday_directory.settings import get_settings
from partyday_directory_contracts.imports import ImportStart
from partyday_directory_contracts.rpc import MemberCreate, OrgCreate
from tests.services.helpers import wait_until

HEADER = "姓名,手机号,支部编码,预备党员,流动党员,入党日期"


@dataclass
class City:
    """A county with a township and two branches, the admins of each, and an auditor of the city."""

    engine: object
    storage: LocalStorage
    ids: dict

    @contextmanager
    def transaction(self, **context):
        session = Session(self.engine, expire_on_commit=False)
        session.info.update(service="directory", metadata=metadata, outbox_table=metadata.tables[OUTBOX], **context)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upload(self, *lines: str) -> str:
        key = incoming_key()
        self.storage.put_bytes(key, "\n".join(lines).encode("utf-8"), "text/csv")
        return key

    def start(
        self, key: str, requested_by: str | None, password: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        request = ImportStart(
            storage_key=key, requested_by=requested_by, citywide=requested_by is None, initial_password=password
        )
        with self.transaction() as session:
            return imports.start_once(session, request, idempotency_key, self.storage)

    def claim(self, worker: str = "worker-1", at=None) -> str | None:
        with self.transaction() as session:
            return imports.claim(session, worker, at or utcnow())

    def run(self, import_id: str, worker: str = "worker-1", **options) -> None:
        imports.run(import_id, worker, self.transaction, self.storage, **options)

    def read(self, import_id: str, reader: str | None, page_size: int = 50) -> dict:
        with self.transaction() as session:
            job = imports.readable(session, import_id, reader, citywide=reader is None)
            total, items = imports.rejected(session, job, 0, page_size)
            return imports.view(job, {"items": items, "total": total, "page": 1, "page_size": page_size})

    def count(self, query) -> int:
        with self.transaction() as session:
            return session.scalar(query)

    def imported_announcements(self) -> list[list[str]]:
        """The members each `members_imported` event announced, by event in the order they were recorded."""
        outbox = metadata.tables[OUTBOX]
        with self.transaction() as session:
            bodies = session.scalars(
                select(outbox.c.body).where(outbox.c.event_type == "members_imported").order_by(outbox.c.id)
            ).all()
        return [[member["member_id"] for member in body["data"]["members"]] for body in bodies]


@pytest.fixture
def city(databases, tmp_path):
    url = databases.create("directory")
    upgrade("directory", url)
    engine = make_engine(url)
    place = City(engine, LocalStorage(tmp_path / "storage"), {})
    with place.transaction() as session:
        bootstrap.ensure_city_admin(session, "13800000000", "city-admin-1", "汉中市委", "HZ")
        root = session.scalar(select(orgs.Org).where(orgs.Org.level == "city"))
        county = orgs.create(session, OrgCreate(name="汉台区委", level="county", parent_id=root.id, code="HT"))
        town = orgs.create(
            session, OrgCreate(name="北关街道", level="township", parent_id=county["org_id"], code="HT-BG")
        )
        first = orgs.create(session, OrgCreate(name="一支部", level="branch", parent_id=town["org_id"], code="HT-BG-1"))
        second = orgs.create(
            session, OrgCreate(name="二支部", level="branch", parent_id=town["org_id"], code="HT-BG-2")
        )
        people = {}
        for name, phone, branch, role, node in (
            ("县管理员", "13700000001", first, "org_admin", county),
            ("一支书", "13700000002", first, "branch_admin", first),
            ("二支书", "13700000003", second, "branch_admin", second),
            ("审计员", "13700000004", second, "auditor", {"org_id": root.id}),
            ("党员", "13700000005", second, None, None),
        ):
            people[name] = members.create(session, MemberCreate(name=name, phone=phone, branch_id=branch["org_id"]))
            if role:
                grants.grant(session, people[name]["member_id"], role, node["org_id"])
        place.ids = {
            "county": county,
            "first": first,
            "second": second,
            **{name: person["member_id"] for name, person in people.items()},
        }
    yield place
    engine.dispose()


def finish(city: City, import_id: str, **options) -> dict:
    assert city.claim() == import_id
    city.run(import_id, **options)
    return city.read(import_id, None, page_size=500)


def rejected(report: dict) -> dict[int, list[str]]:
    return {row["row"]: row["reasons"] for row in report["rejected_rows"]["items"]}


def test_an_import_accepts_rejects_and_is_idempotent(city):
    rows = (
        HEADER,
        "王一,13900000011,HT-BG-1,否,否,1999-07-01",
        "王二,13900000012,NOPE,是,否,",
        "王三,13900000013,HT-BG,否,是,",
    )
    started = city.start(city.upload(*rows), city.ids["县管理员"], "welcome-1")
    assert (started["state"], started["rows_read"], started["requested_by"]) == ("queued", 0, city.ids["县管理员"])
    report = finish(city, started["import_id"])
    assert rejected(report) == {3: ["UNKNOWN_BRANCH"], 4: ["NOT_A_BRANCH"]}
    assert (report["state"], report["total"], report["rows_read"], report["accepted"], report["rejected"]) == (
        "done",
        3,
        3,
        1,
        2,
    )
    assert report["rejected_rows"]["items"][0]["messages"] == ["no organisation has this branch code"]
    assert report["started_at"] <= report["finished_at"]

    again = finish(city, city.start(city.upload(*rows[:2]), city.ids["县管理员"], "welcome-1")["import_id"])
    assert (again["accepted"], again["unchanged"], again["rejected_rows"]["total"]) == (0, 1, 0)
    assert len(sum(city.imported_announcements(), [])) == 1, "the one member imported is announced once"
    with city.transaction() as session:
        opened = sessions.authenticate(session, "13900000011", "welcome-1", None, "test-secret", 30)
        assert opened["ok"] and opened["password_change_required"], "an initial password is changed at first login"


def test_each_row_is_checked_against_the_scope_of_whoever_started_the_import(city):
    key = city.upload(
        HEADER, "甲,13900000021,HT-BG-2,否,否,", "乙,13900000022,HT-BG-1,否,否,", "丙,13900000023,HT-BG-2,否,否,"
    )
    report = finish(city, city.start(key, city.ids["二支书"])["import_id"])
    assert rejected(report) == {3: ["OUT_OF_SCOPE"]} and report["accepted"] == 2
    with city.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.import")).all()
    assert [(entry.actor_id, entry.org_path, entry.target_id, entry.details) for entry in entries] == [
        (city.ids["二支书"], city.ids["second"]["path"], report["import_id"], {"accepted": 2, "rows": 3})
    ]


def test_the_audit_log_counts_each_branchs_own_members_of_a_batch(city):
    key = city.upload(
        HEADER, "甲,13900000024,HT-BG-2,否,否,", "乙,13900000025,HT-BG-1,否,否,", "丙,13900000026,HT-BG-2,否,否,"
    )
    report = finish(city, city.start(key, city.ids["县管理员"])["import_id"])
    assert report["accepted"] == 3
    with city.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "member.import")).all()
    assert sorted((entry.org_path, entry.details["accepted"]) for entry in entries) == sorted(
        [(city.ids["first"]["path"], 1), (city.ids["second"]["path"], 2)]
    )


def test_only_a_role_that_manages_members_starts_an_import_and_its_file_is_removed(city):
    for who in ("党员", "审计员"):
        key = city.upload(HEADER, "甲,13900000031,HT-BG-2,否,否,")
        with pytest.raises(DomainError) as raised:
            city.start(key, city.ids[who])
        assert (raised.value.code, raised.value.status) == ("FORBIDDEN", 403)
        assert not city.storage.exists(key)
    with pytest.raises(DomainError) as raised:
        city.start(incoming_key(), city.ids["二支书"])
    assert raised.value.code == "IMPORT_FILE_MISSING"


def test_progress_can_be_read_after_every_batch(city, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    key = city.upload(HEADER, *[f"成员{n},1390000004{n},HT-BG-1,否,否," for n in range(5)])
    started = city.start(key, city.ids["一支书"])
    seen = []
    report = finish(
        city, started["import_id"], pause=lambda: seen.append(city.read(started["import_id"], city.ids["一支书"]))
    )
    assert [(view["state"], view["total"], view["rows_read"], view["accepted"]) for view in seen] == [
        ("running", 5, 2, 2),
        ("running", 5, 4, 4),
        ("running", 5, 5, 5),
    ]
    assert seen[0]["started_at"] and seen[0]["finished_at"] is None
    assert (report["state"], report["rows_read"], report["accepted"]) == ("done", 5, 5)
    assert not city.storage.exists(key), "the file goes once the import is done"


class Crash(Exception):
    pass


def test_an_interrupted_import_resumes_where_it_stopped_and_no_row_is_lost_or_imported_twice(city, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    lines = [f"成员{n},1390000005{n},{'HT-BG-1' if n != 3 else 'NOPE'},否,否," for n in range(7)]
    import_id = city.start(city.upload(HEADER, *lines), city.ids["县管理员"])["import_id"]
    batches = []

    def crash_after_two_batches():
        batches.append(1)
        if len(batches) == 2:
            raise Crash

    assert city.claim("worker-1") == import_id
    with pytest.raises(Crash):
        city.run(import_id, "worker-1", pause=crash_after_two_batches)
    halfway = city.read(import_id, None)
    assert (halfway["state"], halfway["rows_read"], halfway["accepted"], halfway["rejected"]) == ("running", 4, 3, 1)
    assert city.claim("worker-2") is None, "the crashed process's lease still runs"

    later = utcnow() + imports.LEASE + timedelta(seconds=1)
    assert city.claim("worker-2", at=later) == import_id
    with pytest.raises(imports.LeaseLost):
        city.run(import_id, "worker-1")
    city.run(import_id, "worker-2")
    report = city.read(import_id, None)
    assert rejected(report) == {5: ["UNKNOWN_BRANCH"]}
    assert (report["state"], report["rows_read"], report["accepted"], report["rejected"]) == ("done", 7, 6, 1)
    assert city.count(select(func.count()).select_from(Member).where(Member.phone.like("1390000005%"))) == 6
    announced = city.imported_announcements()
    imported = city.count(select(func.count()).select_from(Member).where(Member.phone.like("1390000005%")))
    assert [len(batch) for batch in announced] == [2, 1, 2, 1], "one event per settled batch, none repeated"
    assert len(set(sum(announced, []))) == imported == 6


def test_a_process_whose_import_was_taken_over_mid_run_keeps_nothing_of_its_next_batch(city, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    lines = [f"成员{n},1390000007{n},HT-BG-1,否,否," for n in range(5)]
    import_id = city.start(city.upload(HEADER, *lines), city.ids["县管理员"])["import_id"]
    later = utcnow() + imports.LEASE + timedelta(seconds=1)
    taken = []

    def taken_over_after_the_first_batch():
        if not taken:
            taken.append(city.claim("worker-2", at=later))

    assert city.claim("worker-1") == import_id
    with pytest.raises(imports.LeaseLost):
        city.run(import_id, "worker-1", pause=taken_over_after_the_first_batch)
    assert taken == [import_id]
    assert city.read(import_id, None)["rows_read"] == 2, "the batch settled after the takeover is not kept"
    assert city.count(select(func.count()).select_from(Member).where(Member.phone.like("1390000007%"))) == 2
    city.run(import_id, "worker-2")
    report = city.read(import_id, None)
    assert (report["state"], report["rows_read"], report["accepted"]) == ("done", 5, 5)
    assert [len(batch) for batch in city.imported_announcements()] == [2, 2, 1], "no batch announced twice"


def test_a_process_that_stops_gives_its_import_back_at_once(city, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 1)
    import_id = city.start(
        city.upload(HEADER, "甲,13900000061,HT-BG-1,否,否,", "乙,13900000062,HT-BG-1,否,否,"), city.ids["一支书"]
    )["import_id"]
    assert city.claim("worker-1") == import_id
    stopping = iter([False, True])
    city.run(import_id, "worker-1", should_stop=lambda: next(stopping))
    assert city.read(import_id, None)["rows_read"] == 1
    assert city.claim("worker-2") == import_id
    city.run(import_id, "worker-2")
    assert (
        city.read(import_id, None)["accepted"],
        city.count(select(func.count()).select_from(Member).where(Member.phone.like("1390000006%"))),
    ) == (2, 2)


def test_a_file_that_is_not_a_roster_fails_the_import_with_a_reason(city):
    key = incoming_key()
    city.storage.put_bytes(key, b"\x89PNG\r\n\x1a\n\x00\x00binary", "image/png")
    report = finish(city, city.start(key, city.ids["一支书"])["import_id"])
    assert report["state"] == "failed" and report["error"]["code"] == "ROSTER_UNREADABLE"
    assert report["rows_read"] == 0 and report["finished_at"] and not city.storage.exists(key)


def test_an_import_is_read_by_whoever_started_it_or_whoever_covers_its_branches(city):
    import_id = finish(
        city, city.start(city.upload(HEADER, "甲,13900000071,HT-BG-2,否,否,"), city.ids["二支书"])["import_id"]
    )["import_id"]
    for reader in ("二支书", "县管理员", "审计员"):
        assert city.read(import_id, city.ids[reader])["accepted"] == 1
    for reader in ("一支书", "党员"):
        with pytest.raises(DomainError) as raised:
            city.read(import_id, city.ids[reader])
        assert (raised.value.code, raised.value.status) == ("FORBIDDEN", 403)
    citywide = finish(city, city.start(city.upload(HEADER, "乙,13900000072,HT-BG-2,否,否,"), None)["import_id"])
    assert citywide["citywide"] and citywide["accepted"] == 1
    with pytest.raises(DomainError):
        city.read(citywide["import_id"], city.ids["县管理员"])
    assert city.read(citywide["import_id"], city.ids["审计员"])["accepted"] == 1, "the auditor's role is the city's"
    with pytest.raises(DomainError) as raised:
        city.read("no-such-import", None)
    assert (raised.value.code, raised.value.status) == ("IMPORT_NOT_FOUND", 404)


def test_the_rejected_rows_are_paged_in_the_files_order(city):
    lines = [f"成员{n},139000008{n:02d},{'HT-BG-1' if n % 3 else 'NOPE'},否,否," for n in range(12)]
    import_id = finish(city, city.start(city.upload(HEADER, *lines), city.ids["一支书"])["import_id"])["import_id"]
    with city.transaction() as session:
        job = session.get(RosterImport, import_id)
        total, page = imports.rejected(session, job, 2, 2)
        assert (total, [row["row"] for row in page]) == (4, [8, 11])
        assert imports.rejected(session, job, 4, 2) == (4, [])


def test_a_repeat_with_the_same_idempotency_key_answers_the_first_import(city):
    lines = (HEADER, "甲,13900000091,HT-BG-1,否,否,")
    first = city.start(city.upload(*lines), city.ids["一支书"], idempotency_key="import-1")
    repeat_key = city.upload(*lines)
    assert city.start(repeat_key, city.ids["一支书"], idempotency_key="import-1") == first
    assert not city.storage.exists(repeat_key)
    with pytest.raises(DomainError) as raised:
        city.start(city.upload(HEADER, "乙,13900000092,HT-BG-1,否,否,"), city.ids["一支书"], idempotency_key="import-1")
    assert raised.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert city.count(select(func.count()).select_from(RosterImport)) == 1
    assert city.count(select(func.count()).select_from(RosterImportRejection)) == 0


@pytest.fixture
def directory(container_factory, make_config, databases, tmp_path, monkeypatch):
    monkeypatch.setenv("PARTYDAY_MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    url = databases.create("directory")
    upgrade("directory", url)
    container = container_factory(DirectoryService, make_config("directory", url=url))
    container.start()
    yield container
    get_settings.cache_clear()


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def test_the_service_runs_an_import_in_the_background_and_answers_its_progress(directory):
    parent = call(directory, "find_org_by_code", "HZ")
    for level in ("county", "township", "branch"):
        parent = call(
            directory,
            "create_org",
            {"name": level, "level": level, "parent_id": parent["org_id"], "code": f"B-{level}"},
        )
    storage = make_storage(get_settings())
    key = incoming_key()
    storage.put_bytes(key, f"{HEADER}\n甲,13900000101,B-branch,否,否,\n乙,12345,B-branch,否,否,\n".encode(), "text/csv")
    started = call(
        directory,
        "start_import",
        {"storage_key": key, "citywide": True, "initial_password": "welcome-1", "filename": "花名册.csv"},
    )
    done = wait_until(
        lambda: (
            (found := call(directory, "get_import", started["import_id"], citywide=True))["state"] == "done" and found
        ),
        message="the import's end",
    )
    assert (done["filename"], done["format"], done["accepted"], done["rejected"]) == ("花名册.csv", "csv", 1, 1)
    assert [(row["row"], row["reasons"]) for row in done["rejected_rows"]["items"]] == [(3, ["PHONE_INVALID"])]
    second_page = call(directory, "get_import", started["import_id"], citywide=True, page=2, page_size=1)
    assert second_page["rejected_rows"] == {"items": [], "total": 1, "page": 2, "page_size": 1}
    assert call(directory, "authenticate", "13900000101", "welcome-1")["kind"] == "member"
    with pytest.raises(DomainError) as raised:
        call(directory, "start_import", {"storage_key": key, "citywide": True, "requested_by": "someone"})
    assert raised.value.code == "VALIDATION_FAILED"
