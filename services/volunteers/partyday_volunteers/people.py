"""The members volunteers follows from the directory's events: who may claim a branch's requests."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import bulk_insert
from partyday_volunteers.models import Volunteer


def _values(member) -> dict:
    return {"name": member.name, "branch_id": member.branch_id, "active": member.active}


def follow_member(session: Session, member) -> None:
    """Insert or update a member from `member_joined`, `member_updated`, `member_transferred` or `member_left`."""
    found = session.get(Volunteer, member.member_id, with_for_update=True)
    if found is None:
        session.add(Volunteer(member_id=member.member_id, **_values(member)))
        return
    for name, value in _values(member).items():
        setattr(found, name, value)


def follow_members(session: Session, members: list) -> None:
    """A roster import's batch (`members_imported`): the new members in one insert, any already known updated, so
    that a city's roster costs a statement per batch rather than one per member."""
    ids = [member.member_id for member in members]
    known = set(session.scalars(select(Volunteer.member_id).where(Volunteer.member_id.in_(ids))))
    for member in members:
        if member.member_id in known:
            follow_member(session, member)
    bulk_insert(
        session,
        Volunteer.__table__,
        [{"member_id": m.member_id, **_values(m)} for m in members if m.member_id not in known],
    )
