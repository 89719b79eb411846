"""The synthetic city's roster imported through the gateway: 208,000 members from a CSV, then from an XLSX.

Starts every service and the gateway as processes on a fresh RabbitMQ vhost and fresh PostgreSQL databases,
and writes the synthetic city's 9,145 organisations (not its members) into the directory database: the
city has existed for weeks, so their org_created events are not relayed again. The roster files hold the
city's 208,000 members with their branch codes (the XLSX the same people under phone numbers of their own,
so that its rows are new too), and every BENCH_BAD_EVERY-th row (500) is wrong in one of three ways.

Each file is uploaded as the city admin (POST /api/v1/members/import), and the import is followed with
GET /api/v1/imports/{id} every BENCH_POLL_S (0.25 s) until it ends. Printed: the upload's time, the time to
the report (from the start of the upload to the import's end), rows per second, whether every poll was
answered with progress that never went back (and the slowest poll), and the CPU each process spent. Then the
report is checked: every bad row is rejected with its reason and no other row, and the directory holds every
accepted member once. How many of the import's members_imported events (one per batch of 1,000) the directory
had relayed by the report is printed too, and how long the stack then took to relay and consume the rest, so
that the XLSX is measured on a quiet stack as the CSV was.

Prints figures and never gates on timing: exits 1 only on errors or a report that lost or misplaced a row.
"""

import os
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests
from openpyxl import Workbook
from sqlalchemy import MetaData, Table, create_engine, insert, text

from bench.stack import (
    RABBIT_API,
    Scratch,
    count,
    cpu_report,
    cpu_seconds,
    cpu_spent,
    migrate,
    running_stack,
    stack_environment,
    workspace,
)
from partyday_common.db import utcnow
from partyday_common.envelope import Envelope
from partyday_common.settings import DEVELOPMENT_ADMIN_PASSWORD, DEVELOPMENT_ADMIN_PHONE, SERVICES
from partyday_common.tables import OUTBOX
from partyday_directory.models import Org
from partyday_directory_dev.city import City, generate_city

SEED = 20261121
POLL_S = float(os.environ.get("BENCH_POLL_S", "0.25"))
BAD_EVERY = int(os.environ.get("BENCH_BAD_EVERY", "500"))
TARGET_CSV_S = 20.0
IMPORT_WITHIN_S = 900
SETTLE_WITHIN_S = 1800
HEADER = ("姓名", "手机号", "支部编码", "党员类型", "流动党员", "失联党员", "入党日期")
# The three ways a row is wrong, in turn, and the reason each must be rejected with.
BAD_ROWS = (
    ("PHONE_INVALID", {1: "12345"}),
    ("UNKNOWN_BRANCH", {2: "NO-SUCH-BRANCH"}),
    ("DATE_INVALID", {6: "2999-01-01"}),
)


@dataclass
class Roster:
    rows: list[tuple]
    rejected: dict[int, str]

    @property
    def accepted(self) -> int:
        return len(self.rows) - len(self.rejected)


