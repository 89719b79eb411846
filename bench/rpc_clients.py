"""Which RPC client should the gateway use? Measures both candidates on the same service.

- asyncio: the gateway's NamekoRpcClient, nameko's protocol over pika's asyncio adapter,
  one connection, calls multiplexed by correlation id;
- threads: nameko's standalone ClusterRpcProxy, one per worker thread of a pool, called
  from the event loop with run_in_executor.

Starts a directory service on a temporary SQLite database, calls `directory.ping`
(a broker round trip plus a database query) CALLS times with CONCURRENCY in flight,
and prints throughput, p50/p95/p99 and errors for each. Not a test: no thresholds.
"""

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from partyday_common.migrations import upgrade
from partyday_dev import devstack

CALLS = int(os.environ.get("BENCH_CALLS", "3000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "50"))
THREADS = int(os.environ.get("BENCH_THREADS", "16"))
AMQP_URI = os.environ.get("PARTYDAY_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


async def measure(call) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one():
        nonlocal errors
        async with gate:
            started = time.perf_counter()
            try:
                await call()
            except Exception:
                errors += 1
                return
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(CALLS)))
    return time.perf_counter() - started, latencies, errors


def report(name: str, elapsed: float, latencies: list[float], errors: int) -> float:
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    throughput = len(latencies) / elapsed
    print(
        f"{name:8} {throughput:8.0f} calls/s   p50 {quantiles[49] * 1000:6.1f} ms   "
        f"p95 {quantiles[94] * 1000:6.1f} ms   p99 {quantiles[98] * 1000:6.1f} ms   errors {errors}"
    )
    return throughput


async def bench_asyncio() -> float:
    from partyday_gateway.rpc import NamekoRpcClient

    client = NamekoRpcClient(AMQP_URI, timeout=10)
    await client.start()
    for _ in range(20):
        await client.call("directory", "ping")
    result = report("asyncio", *await measure(lambda: client.call("directory", "ping")))
    await client.close()
    return result


async def bench_threads() -> float:
    from nameko.standalone.rpc import ClusterRpcProxy

    local = threading.local()
    proxies = []

    def ping():
        if not hasattr(local, "proxy"):
            cluster = ClusterRpcProxy({"AMQP_URI": AMQP_URI}, timeout=10)
            local.proxy = cluster.start()
            proxies.append(cluster)
        return local.proxy.directory.ping()

    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(THREADS) as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, ping) for _ in range(THREADS * 2)))
        result = report("threads", *await measure(lambda: loop.run_in_executor(pool, ping)))
        for cluster in proxies:
            cluster.stop()
    return result


def main() -> int:
    with tempfile.TemporaryDirectory() as data_dir:
        environment = dict(
            os.environ,
            PARTYDAY_DATA_DIR=data_dir,
            PARTYDAY_AMQP_URI=AMQP_URI,
            PARTYDAY_DIRECTORY_METRICS_PORT="0",
            PARTYDAY_LOG_LEVEL="WARNING",
            PARTYDAY_MAX_WORKERS="50",
        )
        os.environ["PARTYDAY_DATA_DIR"] = data_dir
        upgrade("directory", f"sqlite:///{Path(data_dir) / 'directory.sqlite3'}")
        service = devstack.spawn("directory", devstack.service_command("directory"), environment, Path(data_dir))
        try:
            time.sleep(4)
            print(f"directory.ping x {CALLS}, {CONCURRENCY} in flight, {THREADS} threads for the pool")
            fast = asyncio.run(bench_asyncio())
            slow = asyncio.run(bench_threads())
            winner = "asyncio" if fast >= slow else "threads"
            print(f"faster: {winner} ({max(fast, slow) / max(min(fast, slow), 1e-9):.2f}x)")
        finally:
            devstack.stop_processes({"directory": service})
    return 0


if __name__ == "__main__":
    sys.exit(main())
