"""How fast does the city hear? Notifications at city scale, through the whole stack.

Starts every service and the gateway on a fresh vhost and fresh databases with a local fake SMS gateway, loads the
synthetic city (208,000 members) into the directory, and gives the notifications service what weeks of the
directory's events would have given it: every member, and a secretary (`branch_admin`) for each branch. Then:

1. The city admin opens a campaign at the city (POST /api/v1/campaigns) whose voting opens at once: scoring's
   opening timer (every second here) announces it and notifications tells every member. Measured: the time from
   the POST until all 208,000 notifications are in the inboxes, while
   `GET /api/v1/me` is asked BENCH_PROBE_RATE times a second (its latency against a quiet baseline says whether
   the fan-out slows the gateway's sign-in path).
2. Rectification notices to BENCH_SMS_BRANCHES branches (POST /api/v1/rectifications): the organisation requires an
   SMS to each secretary. Measured: how fast the text messages reach the SMS gateway against the rate limit
   (`PARTYDAY_NOTIFICATIONS_SMS_PER_SECOND`, BENCH_SMS_RATE).

Prints figures and never gates on timing: exits 1 only when a notification or a text message is missing. Everything
it created is removed at the end; logs are kept on failure.
"""

import asyncio
import os
import signal
import sys
import time
from datetime import date, datetime, timedelta, timezone

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.dispatch import CITY_PASSWORD, SEED, log_in_as_city_admin, next_month
from bench.stack import (
    Connection,
    count,
    migrate,
    percentiles,
    running_stack,
    skip_member_flood,
    stack_environment,
    workspace,
)
from partyday_common.db import bulk_insert
from partyday_directory_dev.city import load_city
from partyday_notifications.models import Recipient, RoleHolder
from tests.fixtures.message_servers import SmsGateway

SMS_BRANCHES = int(os.environ.get("BENCH_SMS_BRANCHES", "1000"))
SMS_RATE = os.environ.get("BENCH_SMS_RATE", "200")
PROBE_RATE = float(os.environ.get("BENCH_PROBE_RATE", "20"))
BASELINE_S = 10.0
FAN_OUT_WITHIN_S = 600
SMS_WITHIN_S = 600
SECRET = "bench-sms-secret"


def settle_recipients(scratch) -> tuple[int, list[str]]:
    """Copy the city's members and one secretary a branch into the notifications database, as the directory's events
    would have; the member count and the branch ids."""
    directory = create_engine(scratch.database_url("directory"))
    notifications = create_engine(scratch.database_url("notifications"))
    try:
        with directory.connect() as connection:
            members = connection.execute(
                text(
                    "SELECT m.id, m.name, m.branch_id, o.path, m.joined_on FROM members m "
                    "JOIN orgs o ON o.id = m.branch_id WHERE m.active ORDER BY m.branch_id, m.id"
                )
            ).all()
        secretaries: dict[str, tuple[str, str]] = {}
        rows = []
        for member_id, name, branch_id, path, joined_on in members:
            secretaries.setdefault(branch_id, (member_id, path))
            rows.append(
                {
                    "member_id": member_id,
                    "name": name,
                    "branch_id": branch_id,
                    "branch_path": path,
                    "active": True,
                    "joined_on": joined_on,
                }
            )
        grants = [
            {
                "grant_id": f"bench-{branch_id}",
                "member_id": member_id,
                "role": "branch_admin",
                "org_id": branch_id,
                "org_path": path,
                "active": True,
            }
            for branch_id, (member_id, path) in secretaries.items()
        ]
        with Session(notifications) as session, session.begin():
            bulk_insert(session, Recipient.__table__, rows)
            bulk_insert(session, RoleHolder.__table__, grants)
        return len(rows), sorted(secretaries)
    finally:
        directory.dispose()
        notifications.dispose()


async def probe(port: int, authorization: str, seconds: float, stop: asyncio.Event | None = None) -> list[float]:
    """GET /api/v1/me at PROBE_RATE a second for `seconds` (or until `stop`): the latencies."""
    connection = Connection(port, authorization)
    latencies = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and not (stop and stop.is_set()):
        asked = time.perf_counter()
        status, _ = await connection.exchange("GET", "/api/v1/me")
        if status == 200:
            latencies.append(time.perf_counter() - asked)
        await asyncio.sleep(max(0.0, 1 / PROBE_RATE - (time.perf_counter() - asked)))
    connection.close()
    return latencies


async def fan_out(port: int, authorization: str, city_id: str, members: int, notifications) -> dict:
    """The campaign told to every member: seconds until all are stored, and /me's latency meanwhile."""
    baseline = await probe(port, authorization, BASELINE_S)
    stop = asyncio.Event()
    probing = asyncio.create_task(probe(port, authorization, FAN_OUT_WITHIN_S, stop))
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        answer = await client.post(
            "/api/v1/campaigns",
            headers={"Authorization": authorization},
            json={
                "org_id": city_id,
                "month": next_month(),
                "title": "最美主题党日",
                "votes_per_voter": 3,
                "opens_at": datetime.now(timezone.utc).isoformat(),
            },
        )
    if answer.status_code != 201:
        raise RuntimeError(f"opening the campaign answered {answer.status_code}: {answer.text}")
    stored, took = 0, None
    while time.perf_counter() - started < FAN_OUT_WITHIN_S:
        stored = count(notifications, "SELECT count(*) FROM notifications WHERE kind = 'campaign_opened'")
        if stored >= members:
            took = time.perf_counter() - started
            break
        await asyncio.sleep(0.5)
    stop.set()
    during = await probing
    return {"stored": stored, "seconds": took, "baseline": baseline, "during": during}


