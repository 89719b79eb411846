import asyncio
import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from partyday_gateway.deps import Rpc, Settings
from partyday_gateway.errors import ApiError
from partyday_gateway.openapi import ErrorBody
from partyday_gateway.rpc import RemoteError, ServiceTimeout, ServiceUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict:
    """The gateway process is alive."""
    return {"status": "ok"}


async def _ping(rpc, service: str, timeout: float) -> dict:
    started = time.perf_counter()
    try:
        await rpc.call(service, "ping", timeout=timeout)
    except ServiceTimeout:
        return {"status": "timeout", "detail": f"no answer within {timeout}s"}
    except ServiceUnavailable as exc:
        return {"status": "unavailable", "detail": exc.reason}
    except RemoteError as exc:
        return {"status": "error", "detail": str(exc)}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


@router.get("/readyz", responses={503: {"description": "Not ready: the body says which part is not"}})
async def readyz(rpc: Rpc, settings: Settings) -> JSONResponse:
    """Ready when the broker is reachable and every service answers a ping; lists each."""
    broker = {"status": "ok" if rpc.ready else "unavailable"}
    if rpc.ready:
        results = await asyncio.gather(*(_ping(rpc, name, settings.readiness_timeout_s) for name in settings.services))
    else:
        results = [{"status": "unknown", "detail": "broker unreachable"}] * len(settings.services)
    services = dict(zip(settings.services, results))
    ready = rpc.ready and all(result["status"] == "ok" for result in results)
    body = {"status": "ready" if ready else "not_ready", "broker": broker, "services": services}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/pingz", responses={503: {"model": ErrorBody}, 504: {"model": ErrorBody}})
async def pingz(rpc: Rpc, settings: Settings, service: str = "attendance") -> dict:
    """One round trip to a service's `noop` RPC, which touches nothing: the least any call through the
    gateway costs (benchmarks measure their ceiling with it)."""
    if service not in settings.services:
        raise ApiError(400, "SERVICE_UNKNOWN", "no such service", {"allowed": list(settings.services)})
    await rpc.call(service, "noop")
    return {"status": "ok", "service": service}
