"""The members volunteers follows from the directory's events: who may claim a branch's requests."""

from sqlalchemy.orm import Session

from partyday_volunteers.models import Volunteer


def follow_member(session: Session, member) -> None:
    """Insert or update a member from `member_joined`, `member_updated`, `member_transferred` or `member_left`."""
    found = session.get(Volunteer, member.member_id, with_for_update=True)
    if found is None:
        session.add(
            Volunteer(member_id=member.member_id, name=member.name, branch_id=member.branch_id, active=member.active)
        )
        return
    found.name, found.branch_id, found.active = member.name, member.branch_id, member.active


def follow_members(session: Session, members: list) -> None:
    """A roster import's batch of new members (`members_imported`)."""
    for member in members:
        follow_member(session, member)
