"""The OpenAPI document says what the gateway answers: its failures in the one error body, the files it answers in
their content types. The running stack is held to it by tests/e2e/test_api_spec.py."""

import pytest

from partyday_gateway.app import create_app
from partyday_gateway.openapi import PDF, XLSX

DOCUMENT = create_app().openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
]
ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


@pytest.mark.parametrize(
    "method, path, operation",
    [operation for operation in OPERATIONS if operation[1].startswith("/api/")],
    ids=[f"{method} {path}" for method, path, _ in OPERATIONS if path.startswith("/api/")],
)
def test_every_api_route_documents_its_failures_in_the_error_body(method, path, operation):
    responses = operation["responses"]
    for status in ("400", "404", "422", "500", "503", "504"):
        assert responses[status]["content"] == ERROR_BODY, status
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        assert {"409", "413"} <= set(responses)


def test_validation_failures_are_documented_as_the_gateway_answers_them():
    schemas = DOCUMENT["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorBody"]["required"] == ["error"]
    assert set(schemas["ErrorDetail"]["properties"]) == {"code", "message", "details"}


def test_authenticated_routes_document_401_and_403_and_open_ones_do_not():
    me = DOCUMENT["paths"]["/api/v1/me"]["get"]["responses"]
    assert {"401", "403"} <= set(me)
    assert "403" not in DOCUMENT["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert "429" in DOCUMENT["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert list(DOCUMENT["paths"]["/healthz"]["get"]["responses"]) == ["200"]


@pytest.mark.parametrize(
    "path, types",
    [
        ("/api/v1/activities/{activity_id}/attendance.{extension}", {PDF, XLSX}),
        ("/api/v1/activities/{activity_id}/qr", {"image/png", "image/svg+xml", PDF, "application/json"}),
        ("/api/v1/reports/{kind}", {PDF, XLSX, "application/json"}),
        ("/api/v1/rankings/chart", {"image/svg+xml", "image/png"}),
        ("/api/v1/members/import-template", {"text/csv; charset=utf-8"}),
        ("/api/v1/media/{media_id}/thumbnail", {"image/jpeg"}),
        ("/api/v1/media/{media_id}", {"image/jpeg", "image/png", "image/webp", "video/mp4", PDF}),
    ],
)
def test_routes_that_answer_files_document_their_content_types(path, types):
    assert set(DOCUMENT["paths"][path]["get"]["responses"]["200"]["content"]) == types


def test_byte_ranges_are_documented():
    responses = DOCUMENT["paths"]["/api/v1/media/{media_id}"]["get"]["responses"]
    assert {"206", "416"} <= set(responses)


def test_metrics_are_not_part_of_the_public_api():
    assert "/metrics" not in DOCUMENT["paths"]
