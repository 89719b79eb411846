"""Are all branch scores and the city-wide rankings recomputed within 10 s, and does a like reach its
activity's score and ranking within 1 s?

Loads the synthetic city's tree (9,144 organisations under the city, 208,000 members) into a fresh
scoring database, with one closed party day per branch as the events of plans, attendance and media
would have left it (rosters with mobile members, sign-in counts, detail and superior scores, likes and
comments), then starts the scoring service on a fresh RabbitMQ vhost and, over RPC:

1. `rescore_all(month)` scores every branch's activity (each one changes, so each also writes its
   `score_changed` event to the outbox), then `ranking(city, month)` ranks all branches citywide (and
   answers its first page) and `ranking(city, month, group="children")` the counties: the sum is the
   recompute time;
2. for BENCH_LIKES activities, a mobile member likes it, and the clock runs until the branch's township
   ranking shows the new score.

Prints figures and never gates on timing: exits 1 only when something failed. Everything it created
is removed at the end.
"""

import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import insert

from bench.stack import Scratch
from partyday_common.db import make_engine, utcnow
from partyday_common.migrations import upgrade
from partyday_directory_dev.city import generate_city
from partyday_scoring import formula
from partyday_scoring.models import Comment, Like, RosterMember, ScoredActivity, org_nodes

SEED = 20261121
LIKES = int(os.environ.get("BENCH_LIKES", "50"))
RECOMPUTE_TARGET_S = 10.0
LIKE_TARGET_S = 1.0
REPO = Path(__file__).resolve().parents[1]
TIME_ZONE = "Asia/Shanghai"
RANKING_PAGE = 500  # the largest page: the first of the citywide ranking, and all of a township's branches


def load(url: str, month: str) -> dict:
    """The city's tree and a closed party day per branch, as scoring's events would have written them."""
    started = time.monotonic()
    city = generate_city(SEED)
    rng = random.Random(SEED)
    now = utcnow()
    closes = formula.period_closes_at(month, TIME_ZONE, 10)
    members = {}
    for member in city.members:
        members.setdefault(member.branch_id, []).append(member)
    nodes, activities, roster, likes, comments = [], [], [], [], []
    for org in city.orgs:
        nodes.append(
            {
                "org_id": org.id,
                "parent_id": org.parent_id,
                "path": org.path,
                "code": org.code,
                "name": org.name,
                "level": org.level,
                "domain": org.domain,
                "kind": org.kind,
                "updated_at": now,
            }
        )
        if org.level != "branch":
            continue
        activity_id = uuid.UUID(int=rng.getrandbits(128)).hex
        people = members.get(org.id, [])
        expected = sum(1 for m in people if not m.mobile)
        excused = sum(1 for m in people if not m.mobile and rng.random() < 0.05)
        activities.append(
            {
                "activity_id": activity_id,
                "plan_id": activity_id,
                "branch_id": org.id,
                "branch_path": org.path,
                "month": month,
                "theme": "学习党章",
                "closed": True,
                "expected": expected,
                "excused": excused,
                "signed_in": round((expected - excused) * rng.uniform(0.6, 1.0)),
                "expected_mobile": len(people) - expected,
                "detail_score": rng.randint(0, 100),
                "superior_score": rng.choice([None, rng.randint(60, 100)]),
                "freezes_at": closes,
            }
        )
        for member in people:
            roster.append({"activity_id": activity_id, "member_id": member.id, "mobile": member.mobile})
            if member.mobile and rng.random() < 0.4:
                likes.append({"activity_id": activity_id, "member_id": member.id, "liked_at": now})
            if rng.random() < 0.1:
                comments.append(
                    {
                        "id": uuid.UUID(int=rng.getrandbits(128)).hex,
                        "activity_id": activity_id,
                        "branch_path": org.path,
                        "member_id": member.id,
                        "text": "很有收获",
                        "status": "visible",
                        "reports": 0,
                        "created_at": now,
                    }
                )
    engine = make_engine(url)
    with engine.begin() as connection:
        for table, rows in (
            (org_nodes, nodes),
            (ScoredActivity.__table__, activities),
            (RosterMember.__table__, roster),
            (Like.__table__, likes),
            (Comment.__table__, comments),
        ):
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(table), rows[start : start + 20_000])
    engine.dispose()
    print(
        f"loaded {len(nodes):,} organisations, {len(activities):,} closed activities, {len(roster):,} roster "
        f"entries, {len(likes):,} likes, {len(comments):,} comments in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    return {
        "city_id": city.root.id,
        "parents": {org.id: org.parent_id for org in city.orgs},
        "mobile": _mobile_not_liked(roster, likes, activities),
    }


def _mobile_not_liked(roster, likes, activities) -> list[tuple[str, str, str]]:
    liked = {(like["activity_id"], like["member_id"]) for like in likes}
    branch_of = {a["activity_id"]: a["branch_id"] for a in activities}
    seen, found = set(), []
    for row in roster:
        key = (row["activity_id"], row["member_id"])
        if row["mobile"] and key not in liked and row["activity_id"] not in seen:
            seen.add(row["activity_id"])
            found.append((row["activity_id"], row["member_id"], branch_of[row["activity_id"]]))
    return found


