"""Does what a producer emits satisfy what a consumer expects? Compared on the two models' JSON schemas.

The producer's side is the schema of what `Model(...).model_dump(mode="json")` writes (every field, a defaulted
one too); the consumer's side is the schema its expected model validates. For every field the consumer requires,
the producer must write it, and every value the producer may write there must be one the consumer accepts: its
JSON type (an integer where a number is expected is fine, a null where it is not is not), the values of an enum
or literal, a string's format (`date-time`, `uuid`, ...), recursively through nested objects and array items.
A field the consumer may go without is compared only when the producer writes it. Other constraints (lengths,
patterns, bounds) are not compared.
"""

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

ANY = None


class EveryFieldWritten(GenerateJsonSchema):
    """The serialization schema in which a model's defaulted fields are required too: model_dump writes them."""

    def field_is_required(self, field, total: bool) -> bool:
        if self.mode == "serialization" and field["type"] != "typed-dict-field":
            return True
        return super().field_is_required(field, total)


def produced_schema(model: type[BaseModel]) -> dict:
    return model.model_json_schema(mode="serialization", schema_generator=EveryFieldWritten)


def expected_schema(model: type[BaseModel]) -> dict:
    return model.model_json_schema(mode="validation")


def unmet_expectations(expected: type[BaseModel], produced: type[BaseModel]) -> list[str]:
    """What a payload of `produced` may hold that `expected` refuses, one line per field; [] when it satisfies it."""
    consumer, producer = Schema(expected_schema(expected)), Schema(produced_schema(produced))
    return value_problems(consumer, consumer.root, producer, producer.root, "")


class Schema:
    """A JSON schema with its `$defs`, read as a union of plain branches."""

    def __init__(self, document: dict):
        self.root = document
        self.definitions = document.get("$defs", {})

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = self.definitions[node["$ref"].rsplit("/", 1)[-1]]
        if len(node.get("allOf", ())) == 1:
            node = {**{k: v for k, v in node.items() if k != "allOf"}, **self.resolve(node["allOf"][0])}
        return node

    def branches(self, node: dict) -> list[dict]:
        """The alternatives a value may take, each with a single JSON type or none (anything)."""
        node = self.resolve(node)
        for union in ("anyOf", "oneOf"):
            if union in node:
                return [branch for alternative in node[union] for branch in self.branches(alternative)]
        kinds = node.get("type")
        if isinstance(kinds, list):
            return [{**node, "type": kind} for kind in kinds]
        if kinds is None and values_of(node) is not None:
            return [{**node, "type": kind} for kind in sorted({json_type(value) for value in values_of(node)})]
        return [node]


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def values_of(node: dict) -> set | None:
    """The values a literal or enum allows; None when it is not one."""
    if "const" in node:
        return {node["const"]}
    if "enum" in node:
        return set(node["enum"])
    return None


def describe(node: dict) -> str:
    kind = node.get("type", "anything")
    if values_of(node) is not None:
        return f"{kind} in {sorted(values_of(node), key=str)}"
    if "format" in node:
        return f"{kind} ({node['format']})"
    return kind


def value_problems(consumer: Schema, expected: dict, producer: Schema, produced: dict, where: str) -> list[str]:
    """What a value of the produced schema may be that the expected schema refuses."""
    problems = []
    expected_branches = consumer.branches(expected)
    for branch in producer.branches(produced):
        attempts = [
            branch_problems(consumer, candidate, producer, branch, where)
            for candidate in expected_branches
            if accepts_type(candidate.get("type"), branch.get("type"))
        ]
        if not attempts:
            problems.append(
                f"{where or 'the payload'}: the producer may write {describe(branch)}, the consumer "
                f"accepts {' or '.join(describe(candidate) for candidate in expected_branches)}"
            )
        elif all(attempts):
            problems += attempts[0]
    return problems


def accepts_type(expected: str | None, produced: str | None) -> bool:
    return expected is ANY or expected == produced or (expected, produced) == ("number", "integer")


def branch_problems(consumer: Schema, expected: dict, producer: Schema, produced: dict, where: str) -> list[str]:
    """What a value of one produced branch may be that an expected branch of an accepting type refuses."""
    label = where or "the payload"
    allowed = values_of(expected)
    if allowed is not None:
        written = values_of(produced)
        if written is None:
            return [
                f"{label}: the consumer accepts only {sorted(allowed, key=str)}, the producer may write any "
                f"{describe(produced)}"
            ]
        if not written <= allowed:
            return [
                f"{label}: the producer may write {sorted(written - allowed, key=str)}, the consumer accepts "
                f"only {sorted(allowed, key=str)}"
            ]
    if "format" in expected and produced.get("format") != expected["format"]:
        return [f"{label}: the consumer reads a {expected['format']} string, the producer writes {describe(produced)}"]
    if expected.get("type") == "object":
        return object_problems(consumer, expected, producer, produced, where)
    if expected.get("type") == "array" and "items" in expected:
        return value_problems(consumer, expected["items"], producer, produced.get("items", {}), f"{where}[]")
    return []


def object_problems(consumer: Schema, expected: dict, producer: Schema, produced: dict, where: str) -> list[str]:
    problems = []
    written, required_by_producer = produced.get("properties", {}), set(produced.get("required", ()))
    required = set(expected.get("required", ()))
    for name, field in expected.get("properties", {}).items():
        path = inside(where, name)
        if name not in written:
            if name in required:
                problems.append(f"{path}: required by the consumer, not in the producer's schema")
            continue
        if name in required and name not in required_by_producer:
            problems.append(f"{path}: required by the consumer, optional in the producer's schema")
        problems += value_problems(consumer, field, producer, written[name], path)
    if expected.get("additionalProperties") is False:
        problems += [
            f"{inside(where, name)}: written by the producer, forbidden by the consumer"
            for name in written
            if name not in expected.get("properties", {})
        ]
    return problems


def inside(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
