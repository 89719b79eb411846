"""Each branch's storage quota: the bytes its uploads that are not rejected hold, taken in the
transaction that records an upload and given back when a review rejects it."""

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from partyday_common.errors import DomainError
from partyday_media.models import BranchUsage


def _exceeded(used: int, quota: int) -> DomainError:
    return DomainError(
        "QUOTA_EXCEEDED",
        "the branch has used its media storage quota",
        413,
        {"used_bytes": int(used), "quota_bytes": quota},
    )


def _used(session: Session, branch_id: str) -> int:
    return session.scalar(select(BranchUsage.used_bytes).where(BranchUsage.branch_id == branch_id)) or 0


def check(session: Session, branch_id: str, adding: int, quota: int) -> None:
    """Refuse early (before the upload is processed) what cannot fit; reserves nothing, `take` does."""
    used = _used(session, branch_id)
    if used + adding > quota:
        raise _exceeded(used, quota)


def take(session: Session, branch_id: str, adding: int, quota: int) -> None:
    """Count `adding` bytes against the branch's quota in one conditional update, which locks the
    branch's usage row until the caller's transaction ends: parallel uploads of a branch take their
    bytes one after another, and a rolled-back upload takes nothing."""
    table = BranchUsage.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(table)
        .values(branch_id=branch_id, used_bytes=0)
        .on_conflict_do_nothing(index_elements=[table.c.branch_id])
    )
    taken = session.execute(
        update(table)
        .where(table.c.branch_id == branch_id, table.c.used_bytes + adding <= quota)
        .values(used_bytes=table.c.used_bytes + adding)
    )
    if taken.rowcount == 0:
        raise _exceeded(_used(session, branch_id), quota)


def give_back(session: Session, branch_id: str, freed: int) -> None:
    """A rejected upload counts for nothing: its bytes go back to the branch's quota."""
    table = BranchUsage.__table__
    session.execute(update(table).where(table.c.branch_id == branch_id).values(used_bytes=table.c.used_bytes - freed))