@dataclass
class Run:
    label: str
    location: str = ""
    upload_s: float = 0.0
    report_s: float = 0.0
    state: str = ""
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    polls: int = 0
    poll_failures: int = 0
    went_back: int = 0
    slowest_poll_s: float = 0.0
    progress_seen: set = field(default_factory=set)
    cpu: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def write_organisations(scratch: Scratch, city: City) -> None:
    """The city's tree without its members as the directory holds it after weeks: each organisation's
    org_created event relayed long ago, and the statistics autovacuum would have taken (it is off on the
    test PostgreSQL), so that the import's first events meet the planner as they would in production."""
    engine = create_engine(scratch.database_url("directory"))
    now = utcnow()
    orgs = [
        {
            "org_id": org.id,
            "code": org.code,
            "name": org.name,
            "parent_id": org.parent_id,
            "level": org.level,
            "domain": org.domain,
            "kind": org.kind,
            "path": org.path,
            "venue_lat": org.venue_lat,
            "venue_lon": org.venue_lon,
        }
        for org in city.orgs
    ]
    events = [Envelope(event_type="org_created", source="directory", data=org) for org in orgs]
    try:
        with engine.begin() as connection:
            connection.execute(
                insert(Org.__table__),
                [{"id": org.pop("org_id"), **org, "created_at": now} for org in (dict(org) for org in orgs)],
            )
            connection.execute(
                insert(Table(OUTBOX, MetaData(), autoload_with=connection)),
                [
                    {
                        "event_id": event.event_id,
                        "event_type": event.event_type,
                        "body": event.to_message(),
                        "created_at": now,
                        "published_at": now,
                        "attempts": 1,
                    }
                    for event in events
                ],
            )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def roster(city: City, phone_of) -> Roster:
    """Every member of the city as a roster row; every BAD_EVERY-th row wrong in one of the BAD_ROWS ways."""
    codes = {org.id: org.code for org in city.orgs}
    rows, rejected = [], {}
    for number, member in enumerate(city.members, start=1):
        row = [
            member.name,
            phone_of(number, member),
            codes[member.branch_id],
            "预备" if member.probationary else "正式",
            "是" if member.mobile else "否",
            "否",
            member.joined_on.isoformat(),
        ]
        if number % BAD_EVERY == 0:
            reason, changes = BAD_ROWS[(number // BAD_EVERY) % len(BAD_ROWS)]
            for column, value in changes.items():
                row[column] = value
            rejected[number + 1] = reason
        rows.append(tuple(row))
    return Roster(rows, rejected)


def write_csv(path: Path, rows: list[tuple]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write(",".join(HEADER) + "\r\n")
        file.writelines(",".join(row) + "\r\n" for row in rows)


def write_xlsx(path: Path, rows: list[tuple]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def log_in(base: str) -> dict:
    answer = requests.post(
        f"{base}/api/v1/auth/login",
        json={"phone": DEVELOPMENT_ADMIN_PHONE, "password": DEVELOPMENT_ADMIN_PASSWORD},
        timeout=30,
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def import_file(base: str, headers: dict, path: Path, label: str, stack) -> Run:
    """Upload the file, follow the import until it ends, and note how its progress read."""
    run = Run(label)
    http = requests.Session()
    before = cpu_seconds(stack.parts())
    started = time.perf_counter()
    with open(path, "rb") as file:
        answer = http.post(
            f"{base}/api/v1/members/import", headers=headers, files={"file": (path.name, file)}, timeout=300
        )
    run.upload_s = time.perf_counter() - started
    if answer.status_code != 202:
        run.problems.append(f"the upload answered {answer.status_code}: {answer.text[:300]}")
        return run
    location = f"{base}{answer.headers['Location']}"
    last = -1
    while time.perf_counter() - started < IMPORT_WITHIN_S:
        asked = time.perf_counter()
        try:
            polled = http.get(location, headers=headers, params={"page_size": 1}, timeout=30)
        except requests.RequestException:
            polled = None
        took = time.perf_counter() - asked
        run.polls += 1
        run.slowest_poll_s = max(run.slowest_poll_s, took)
        if polled is None or polled.status_code != 200:
            run.poll_failures += 1
            time.sleep(POLL_S)
            continue
        found = polled.json()
        run.went_back += found["rows_read"] < last
        last = found["rows_read"]
        run.progress_seen.add(last)
        if found["state"] in ("done", "failed"):
            run.report_s = time.perf_counter() - started
            run.state, run.rows_read = found["state"], found["rows_read"]
            run.accepted, run.rejected = found["accepted"], found["rejected"]
            if found["error"]:
                run.problems.append(f"the import failed: {found['error']}")
            break
        time.sleep(max(0.0, POLL_S - took))
    else:
        run.problems.append(f"the import did not end within {IMPORT_WITHIN_S} s")
    run.cpu = cpu_spent(before, cpu_seconds(stack.parts()))
    run.location = location
    return run


def check_report(base: str, headers: dict, run: Run, expected: Roster) -> None:
    """Every bad row rejected with its reason and nothing else; the counts add up to the file's rows."""
    if run.state != "done":
        return
    rejected, page = {}, 1
    while True:
        answer = requests.get(run.location, headers=headers, params={"page": page, "page_size": 500}, timeout=60).json()
        rejected.update({row["row"]: row["reasons"] for row in answer["rejected_rows"]["items"]})
        if page * 500 >= answer["rejected_rows"]["total"]:
            break
        page += 1
    wanted = {row: [reason] for row, reason in expected.rejected.items()}
    if rejected != wanted:
        wrong = sorted(row for row in set(rejected) | set(wanted) if rejected.get(row) != wanted.get(row))[:5]
        run.problems.append(f"the report's rejected rows differ from the file's bad rows (e.g. rows {wrong})")
    if (run.rows_read, run.accepted, run.rejected) != (len(expected.rows), expected.accepted, len(expected.rejected)):
        run.problems.append(
            f"{run.rows_read:,} rows read, {run.accepted:,} accepted, {run.rejected:,} rejected; "
            f"expected {len(expected.rows):,}, {expected.accepted:,}, {len(expected.rejected):,}"
        )


def wait_until_quiet(scratch: Scratch) -> float:
    """Until every outbox is relayed and every queue of the vhost is empty; the seconds it took."""
    started = time.monotonic()
    engines = {name: create_engine(scratch.database_url(name)) for name in SERVICES}
    try:
        while time.monotonic() - started < SETTLE_WITHIN_S:
            backlog = sum(
                count(engine, f"SELECT count(*) FROM {OUTBOX} WHERE published_at IS NULL AND abandoned_at IS NULL")
                for engine in engines.values()
            )
            queues = requests.get(f"{RABBIT_API}/api/queues/{quote(scratch.vhost, safe='')}", timeout=10).json()
            waiting = sum(queue.get("messages", 0) for queue in queues if not queue["name"].startswith("rpc"))
            if backlog == 0 and waiting == 0:
                return time.monotonic() - started
            time.sleep(2)
    finally:
        for engine in engines.values():
            engine.dispose()
    raise TimeoutError(f"the stack did not settle within {SETTLE_WITHIN_S} s")


def follow_events(scratch: Scratch, run: Run) -> None:
    """Print how far the import's `members_imported` events (one per batch) had got by the report, then how
    long the stack took to relay and consume the rest, so that the next import meets a quiet stack."""
    directory = create_engine(scratch.database_url("directory"))
    try:
        total, relayed = (
            count(directory, f"SELECT count(*) FROM {OUTBOX} WHERE event_type = 'members_imported'"),
            count(
                directory,
                f"SELECT count(*) FROM {OUTBOX} WHERE event_type = 'members_imported' AND published_at IS NOT NULL",
            ),
        )
    finally:
        directory.dispose()
    print(f"  events     {relayed:,} of the {total:,} members_imported events so far relayed by now", flush=True)
    print(f"  settled    in {wait_until_quiet(scratch):.0f} s (every event relayed and consumed)", flush=True)


def report(run: Run, expected: Roster) -> None:
    rate = run.rows_read / run.report_s if run.report_s else 0.0
    print(
        f"{run.label}: {len(expected.rows):,} rows, {run.state or 'not finished'}; upload {run.upload_s:.1f} s, "
        f"report after {run.report_s:.1f} s: {rate:,.0f} rows/s; {run.accepted:,} accepted, "
        f"{run.rejected:,} rejected"
    )
    readable = run.poll_failures == 0 and run.went_back == 0
    print(
        f"  progress   {run.polls} polls, {'every one answered' if readable else 'NOT always readable'} "
        f"({run.poll_failures} failed, {run.went_back} went back), {len(run.progress_seen)} distinct counts "
        f"of rows read, slowest poll {run.slowest_poll_s * 1000:.0f} ms"
    )
    print(f"  CPU during the import, by part:\n{cpu_report(run.cpu, run.rows_read, run.report_s or 1.0)}")
    for problem in run.problems:
        print(f"  PROBLEM    {problem}")


def main() -> int:
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    print(f"roster import benchmark: synthetic city of seed {SEED}, every {BAD_EVERY}th row wrong", flush=True)
    os.environ.setdefault("PARTYDAY_SECRET_KEY", uuid.uuid4().hex + uuid.uuid4().hex)
    started = time.monotonic()
    city = generate_city(SEED)
    csv_roster = roster(city, lambda _number, member: member.phone)
    xlsx_roster = roster(city, lambda number, _member: f"14{number:09d}")
    files = Path(tempfile.mkdtemp(prefix="partyday-bench-import-files-"))
    csv_path, xlsx_path = files / "roster.csv", files / "roster.xlsx"
    write_csv(csv_path, csv_roster.rows)
    write_xlsx(xlsx_path, xlsx_roster.rows)
    print(
        f"generated the city and its rosters in {time.monotonic() - started:.0f} s: CSV "
        f"{csv_path.stat().st_size / 1e6:.1f} MB, XLSX {xlsx_path.stat().st_size / 1e6:.1f} MB",
        flush=True,
    )
    runs = []
    try:
        with workspace("import") as place:
            environment = stack_environment(
                place.scratch,
                place.data_dir,
                PARTYDAY_PLANS_TIMER_INTERVAL_S="3600",
                PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S="3600",
                PARTYDAY_LOG_LEVEL="WARNING",
            )
            migrate(environment)
            write_organisations(place.scratch, city)
            with running_stack(environment, place.log_dir, place.scratch) as stack:
                base = f"http://127.0.0.1:{stack.port}"
                headers = log_in(base)
                for label, path, expected in (("CSV", csv_path, csv_roster), ("XLSX", xlsx_path, xlsx_roster)):
                    run = import_file(base, headers, path, label, stack)
                    check_report(base, headers, run, expected)
                    report(run, expected)
                    runs.append(run)
                    follow_events(place.scratch, run)
                directory = create_engine(place.scratch.database_url("directory"))
                members = count(directory, "SELECT count(*) FROM members WHERE branch_id IS NOT NULL")
                directory.dispose()
            expected_members = csv_roster.accepted + xlsx_roster.accepted
            if members != expected_members:
                runs[-1].problems.append(f"the directory holds {members:,} members, not {expected_members:,}")
                print(f"PROBLEM: the directory holds {members:,} members, not {expected_members:,}")
            csv_run = runs[0]
            print(
                f"target: the CSV's report within {TARGET_CSV_S:.0f} s "
                f"{'MET' if csv_run.state == 'done' and csv_run.report_s <= TARGET_CSV_S else 'MISSED'} "
                f"({csv_run.report_s:.1f} s)"
            )
            place.succeeded = all(not run.problems and run.poll_failures == 0 for run in runs)
    finally:
        csv_path.unlink(missing_ok=True)
        xlsx_path.unlink(missing_ok=True)
        files.rmdir()
    return 0 if place.succeeded else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the stack is stopped, its vhost and databases removed")
