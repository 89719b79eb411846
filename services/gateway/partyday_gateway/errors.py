"""The error format of api.md, for every failure the gateway answers."""

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from partyday_common.errors import DomainError
from partyday_common.text import NOT_VISIBLE, NOT_VISIBLE_CODE
from partyday_gateway.rpc import RemoteError, ServiceTimeout, ServiceUnavailable

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers


def error_response(
    status: int, code: str, message: str, details: dict | None = None, headers: dict | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "details": details or {}}},
        status_code=status,
        headers=headers,
    )


def _http_code(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.upper().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "HTTP_ERROR"


def _validation_details(exc: RequestValidationError) -> tuple[int, str, str, list]:
    errors = [{"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in exc.errors()]
    if any(e["type"] == "json_invalid" for e in errors):
        return 400, "MALFORMED_JSON", "the request body is not valid JSON", errors
    if all(e["type"] == NOT_VISIBLE for e in errors):
        return 422, NOT_VISIBLE_CODE, "the text has too few visible characters", errors
    return 400, "VALIDATION_FAILED", "the request is malformed", errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(DomainError)
    async def local_domain_error(_request: Request, exc: DomainError):
        """A rule checked in the gateway itself (a chart that needs the CJK font)."""
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        status, code, message, errors = _validation_details(exc)
        return error_response(status, code, message, {"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        return error_response(
            exc.status_code, _http_code(exc.status_code), str(exc.detail), headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(_request: Request, exc: ServiceUnavailable):
        return error_response(
            503,
            "SERVICE_UNAVAILABLE",
            f"the {exc.service} service is unavailable; try again shortly",
            {"service": exc.service, "reason": exc.reason},
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(ServiceTimeout)
    async def timeout(_request: Request, exc: ServiceTimeout):
        log.warning("%s.%s did not answer within %s s", exc.service, exc.method, exc.timeout)
        return error_response(
            504,
            "SERVICE_TIMEOUT",
            f"the {exc.service} service did not answer in time",
            {"service": exc.service, "timeout_s": exc.timeout},
        )

    @app.exception_handler(RemoteError)
    async def remote_error(_request: Request, exc: RemoteError):
        domain = domain_error(exc)
        if domain is not None:
            return error_response(domain.status, domain.code, domain.message, domain.details, domain.headers)
        log.error("unexpected error in %s.%s: %s", exc.service, exc.method, exc.error)
        return error_response(
            500, "INTERNAL_ERROR", f"the {exc.service} service failed; the error is logged", {"service": exc.service}
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception):
        log.exception("unhandled error in the gateway")
        return error_response(500, "INTERNAL_ERROR", "the gateway failed; the error is logged")


def domain_error(exc: RemoteError) -> ApiError | None:
    """A service's DomainError, as the ApiError it stands for; None for any other failure."""
    if exc.error.get("exc_type") != "DomainError":
        return None
    args = exc.error.get("exc_args") or []
    if len(args) != 4:
        return None
    code, message, status, details = args
    try:
        status = int(status)
    except (TypeError, ValueError):
        return None
    details = details if isinstance(details, dict) else {}
    headers = (
        {"Retry-After": str(details["retry_after"])} if status in (429, 503) and "retry_after" in details else None
    )
    return ApiError(status, str(code), str(message), details, headers)
