"""The OpenAPI document as the gateway answers: each route's failures, in the one error body every failure has,
next to what FastAPI reads from the route itself, and the content types of the routes that answer files."""

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

import partyday_gateway.auth

# Routes that take credentials and answer 401 when they are wrong.
CREDENTIALS_PREFIX = "/api/v1/auth/"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Routes that count attempts and answer 429 with Retry-After past their limit.
RATE_LIMITED_PREFIXES = ("/api/v1/auth/", "/api/v1/campaigns/{campaign_id}/votes")
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What media stores: photos, videos and PDF documents.
STORED_TYPES = ("image/jpeg", "image/png", "image/webp", "video/mp4", PDF)
ERROR_SCHEMA_REF = {"$ref": "#/components/schemas/ErrorBody"}

FAILURES = {
    400: "Malformed input: VALIDATION_FAILED, MALFORMED_JSON, INVALID_CHARACTER or a rule's own code.",
    401: "No valid access token (UNAUTHENTICATED, TOKEN_EXPIRED, SESSION_REVOKED).",
    403: "The caller's roles do not cover what the request touches; the code says which rule refused.",
    404: "Something the request names does not exist (ORG_NOT_FOUND, ACTIVITY_NOT_FOUND, ...).",
    409: "The request conflicts with the current state, or its Idempotency-Key was used for another request.",
    413: "The body is larger than the gateway accepts (BODY_TOO_LARGE, FILE_TOO_LARGE, FIELD_TOO_LARGE).",
    415: "An upload that is not a multipart form, or a file of a type not taken (UNSUPPORTED_TYPE).",
    422: "A domain rule refused the request (TEXT_NOT_VISIBLE, WINDOW_CLOSED, ...).",
    429: "Too many attempts; Retry-After says when to try again.",
    500: "An unexpected failure (INTERNAL_ERROR); the error is logged with the correlation id.",
    503: "A service or its database is unavailable (SERVICE_UNAVAILABLE); Retry-After says when to try again.",
    504: "A service did not answer in time (SERVICE_TIMEOUT).",
}


class ErrorDetail(BaseModel):
    code: str = Field(description="the reason code, UPPER_SNAKE_CASE", examples=["ACTIVITY_NOT_FOUND"])
    message: str
    details: dict = Field(default_factory=dict)


class ErrorBody(BaseModel):
    """Every failure the gateway answers."""

    error: ErrorDetail


def files(*media_types: str, description: str = "The file") -> dict:
    """The 200 answer of a route that answers a file in one of `media_types`."""
    return {200: {"description": description, "content": {media_type: {} for media_type in media_types}}}


def stored_files(*media_types: str, ranges: bool = False) -> dict:
    """The answers of a route that serves a file from the object store, in the types media keeps (and
    `media_types`); with `ranges`, a byte range answers 206, or 416 outside the file."""
    answers = files(*media_types, *STORED_TYPES)
    if ranges:
        answers[206] = {"description": "The byte range asked for", "content": dict(answers[200]["content"])}
        answers[416] = {"description": "RANGE_NOT_SATISFIABLE", "model": ErrorBody}
    return answers


def _authenticated(dependant: Dependant) -> bool:
    return any(
        getattr(dependency.call, "__module__", None) == partyday_gateway.auth.__name__ or _authenticated(dependency)
        for dependency in dependant.dependencies
    )


def failures(route: routing.RouteContext, method: str) -> set[int]:
    """The statuses a route answers when it fails."""
    if not route.path_format.startswith("/api/"):
        return {400, 500} if route.dependant.query_params else set()
    statuses = {400, 404, 422, 500, 503, 504}
    if _authenticated(route.dependant):
        statuses |= {401, 403}
    if route.path_format.startswith(CREDENTIALS_PREFIX):
        statuses.add(401)
    if method in MUTATING:
        statuses |= {409, 413}
    if route.path_format.startswith(RATE_LIMITED_PREFIXES):
        statuses.add(429)
    if "multipart/form-data" in str((route.openapi_extra or {}).get("requestBody")):
        statuses.add(415)
    return statuses


def document(app: FastAPI) -> dict:
    """The OpenAPI document of `app`, built once."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_body.pop("$defs"))
    components["ErrorBody"] = error_body
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for route in routing.iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            operation = schema["paths"][route.path_format][method.lower()]
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status in sorted(failures(route, method)):
                responses.setdefault(
                    str(status),
                    {"description": FAILURES[status], "content": {"application/json": {"schema": ERROR_SCHEMA_REF}}},
                )
    app.openapi_schema = schema
    return schema


def install(app: FastAPI) -> None:
    app.openapi = lambda: document(app)
