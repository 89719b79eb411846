"""The synthetic city's party day: can 350 members a second sign in through the gateway, and none be lost?

Starts every service and the gateway as processes on a fresh RabbitMQ vhost and fresh PostgreSQL databases,
loads the synthetic city (9,144 organisations, 208,000 members) into the directory database and gives every
member a live session. The city has existed for weeks on its party day, so the load's 208k `member_joined`
outbox rows are marked as relayed (bench-dispatch measures that flood); its `org_created` events do go out.
Every branch's plan is then approved at once: a `plan_approved` event per branch, with the branch's roster
and venue, as the plans service emits it; the run waits until attendance has opened every sign-in sheet
and every service has taken in the approvals.

Then, open loop at BENCH_RATE sign-ins per second for at most BENCH_DURATION_S seconds, members sign in
with POST /api/v1/activities/{id}/check-in over BENCH_CONCURRENCY keep-alive connections: a valid token
and a position inside the fence, except a share (BENCH_INVALID_SHARE) that sends a forged token or a
position outside the fence and must be refused with TOKEN_INVALID or GEOFENCE_OUTSIDE. Latency is measured
from the moment a request was due, so a stack that falls behind shows it. In the same run, GET /pingz
(one no-op RPC round trip through the same gateway) gives the ceiling, and sign-ins sent the same way (closed
loop, as many in flight, for as long) give the sign-in's own capacity to compare with it: a second activity of
as many branches as that takes, so that the party day's members are all left for the open loop. The two are
measured in BENCH_ROUNDS alternating rounds, so that a machine whose speed drifts during the run (a shared
virtual machine's does) weighs on both alike.

At the end, every sign-in answered 2xx must be in the attendance database, and nothing else.
Prints figures and never gates on timing: exits 1 only on errors or lost sign-ins.
"""

import asyncio
import io
import math
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import psycopg2
import requests
from kombu import Connection as AmqpConnection
from nameko.standalone.events import get_event_exchange
from sqlalchemy import create_engine, text

from bench.stack import (
    RABBIT_API,
    Connection,
    Scratch,
    closed_loop,
    count,
    cpu_report,
    cpu_seconds,
    cpu_spent,
    migrate,
    noop_ceiling,
    percentiles,
    running_stack,
    skip_member_flood,
    stack_environment,
    workspace,
)
from partyday_attendance import tokens
from partyday_attendance.settings import get_settings as attendance_settings
from partyday_common.envelope import Envelope
from partyday_common.settings import SERVICES, get_settings
from partyday_common.tables import OUTBOX
from partyday_directory_dev.city import load_city
from partyday_gateway.auth import Tokens

SEED = 20261121
RATE = float(os.environ.get("BENCH_RATE", "350"))
DURATION_S = float(os.environ.get("BENCH_DURATION_S", "600"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "64"))
INVALID_SHARE = float(os.environ.get("BENCH_INVALID_SHARE", "0.05"))
BRANCH_LIMIT = int(os.environ.get("BENCH_BRANCHES", "0"))
CEILING_S = float(os.environ.get("BENCH_CEILING_S", "30"))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
CAPACITY_MAX_RATE = 2_000
TARGET_RATE, TARGET_P99_S, TARGET_SHARE = 350.0, 0.5, 0.5
SHEETS_WITHIN_S = 900
DRAIN_S = 30
REQUEST_TIMEOUT_S = 30
PROGRESS_EVERY_S = 10.0
METRES_PER_DEGREE = 111_320


@dataclass
class Attempt:
    member_id: str
    activity_id: str
    token: str
    lat: float
    lon: float
    expected: str
    authorization: str = ""


