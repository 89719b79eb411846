"""Every string a request may carry has a bound: each field of every RPC contract and every request body the
gateway documents (a directive once accepted a 900,000-character required action)."""

import inspect
import re

import pytest
from pydantic import BaseModel

import partyday_attendance_contracts.rpc
import partyday_directory_contracts.imports
import partyday_directory_contracts.rpc
import partyday_media_contracts.rpc
import partyday_plans_contracts.rpc
import partyday_quizzes_contracts.rpc
import partyday_scoring_contracts.rpc
from partyday_gateway.app import create_app

CONTRACT_MODULES = (
    partyday_attendance_contracts.rpc,
    partyday_directory_contracts.rpc,
    partyday_directory_contracts.imports,
    partyday_media_contracts.rpc,
    partyday_plans_contracts.rpc,
    partyday_scoring_contracts.rpc,
    partyday_quizzes_contracts.rpc,
)
# A pattern bounds a string when it is anchored and repeats nothing without an upper limit.
BOUNDED_PATTERN = re.compile(r"^\^[^*+]*\$$")
UNBOUNDED_REPEAT = re.compile(r"\{\d+,\}")
# Formats whose parser reads a fixed shape; a file part is bounded by the upload limits.
FIXED_FORMATS = {"date", "date-time", "time", "binary"}


def unbounded_strings(schema: dict, definitions: dict, where: str, seen: frozenset = frozenset()) -> list[str]:
    """Where in a JSON schema a string may be any length."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else unbounded_strings(definitions[name], definitions, where, seen | {name})
    found = []
    if schema.get("type") == "string" and not _bounded(schema):
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += unbounded_strings(option, definitions, where, seen)
    for name, field in schema.get("properties", {}).items():
        found += unbounded_strings(field, definitions, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found += unbounded_strings(schema["items"], definitions, f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += unbounded_strings(schema["additionalProperties"], definitions, f"{where}{{}}", seen)
    return found


def _bounded(schema: dict) -> bool:
    pattern = schema.get("pattern", "")
    return (
        "maxLength" in schema
        or "enum" in schema
        or "const" in schema
        or schema.get("format") in FIXED_FORMATS
        or bool(BOUNDED_PATTERN.fullmatch(pattern) and not UNBOUNDED_REPEAT.search(pattern))
    )


def contract_models():
    for module in CONTRACT_MODULES:
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                if not name.endswith("View") and "Failure" not in name and "Rejected" not in name:
                    yield pytest.param(value, id=f"{module.__name__}.{name}")


@pytest.mark.parametrize("model", contract_models())
def test_every_string_of_a_contract_has_a_bound(model):
    schema = model.model_json_schema(mode="validation")
    assert unbounded_strings(schema, schema.get("$defs", {}), model.__name__) == []


def request_bodies():
    document = create_app().openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                yield pytest.param(content["schema"], document, id=f"{method.upper()} {path} {media_type}")


@pytest.mark.parametrize("schema, document", request_bodies())
def test_every_string_of_a_request_body_has_a_bound(schema, document):
    assert unbounded_strings(schema, document["components"]["schemas"], "body") == []