def start_service(scratch: Scratch, log_path: Path) -> subprocess.Popen:
    environment = dict(
        os.environ,
        PARTYDAY_AMQP_URI=scratch.amqp_uri,
        PARTYDAY_SCORING_DATABASE_URL=scratch.database_url("scoring"),
        PARTYDAY_SCORING_METRICS_PORT="0",
        PARTYDAY_SERVICE_NAME="scoring",
        PYTHONWARNINGS="ignore",
    )
    with open(log_path, "ab") as log_file:
        return subprocess.Popen(
            [
                str(Path(sys.executable).parent / "nameko"),
                "run",
                "--config",
                str(REPO / "deploy" / "nameko.yml"),
                "partyday_scoring.service:ScoringService",
            ],
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,
        )


def wait_ready(proxy, process: subprocess.Popen, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the scoring service exited; see its log")
        try:
            proxy.scoring.ping.call_async().result()
            return
        except Exception:
            time.sleep(0.5)
    raise TimeoutError("the scoring service did not answer within 60 s")


def recompute(proxy, city_id: str, month: str) -> tuple[float, dict]:
    started = time.perf_counter()
    rescored = proxy.scoring.rescore_all(month)
    scored_at = time.perf_counter()
    citywide = proxy.scoring.ranking(city_id, month, page_size=RANKING_PAGE)
    ranked_at = time.perf_counter()
    proxy.scoring.ranking(city_id, month, group="children")
    done = time.perf_counter()
    print(
        f"  rescore_all      {rescored['activities']:,} activities in {scored_at - started:.2f} s "
        f"(service's own count {rescored['seconds']:.2f} s)"
    )
    print(
        f"  citywide ranking {citywide['total']:,} branches in {ranked_at - scored_at:.2f} s; "
        f"counties in {done - ranked_at:.2f} s"
    )
    return done - started, citywide


def like_latencies(proxy, data: dict, month: str) -> list[float]:
    latencies = []
    for activity_id, member_id, branch_id in data["mobile"][:LIKES]:
        township = data["parents"][branch_id]
        items = proxy.scoring.ranking(township, month, page_size=RANKING_PAGE)["items"]
        before = next(i["score"] for i in items if i["org_id"] == branch_id)
        started = time.perf_counter()
        proxy.scoring.like(activity_id, member_id)
        while True:
            items = proxy.scoring.ranking(township, month, page_size=RANKING_PAGE)["items"]
            if next(i["score"] for i in items if i["org_id"] == branch_id) > before:
                break
            if time.perf_counter() - started > 10:
                raise TimeoutError(f"a like on {activity_id} did not reach the ranking within 10 s")
        latencies.append(time.perf_counter() - started)
    return latencies


def main() -> int:
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    logging.getLogger("amqp").setLevel(logging.ERROR)
    month = datetime.now(ZoneInfo(TIME_ZONE)).strftime("%Y-%m")
    print(f"scoring benchmark: synthetic city of seed {SEED}, party day of {month}", flush=True)
    log_path = Path(tempfile.mkdtemp(prefix="partyday-bench-scoring-")) / "scoring.log"
    scratch = Scratch()
    try:
        scratch.create()
        upgrade("scoring", scratch.database_url("scoring"))
        data = load(scratch.database_url("scoring"), month)
        process = start_service(scratch, log_path)
        try:
            with ClusterRpcProxy({"AMQP_URI": scratch.amqp_uri}, timeout=300) as proxy:
                wait_ready(proxy, process)
                print("recompute every branch's score and the citywide rankings:")
                seconds, citywide = recompute(proxy, data["city_id"], month)
                top = citywide["items"][0]
                last = proxy.scoring.ranking(data["city_id"], month, page=citywide["total"], page_size=1)["items"][0]
                print(f"  first: {top['name']} {top['score']:.2f}; last: {last['score']:.2f}")
                verdict = "MET" if seconds <= RECOMPUTE_TARGET_S else "MISSED"
                print(
                    f"target: all scores and the citywide rankings within {RECOMPUTE_TARGET_S:.0f} s: "
                    f"{verdict} ({seconds:.2f} s)"
                )
                latencies = sorted(like_latencies(proxy, data, month))
                p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
                print(
                    f"like → score and township ranking, {len(latencies)} likes: median "
                    f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                    f"max {latencies[-1] * 1000:.0f} ms"
                )
                verdict = "MET" if latencies[-1] <= LIKE_TARGET_S else "MISSED"
                print(
                    f"target: a like changes its activity's score and ranking within {LIKE_TARGET_S:.0f} s: "
                    f"{verdict} (max {latencies[-1]:.3f} s)"
                )
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    finally:
        scratch.remove()
    print(f"service log: {log_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
