"""Errors that cross the bus with a reason code the gateway can show to a client."""

from nameko.exceptions import registry
from pydantic import BaseModel, ValidationError

from partyday_common.text import NOT_VISIBLE, NOT_VISIBLE_CODE


class DomainError(Exception):
    """A rule was violated or input was bad; carries the api.md error fields.

    Its args stay JSON-safe so nameko can serialise it across RPC, and it is
    registered so in-service RPC callers get a DomainError back, not a RemoteError.
    """

    def __init__(self, code: str, message: str, status: int = 422, details: dict | None = None):
        super().__init__(code, message, status, details or {})
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


registry[f"{DomainError.__module__}.{DomainError.__name__}"] = DomainError


def not_found(what: str, identifier) -> DomainError:
    return DomainError(f"{what.upper()}_NOT_FOUND", f"{what} {identifier} does not exist", 404, {"id": str(identifier)})


def invalid(code: str, message: str, **details) -> DomainError:
    return DomainError(code, message, 400, details)


def validated(model: type[BaseModel], payload: dict) -> BaseModel:
    """An RPC payload as its schema, or 400 VALIDATION_FAILED listing what is wrong where (422 TEXT_NOT_VISIBLE
    when all that is wrong is text without enough visible characters)."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        if all(error["type"] == NOT_VISIBLE for error in errors):
            raise DomainError(NOT_VISIBLE_CODE, "the text has too few visible characters", 422, {"errors": errors})
        raise invalid("VALIDATION_FAILED", "the request is malformed", errors=errors)