async def texts(port: int, authorization: str, branch_ids: list[str], gateway: SmsGateway) -> dict:
    """Rectification notices to the branches; how fast their text messages reach the SMS gateway."""
    due_on = (date.today() + timedelta(days=14)).isoformat()
    started = time.perf_counter()
    connections = [Connection(port, authorization) for _ in range(8)]
    pending = iter(branch_ids)
    failures = 0

    async def issue(connection: Connection) -> None:
        nonlocal failures
        for branch_id in pending:
            status, _ = await connection.exchange(
                "POST", "/api/v1/rectifications", {"branch_id": branch_id, "issue": "签到表不完整", "due_on": due_on}
            )
            failures += status != 201

    await asyncio.gather(*(issue(connection) for connection in connections))
    issued = time.perf_counter() - started
    while time.perf_counter() - started < SMS_WITHIN_S:
        if len([m for m in gateway.received if m["template_id"] == "rectification_issued"]) >= len(branch_ids):
            break
        await asyncio.sleep(0.2)
    for connection in connections:
        connection.close()
    received = [m for m in gateway.received if m["template_id"] == "rectification_issued"]
    return {
        "issued_s": issued,
        "received": len(received),
        "seconds": time.perf_counter() - started,
        "failures": failures,
        "signed": all(m["signed"] for m in received),
    }


def report(members: int, told: dict, sms: dict, branches: int) -> bool:
    ok = told["stored"] >= members and sms["received"] >= branches and not sms["failures"] and sms["signed"]
    print(f"\ncampaign to the city: {told['stored']:,} / {members:,} members told", end="")
    if told["seconds"] is not None:
        print(f" in {told['seconds']:.1f} s ({members / told['seconds']:,.0f} notifications/s)")
    else:
        print(f" — not all within {FAN_OUT_WITHIN_S} s")
    print(f"  GET /api/v1/me before:  {percentiles(told['baseline'])}")
    print(f"  GET /api/v1/me during:  {percentiles(told['during'])}")
    rate = sms["received"] / sms["seconds"] if sms["seconds"] else 0
    print(
        f"rectifications to {branches:,} branches: issued in {sms['issued_s']:.1f} s, {sms['received']:,} text "
        f"messages at the SMS gateway after {sms['seconds']:.1f} s ({rate:,.0f}/s; limit {SMS_RATE}/s), "
        f"{sms['failures']} refused, signatures {'valid' if sms['signed'] else 'INVALID'}"
    )
    return ok


def main() -> int:
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    print(f"notifications benchmark: synthetic city of seed {SEED}", flush=True)
    with SmsGateway(SECRET) as gateway, workspace("notify") as place:
        environment = stack_environment(
            place.scratch,
            place.data_dir,
            PARTYDAY_PLANS_TIMER_INTERVAL_S="3600",
            PARTYDAY_CAMPAIGN_OPENING_INTERVAL_S="1",
            PARTYDAY_SMS_WEBHOOK_URL=gateway.url,
            PARTYDAY_SMS_WEBHOOK_SECRET=SECRET,
            PARTYDAY_NOTIFICATIONS_SMS_PER_SECOND=SMS_RATE,
            PARTYDAY_NOTIFICATIONS_QUIET_START="0",
            PARTYDAY_NOTIFICATIONS_QUIET_END="0",
        )
        migrate(environment)
        with running_stack(environment, place.log_dir, place.scratch) as stack:
            city = load_city(place.scratch.database_url("directory"), SEED, CITY_PASSWORD)
            print(f"loaded the city: {city['members']:,} members in {city['branches']:,} branches", flush=True)
            skip_member_flood(place.scratch)
            members, branch_ids = settle_recipients(place.scratch)
            scoring = create_engine(place.scratch.database_url("scoring"))
            notifications = create_engine(place.scratch.database_url("notifications"))
            while count(scoring, "SELECT count(*) FROM org_nodes") < city["orgs"]:
                time.sleep(0.5)
            authorization, city_id = log_in_as_city_admin(f"http://127.0.0.1:{stack.port}")
            told = asyncio.run(fan_out(stack.port, authorization, city_id, members, notifications))
            chosen = branch_ids[:SMS_BRANCHES]
            sms = asyncio.run(texts(stack.port, authorization, chosen, gateway))
            scoring.dispose()
            notifications.dispose()
            place.succeeded = report(members, told, sms, len(chosen))
    return 0 if place.succeeded else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted: the stack is stopped, its vhost and databases removed")
