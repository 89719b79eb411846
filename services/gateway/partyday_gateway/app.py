"""The FastAPI application: `uvicorn partyday_gateway.app:app`."""

import asyncio
import contextlib
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from prometheus_client import Gauge, start_http_server

from partyday_common.logs import configure_logging
from partyday_common.topology import DEAD_LETTER_QUEUE
from partyday_gateway.auth import AuthContextCache, make_tokens
from partyday_gateway.errors import install_error_handlers
from partyday_gateway.guard import InputGuardMiddleware
from partyday_gateway.observability import ObservabilityMiddleware
from partyday_gateway.openapi import install as install_openapi
from partyday_gateway.permissions import Authorizer, OrgPaths
from partyday_gateway.routes import (
    activities,
    archive,
    audit,
    auth,
    birthdays,
    campaigns,
    dashboards,
    engagement,
    evaluations,
    health,
    history,
    imports,
    lost_members,
    makeups,
    me,
    media,
    meetings,
    members,
    notifications,
    orgs,
    plans,
    quizzes,
    rankings,
    reports,
    reviews,
    role_grants,
    scores,
    spot_checks,
    volunteers,
    web,
)
from partyday_gateway.rpc import NamekoRpcClient
from partyday_gateway.sessions import CLOCK_SKEW, EndedSessions, SessionFeed
from partyday_gateway.settings import GatewaySettings, get_gateway_settings

log = logging.getLogger(__name__)

DOCS_ASSETS = "/docs-assets"

DEAD_LETTER_DEPTH = Gauge(
    "partyday_dead_letter_queue_messages",
    "Messages waiting in the dead-letter queue for operations to inspect or replay.",
)


async def _watch_dead_letters(rpc: NamekoRpcClient, interval: float) -> None:
    while True:
        if rpc.ready:
            try:
                DEAD_LETTER_DEPTH.set(await rpc.declare_and_count(DEAD_LETTER_QUEUE.name))
            except Exception as exc:
                log.warning("could not read the dead-letter queue depth: %s", exc)
        await asyncio.sleep(interval)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_gateway_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        settings.check_production_safety()
        configure_logging("gateway", settings.log_level, settings.log_format)
        app.state.rpc = NamekoRpcClient(
            settings.amqp_uri,
            timeout=settings.rpc_timeout_s,
            connect_timeout=settings.broker_connect_timeout_s,
            reconnect_max=settings.broker_reconnect_max_s,
        )
        app.state.tokens = make_tokens(settings)
        app.state.auth_cache = AuthContextCache(settings.auth_cache_ttl_s)
        app.state.ended_sessions = EndedSessions(settings.access_token_ttl_s + CLOCK_SKEW.total_seconds())
        feed = SessionFeed(app.state.rpc, app.state.ended_sessions, app.state.auth_cache.forget_session)
        await app.state.rpc.start()
        app.state.authz = Authorizer(OrgPaths(app.state.rpc), app.state.auth_cache)
        watcher = asyncio.create_task(_watch_dead_letters(app.state.rpc, settings.dead_letter_poll_s))
        metrics = start_http_server(settings.gateway_metrics_port) if settings.gateway_metrics_port else None
        yield
        if metrics:
            metrics[0].shutdown()
            metrics[0].server_close()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await feed.close()
        await app.state.rpc.close()

    # /docs loads its scripts and styles from the gateway (/docs-assets), never from a CDN. ReDoc is left out: its
    # page fetches its makers' logo from their CDN.
    app = FastAPIOffline(
        redoc_url=None,
        static_url=DOCS_ASSETS,
        favicon_url="/static/icon.svg",
        # Swagger UI would otherwise ask validator.swagger.io for a badge.
        swagger_ui_parameters={"validatorUrl": None},
        title="partyday",
        summary="主题党日云平台 API: plans, attendance, media, scoring and the organisation tree",
        version="1",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_middleware(InputGuardMiddleware, max_json_bytes=settings.max_json_bytes)
    app.add_middleware(ObservabilityMiddleware)
    install_error_handlers(app)
    # Requests are matched route by route in this order: the party day's sign-ins come first.
    for module in (
        activities,
        health,
        auth,
        me,
        orgs,
        members,
        role_grants,
        audit,
        plans,
        archive,
        spot_checks,
        reviews,
        dashboards,
        media,
        scores,
        engagement,
        rankings,
        campaigns,
        evaluations,
        reports,
        history,
        imports,
        notifications,
        birthdays,
        lost_members,
        meetings,
        volunteers,
        quizzes,
        makeups,
    ):
        app.include_router(module.router)
    web.install(app)
    install_openapi(app)
    return app


app = create_app()
