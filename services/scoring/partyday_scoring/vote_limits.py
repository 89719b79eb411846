"""Vote attempts per account and per client address and minute, counted in scoring's database so that every
gateway replica shares one limit and a restart forgets nothing. The counters name neither: each key is a keyed
hash of the account (the ballots' own) or of the address."""

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from partyday_common.errors import invalid
from partyday_scoring import campaign_rules as rules
from partyday_scoring.campaigns import voter_key
from partyday_scoring.models import VoteAttempt
from partyday_scoring.settings import get_settings


def check_voter(voter, address) -> None:
    """400 VOTER_INVALID or ADDRESS_INVALID unless the vote names its account and its client address."""
    for name, value in (("voter", voter), ("address", address)):
        if not isinstance(value, str) or not value:
            raise invalid(f"{name.upper()}_INVALID", f"a vote needs its {name}")


def _address_key(address: str) -> str:
    """The client address as the counters know it: a keyed hash."""
    return hmac.new(f"vote-address:{get_settings().secret_key}".encode(), address.encode(), hashlib.sha256).hexdigest()


def count_attempt(session: Session, voter: str, address: str, limits: dict[str, int], now: datetime) -> None:
    """Count a vote attempt against its account's and its client address's limits of the current minute (429
    VOTE_RATE_LIMITED beyond either). Each count is one atomic upsert, so concurrent attempts through any number
    of gateways are counted one after the other; a refused attempt is rolled back with its transaction."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    window = rules.rate_window(now)
    counted = {}
    for kind, key in (("account", f"account:{voter_key(voter)}"), ("address", f"address:{_address_key(address)}")):
        upsert = dialect.insert(VoteAttempt).values(key=key, window_start=window, attempts=1)
        counted[kind] = session.scalar(
            upsert.on_conflict_do_update(
                index_elements=[VoteAttempt.key, VoteAttempt.window_start], set_={"attempts": VoteAttempt.attempts + 1}
            ).returning(VoteAttempt.attempts)
        )
    rules.check_attempts(counted, limits, now)


def purge_attempts(session: Session, now: datetime) -> int:
    """Forget the windows before the current one; how many were forgotten."""
    return session.execute(delete(VoteAttempt).where(VoteAttempt.window_start < rules.rate_window(now))).rowcount
