"""Idempotency keys: a mutating call repeated with the same key gets the first answer.

The key, a hash of the request and the response are stored in the same transaction as
the work, so a client that lost the answer to a committed call can safely send it again.
Every mutating RPC goes through `once`, with one rule: the operation is the RPC's name and the
request is every argument it was called with but the key, by name (resource ids included), so a
key sent again with another body or for another resource is 409 IDEMPOTENCY_KEY_REUSED.
The request's fingerprint is keyed with the secret: a request may hold a password, and a plain
hash of it would let anyone who reads the table test guesses offline.
"""

import hmac
import json
from collections.abc import Callable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.errors import DomainError
from partyday_common.settings import get_settings
from partyday_common.tables import IDEMPOTENCY

MAX_KEY_LENGTH = 200


def request_hash(request) -> str:
    """The request's fingerprint: an HMAC-SHA256 under the secret key of its canonical JSON."""
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hmac.new(get_settings().secret_key.encode(), canonical, "sha256").hexdigest()


def previous_response(session: Session, operation: str, key: str | None, request) -> dict | None:
    """The stored answer to this key, or None when the call is new; a key reused for
    another request is a conflict."""
    return _stored(session, operation, key, request)[1]


def _stored(session: Session, operation: str, key: str | None, request) -> tuple[bool, dict | None]:
    """Whether this key came before with this request, and its answer (which may itself be None)."""
    if key is None:
        return False, None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError("IDEMPOTENCY_KEY_INVALID", f"an Idempotency-Key has 1 to {MAX_KEY_LENGTH} characters", 400)
    table = session.info["metadata"].tables[IDEMPOTENCY]
    row = session.execute(
        select(table.c.request_hash, table.c.response).where(table.c.operation == operation, table.c.key == key)
    ).first()
    if row is None:
        return False, None
    if row.request_hash != request_hash(request):
        raise DomainError(
            "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for a different request", 409, {"key": key}
        )
    return True, row.response


def remember_response(session: Session, operation: str, key: str | None, request, response: dict) -> None:
    """Store the answer with the work; a concurrent first call with the same key loses here."""
    if key is None:
        return
    table = session.info["metadata"].tables[IDEMPOTENCY]
    try:
        session.execute(
            insert(table).values(
                operation=operation, key=key, request_hash=request_hash(request), response=response, created_at=utcnow()
            )
        )
    except IntegrityError:
        raise DomainError(
            "IDEMPOTENCY_KEY_IN_USE", "a request with this Idempotency-Key is in progress; retry", 409, {"key": key}
        )


def once(
    session: Session, operation: str, key: str | None, request: dict, work: Callable[[], dict | None]
) -> dict | None:
    """`work()`'s answer, stored under `key` with the work; the stored answer when `key` came before with
    the same request. `operation` is the RPC's name and `request` its other arguments by name."""
    seen, previous = _stored(session, operation, key, request)
    if seen:
        return previous
    answer = work()
    remember_response(session, operation, key, request, answer)
    return answer


def once_in_transaction(
    db, operation: str, key: str | None, request: dict, work: Callable[[Session], dict | None]
) -> dict | None:
    """`once` in a transaction of its own from `db` (the service's Database dependency), `work` given its
    session: what most mutating RPCs do whole."""
    with db.transaction() as session:
        return once(session, operation, key, request, lambda: work(session))
