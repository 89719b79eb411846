"""The members volunteers follows from the directory's events: who may claim a branch's requests."""

from sqlalchemy.orm import Session

from partyday_common.member_following import follow_batch, follow_one
from partyday_volunteers.models import Volunteer


def _values(member) -> dict:
    return {"name": member.name, "branch_id": member.branch_id, "active": member.active}


def follow_member(session: Session, member) -> None:
    """Insert or update a member from `member_joined`, `member_updated`, `member_transferred` or `member_left`."""
    follow_one(session, Volunteer, member, _values)


def follow_members(session: Session, members: list) -> None:
    """A roster import's batch (`members_imported`): the new members in one insert, any already known updated."""
    follow_batch(session, Volunteer, members, _values)