@dataclass
class Run:
    seconds: float = 0.0
    accepted: list[tuple[str, str]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    refused: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    behind: int = 0
    unsent: int = 0

    def add(self, other: "Run") -> None:
        self.seconds += other.seconds
        self.accepted += other.accepted
        self.latencies += other.latencies
        self.refused.update(other.refused)
        self.errors.update(other.errors)
        self.behind += other.behind
        self.unsent += other.unsent


@dataclass
class Comparison:
    """The no-op ceiling and the sign-in's capacity, each summed over its rounds, and the CPU each used."""

    ceiling_latencies: list[float] = field(default_factory=list)
    ceiling_errors: int = 0
    ceiling_seconds: float = 0.0
    capacity: Run = field(default_factory=Run)
    shares: list[float] = field(default_factory=list)
    ceiling_cpu: Counter = field(default_factory=Counter)
    capacity_cpu: Counter = field(default_factory=Counter)

    @property
    def ceiling_rate(self) -> float:
        return len(self.ceiling_latencies) / self.ceiling_seconds if self.ceiling_seconds else 0.0

    @property
    def share(self) -> float:
        return answered_rate(self.capacity) / self.ceiling_rate if self.ceiling_rate else 0.0


def load(scratch: Scratch) -> dict:
    city = load_city(scratch.database_url("directory"), SEED, "partyday-demo")
    print(
        f"loaded the city (seed {SEED}) in {city['seconds']:.1f} s: {city['orgs']:,} organisations, "
        f"{city['branches']:,} branches, {city['members']:,} members",
        flush=True,
    )
    print(f"{skip_member_flood(scratch):,} member_joined events of the load marked as relayed long ago", flush=True)
    return city


def open_sessions(scratch: Scratch) -> dict[str, str]:
    """A live session for every member (as if each had logged in on their phone): session id by member."""
    engine = create_engine(scratch.database_url("directory"))
    with engine.connect() as connection:
        members = connection.execute(text("SELECT id FROM members WHERE active")).scalars().all()
    engine.dispose()
    sessions = {member_id: uuid.uuid4().hex for member_id in members}
    now = datetime.now(timezone.utc).isoformat()
    rows = io.StringIO(
        "".join(f"{sid}\t{member_id}\tmember\t{uuid.uuid4().hex}\t{now}\n" for member_id, sid in sessions.items())
    )
    with psycopg2.connect(scratch.database_url("directory").replace("postgresql+psycopg2", "postgresql")) as raw:
        with raw.cursor() as cursor:
            cursor.copy_expert("COPY sessions (id, subject, kind, current_refresh_id, created_at) FROM STDIN", rows)
    return sessions


def branches_with_rosters(scratch: Scratch) -> tuple[list, dict[str, list[dict]]]:
    """Every branch with members (at most BENCH_BRANCHES), and each one's roster."""
    engine = create_engine(scratch.database_url("directory"))
    with engine.connect() as connection:
        branches = connection.execute(
            text("SELECT id, path, name, venue_lat, venue_lon FROM orgs WHERE level = 'branch' ORDER BY code")
        ).all()
        rosters: dict[str, list[dict]] = {}
        for member_id, name, branch_id, mobile, probationary in connection.execute(
            text("SELECT id, name, branch_id, mobile, probationary FROM members WHERE active ORDER BY id")
        ):
            rosters.setdefault(branch_id, []).append(
                {"member_id": member_id, "name": name, "mobile": mobile, "probationary": probationary}
            )
    engine.dispose()
    branches = [branch for branch in branches if rosters.get(branch.id)]
    if BRANCH_LIMIT:
        branches = branches[:BRANCH_LIMIT]
    return branches, rosters


def approve(
    scratch: Scratch, branches: list, rosters: dict[str, list[dict]], starts_at: datetime, theme: str
) -> list[dict]:
    """Publish `plan_approved` for each branch, as the plans service does on approval."""
    activities = []
    exchange = get_event_exchange("plans", {})
    with AmqpConnection(scratch.amqp_uri) as connection:
        producer = connection.Producer()
        for branch in branches:
            activity = {
                "plan_id": uuid.uuid4().hex,
                "activity_id": uuid.uuid4().hex,
                "branch_id": branch.id,
                "branch_path": branch.path,
                "month": starts_at.strftime("%Y-%m"),
                "theme": theme,
                "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
                "venue_name": f"{branch.name}活动室",
                "venue_lat": branch.venue_lat,
                "venue_lon": branch.venue_lon,
                "radius_m": 300,
                "required_actions": [],
                "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60},
                "roster": rosters[branch.id],
            }
            envelope = Envelope(event_type="plan_approved", source="plans", data=activity)
            producer.publish(
                envelope.to_message(),
                exchange=exchange,
                routing_key="plan_approved",
                serializer="json",
                declare=[exchange],
                delivery_mode=2,
            )
            activities.append(activity)
    return activities


def capacity_branches(branches: list, rosters: dict[str, list[dict]]) -> list:
    """Enough branches for a second activity whose members can sign in closed loop for CEILING_S seconds,
    at up to CAPACITY_MAX_RATE sign-ins a second."""
    chosen, members = [], 0
    for branch in branches:
        if members >= CEILING_S * CAPACITY_MAX_RATE:
            break
        chosen.append(branch)
        members += len(rosters[branch.id])
    return chosen


def wait_until_quiet(scratch: Scratch, within_s: float = SHEETS_WITHIN_S) -> None:
    """Until every outbox is relayed and every queue of the vhost is empty: the city's load, then the
    approvals, have been taken in by every service (scoring and media consume plan_approved too)."""
    started = time.monotonic()
    engines = {name: create_engine(scratch.database_url(name)) for name in SERVICES}
    next_report = 0.0
    try:
        while time.monotonic() - started < within_s:
            backlog = sum(
                count(engine, f"SELECT count(*) FROM {OUTBOX} WHERE published_at IS NULL AND abandoned_at IS NULL")
                for engine in engines.values()
            )
            queues = requests.get(f"{RABBIT_API}/api/queues/{quote(scratch.vhost, safe='')}", timeout=10).json()
            waiting = sum(queue.get("messages", 0) for queue in queues if not queue["name"].startswith("rpc"))
            elapsed = time.monotonic() - started
            if backlog == 0 and waiting == 0:
                print(f"every event settled in {elapsed:.0f} s", flush=True)
                return
            if elapsed >= next_report:
                print(f"  settling: {backlog:,} events to relay, {waiting:,} waiting in queues", flush=True)
                next_report = elapsed + PROGRESS_EVERY_S
            time.sleep(2)
    finally:
        for engine in engines.values():
            engine.dispose()
    raise TimeoutError(f"the city's events did not settle within {within_s:.0f} s")


def settle_databases(scratch: Scratch) -> None:
    """VACUUM ANALYZE and a checkpoint after the approvals' bulk writes: on a real party day the sheets were
    opened days before, so the run should not pay for autovacuum and dirty pages of a load seconds old."""
    started = time.monotonic()
    for name in SERVICES:
        engine = create_engine(scratch.database_url(name), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    with scratch.admin.connect() as connection:
        connection.execute(text("CHECKPOINT"))
    print(f"databases vacuumed, analysed and checkpointed in {time.monotonic() - started:.1f} s", flush=True)


def wait_for_sheets(scratch: Scratch, activities: int, published_at: float) -> None:
    engine = create_engine(scratch.database_url("attendance"))
    next_report = 0.0
    try:
        while time.monotonic() - published_at < SHEETS_WITHIN_S:
            opened = count(engine, "SELECT count(*) FROM activities")
            elapsed = time.monotonic() - published_at
            if opened == activities:
                print(
                    f"attendance opened {activities:,} sign-in sheets in {elapsed:.1f} s "
                    f"({activities / elapsed:,.0f} plan_approved events/s)",
                    flush=True,
                )
                return
            if elapsed >= next_report:
                print(f"  attendance has opened {opened:,} / {activities:,} sheets after {elapsed:.0f} s", flush=True)
                next_report = elapsed + PROGRESS_EVERY_S
            time.sleep(1)
    finally:
        engine.dispose()
    raise TimeoutError(f"attendance did not open every sheet within {SHEETS_WITHIN_S} s")


def attempts(activities: list[dict], keys: dict[str, str], expires_at: datetime) -> list[Attempt]:
    """One sign-in per member, shuffled across the city; a share of them forged or out of the fence."""
    rng = random.Random(SEED)
    planned = []
    for activity in activities:
        token = tokens.sign(activity["activity_id"], keys, expires_at)
        for member in activity["roster"]:
            distance = rng.uniform(0, 250)
            bearing = rng.uniform(0, 6.283)
            lat = activity["venue_lat"] + distance * math.cos(bearing) / METRES_PER_DEGREE
            lon = activity["venue_lon"] + distance * math.sin(bearing) / METRES_PER_DEGREE
            attempt = Attempt(member["member_id"], activity["activity_id"], token, lat, lon, "signed_in")
            draw = rng.random()
            if draw < INVALID_SHARE / 2:
                attempt.token, attempt.expected = token[:-4] + "AAAA", "TOKEN_INVALID"
            elif draw < INVALID_SHARE:
                attempt.lat, attempt.expected = activity["venue_lat"] + 0.01, "GEOFENCE_OUTSIDE"
            planned.append(attempt)
    rng.shuffle(planned)
    return planned


def log_everyone_in(planned: list[Attempt], sessions: dict[str, str], issuer: Tokens) -> None:
    """An access token for each attempt, made before the runs: phones hold theirs already, and the load
    generator shares the machine's two cores with the stack it measures."""
    for attempt in planned:
        attempt.authorization = (
            "Bearer " + issuer.issue(attempt.member_id, sessions[attempt.member_id], "bench", "member")["access_token"]
        )


async def send(connection: Connection, attempt: Attempt, run: Run, since: float) -> None:
    """One sign-in, its latency counted from `since` and its answer checked against what was intended."""
    body = {
        "token": attempt.token,
        "lat": attempt.lat,
        "lon": attempt.lon,
        "accuracy_m": 15,
        "device_id": f"phone-{attempt.member_id[:8]}",
        "nonce": uuid.uuid4().hex,
    }
    try:
        status, answer = await asyncio.wait_for(
            connection.exchange(
                "POST", f"/api/v1/activities/{attempt.activity_id}/check-in", body, attempt.authorization
            ),
            REQUEST_TIMEOUT_S,
        )
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError, KeyError) as exc:
        run.errors[type(exc).__name__] += 1
        connection.close()
        return
    run.latencies.append(time.perf_counter() - since)
    if 200 <= status < 300:
        run.accepted.append((attempt.activity_id, attempt.member_id))
        if attempt.expected != "signed_in":
            run.errors[f"accepted although {attempt.expected}"] += 1
    else:
        code = answer.get("error", {}).get("code", f"HTTP {status}")
        if code == attempt.expected:
            run.refused[code] += 1
        else:
            run.errors[f"HTTP {status} {code}"] += 1


async def sign_in_everyone(port: int, planned: list[Attempt]) -> Run:
    """Open loop: the n-th attempt is due at n / RATE; latency counts from when it was due."""
    run = Run()
    queue: asyncio.Queue = asyncio.Queue()
    started = time.perf_counter()
    stop_at = started + DURATION_S
    total = len(planned)

    async def schedule() -> None:
        for index, attempt in enumerate(planned):
            due = started + index / RATE
            if due >= stop_at:
                break
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((due, attempt))
        for _ in range(CONCURRENCY):
            queue.put_nowait(None)

    async def worker(connection: Connection) -> None:
        while (item := await queue.get()) is not None:
            due, attempt = item
            if time.perf_counter() > stop_at + DRAIN_S:
                run.unsent += 1
                continue
            if time.perf_counter() - due > 1.0:
                run.behind += 1
            await send(connection, attempt, run, due)

    async def progress() -> None:
        answered_before = 0
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            elapsed = time.perf_counter() - started
            answered = len(run.accepted) + sum(run.refused.values())
            print(
                f"  {elapsed:4.0f} s: {len(run.accepted):,} signed in ({len(run.accepted) / elapsed:,.0f}/s), "
                f"{(answered - answered_before) / PROGRESS_EVERY_S:,.0f}/s answered in the last "
                f"{PROGRESS_EVERY_S:.0f} s, {sum(run.errors.values())} errors, {run.behind:,} sent over 1 s late",
                flush=True,
            )
            answered_before = answered

    connections = [Connection(port) for _ in range(CONCURRENCY)]
    reporter = asyncio.create_task(progress())
    await asyncio.gather(schedule(), *(worker(connection) for connection in connections))
    reporter.cancel()
    for connection in connections:
        connection.close()
    run.seconds = time.perf_counter() - started
    print(f"  {len(run.latencies):,} of {total:,} planned sign-ins sent", flush=True)
    return run


async def sign_in_capacity(port: int, pending: Iterator[Attempt], seconds: float) -> Run:
    """Closed loop, as the no-op ceiling is measured: CONCURRENCY connections each sending its next sign-in
    as soon as the last is answered, for `seconds`; latency counts from each send."""
    run = Run()

    async def step(connection: Connection) -> bool:
        attempt = next(pending, None)
        if attempt is None:
            run.errors["capacity run ran out of sign-ins before its time"] = 1
            return False
        await send(connection, attempt, run, time.perf_counter())
        return True

    run.seconds = await closed_loop(port, CONCURRENCY, seconds, step)
    return run


def compare(stack, planned: list[Attempt]) -> Comparison:
    """ROUNDS rounds of the no-op ceiling and the sign-in's capacity, CEILING_S / ROUNDS seconds each, the ceiling
    first in odd rounds and last in even ones, so that a drift within a round does not favour either."""
    comparison = Comparison()
    pending = iter(planned)
    seconds = CEILING_S / ROUNDS

    def ceiling() -> float:
        before = cpu_seconds(stack.parts())
        latencies, errors, took = asyncio.run(noop_ceiling(stack.port, CONCURRENCY, seconds))
        comparison.ceiling_cpu.update(cpu_spent(before, cpu_seconds(stack.parts())))
        comparison.ceiling_latencies += latencies
        comparison.ceiling_errors += errors
        comparison.ceiling_seconds += took
        return len(latencies) / took

    def capacity() -> float:
        before = cpu_seconds(stack.parts())
        run = asyncio.run(sign_in_capacity(stack.port, pending, seconds))
        comparison.capacity_cpu.update(cpu_spent(before, cpu_seconds(stack.parts())))
        comparison.capacity.add(run)
        return answered_rate(run)

    for number in range(1, ROUNDS + 1):
        if number % 2:
            ceiling_rate, capacity_rate = ceiling(), capacity()
        else:
            capacity_rate, ceiling_rate = capacity(), ceiling()
        comparison.shares.append(capacity_rate / ceiling_rate if ceiling_rate else 0.0)
        print(
            f"  round {number} of {ROUNDS}: no-op {ceiling_rate:,.0f} calls/s, sign-in {capacity_rate:,.0f}/s "
            f"({comparison.shares[-1]:.0%} of it)",
            flush=True,
        )
    return comparison


def lost_and_extra(scratch: Scratch, runs: list[Run]) -> tuple[int, int]:
    engine = create_engine(scratch.database_url("attendance"))
    with engine.connect() as connection:
        stored = set(
            connection.execute(
                text("SELECT activity_id, member_id FROM sheet_entries WHERE signed_in_at IS NOT NULL")
            ).tuples()
        )
    engine.dispose()
    answered = {signed for run in runs for signed in run.accepted}
    return len(answered - stored), len(stored - answered)


def answered_rate(run: Run) -> float:
    """Sign-ins per second answered as intended: accepted, or refused for the reason they were sent with."""
    return (len(run.accepted) + sum(run.refused.values())) / run.seconds if run.seconds else 0.0


def report(run: Run, comparison: Comparison, lost: int, extra: int) -> None:
    capacity = comparison.capacity
    rate = len(run.accepted) / run.seconds
    errors = ", ".join(f"{kind}: {number}" for kind, number in (run.errors + capacity.errors).items()) or "none"
    refused = ", ".join(f"{kind}: {number}" for kind, number in run.refused.items()) or "none"
    print(
        f"\nparty day: {len(run.latencies):,} sign-ins offered at {RATE:.0f}/s over {run.seconds:.0f} s "
        f"({CONCURRENCY} connections)"
    )
    print(
        f"  answered   {answered_rate(run):,.0f} sign-ins/s as intended, of which accepted {len(run.accepted):,} "
        f"({rate:,.0f}/s)"
    )
    print(f"  refused    as intended: {refused}")
    print(
        f"  errors     {errors}; {run.behind:,} requests sent over 1 s after they were due, {run.unsent:,} "
        f"still unsent {DRAIN_S} s after the end"
    )
    print(f"  latency    {percentiles(run.latencies)} (from when each was due)")
    print(
        f"  ceiling    GET /pingz: {comparison.ceiling_rate:,.0f} calls/s, "
        f"{percentiles(comparison.ceiling_latencies)}, {comparison.ceiling_errors} errors "
        f"({CONCURRENCY} in flight for {comparison.ceiling_seconds:.0f} s)"
    )
    print(
        f"  capacity   sign-ins closed loop: {answered_rate(capacity):,.0f}/s answered as intended, "
        f"{percentiles(capacity.latencies)} ({CONCURRENCY} in flight for {capacity.seconds:.0f} s); "
        f"{comparison.share:.0%} of the ceiling, {min(comparison.shares):.0%} to {max(comparison.shares):.0%} "
        f"in {ROUNDS} rounds"
    )
    print(
        f"  stored     every 2xx sign-in in the database: {'yes' if lost == 0 else f'NO, {lost:,} lost'}; "
        f"{extra:,} stored without a 2xx"
    )
    quantile_99 = sorted(run.latencies)[int(len(run.latencies) * 0.99) - 1] if run.latencies else 0.0
    share = comparison.share
    sustained = answered_rate(run)
    print(
        f"targets: ≥ {TARGET_RATE:.0f}/s answered "
        f"{'MET' if sustained >= TARGET_RATE * 0.98 else 'MISSED'} ({sustained:.0f}/s); "
        f"p99 ≤ {TARGET_P99_S * 1000:.0f} ms {'MET' if quantile_99 <= TARGET_P99_S else 'MISSED'} "
        f"({quantile_99 * 1000:.0f} ms); sign-in capacity ≥ {TARGET_SHARE:.0%} of the no-op ceiling "
        f"{'MET' if share >= TARGET_SHARE else 'MISSED'} ({share:.0%}); 0 errors and 0 lost "
        f"{'MET' if not run.errors and not capacity.errors and lost == 0 else 'MISSED'}"
    )


def main() -> int:
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    print(
        f"check-in benchmark: synthetic city of seed {SEED}, {RATE:.0f} sign-ins/s for up to {DURATION_S:.0f} s",
        flush=True,
    )
    os.environ.setdefault("PARTYDAY_SECRET_KEY", uuid.uuid4().hex + uuid.uuid4().hex)
    with workspace("checkin") as place:
        environment = stack_environment(
            place.scratch,
            place.data_dir,
            PARTYDAY_PLANS_TIMER_INTERVAL_S="3600",
            PARTYDAY_ATTENDANCE_TIMER_INTERVAL_S="3600",
            PARTYDAY_LOG_LEVEL="WARNING",
        )
        migrate(environment)
        load(place.scratch)
        sessions = open_sessions(place.scratch)
        with running_stack(environment, place.log_dir, place.scratch) as stack:
            port = stack.port
            wait_until_quiet(place.scratch)
            starts_at = datetime.now(timezone.utc) + timedelta(minutes=10)
            branches, rosters = branches_with_rosters(place.scratch)
            published_at = time.monotonic()
            activities = approve(place.scratch, branches, rosters, starts_at, "主题党日")
            spare = approve(place.scratch, capacity_branches(branches, rosters), rosters, starts_at, "支部委员会")
            print(
                f"published plan_approved for {len(activities):,} branches, and a second activity for "
                f"{len(spare):,} of them to measure the sign-in's capacity on",
                flush=True,
            )
            wait_for_sheets(place.scratch, len(activities) + len(spare), published_at)
            wait_until_quiet(place.scratch)
            settle_databases(place.scratch)
            settings = get_settings()
            keys, expires_at = attendance_settings().qr_signing_keys(), starts_at + timedelta(hours=6)
            planned = attempts(activities, keys, expires_at)[: math.ceil(RATE * DURATION_S)]
            capacity_planned = attempts(spare, keys, expires_at)
            log_everyone_in(planned + capacity_planned, sessions, Tokens(settings.secret_key, 900, 900))
            print(
                f"the no-op ceiling and the sign-in's capacity, {ROUNDS} rounds of {CEILING_S / ROUNDS:.0f} s each:",
                flush=True,
            )
            comparison = compare(stack, capacity_planned)
            capacity = comparison.capacity
            calls = len(comparison.ceiling_latencies)
            print(
                f"no-op ceiling: {comparison.ceiling_rate:,.0f} calls/s through the gateway; CPU per call:\n"
                f"{cpu_report(comparison.ceiling_cpu, calls, comparison.ceiling_seconds)}",
                flush=True,
            )
            print(
                f"sign-in capacity: {answered_rate(capacity):,.0f} sign-ins/s closed loop "
                f"({comparison.share:.0%} of the ceiling); CPU per sign-in:\n"
                f"{cpu_report(comparison.capacity_cpu, len(capacity.latencies), capacity.seconds)}",
                flush=True,
            )
            before_run = cpu_seconds(stack.parts())
            run = asyncio.run(sign_in_everyone(port, planned))
            after_run = cpu_seconds(stack.parts())
            lost, extra = lost_and_extra(place.scratch, [capacity, run])
            report(run, comparison, lost, extra)
            print(
                f"  CPU per answered sign-in, by part:\n"
                f"{cpu_report(cpu_spent(before_run, after_run), len(run.latencies), run.seconds)}"
            )
        place.succeeded = not run.errors and not capacity.errors and lost == 0
    return 0 if place.succeeded else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the stack is stopped, its vhost and databases removed")
