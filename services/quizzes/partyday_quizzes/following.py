"""What quizzes follows of other services' events: members (who is expected in which branch) and directives
(the subtree and month a quiz on one reaches)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import bulk_insert
from partyday_quizzes.models import Directive, Member


def _values(member) -> dict:
    return {
        "name": member.name,
        "branch_id": member.branch_id,
        "branch_path": member.branch_path,
        "active": member.active,
    }


def follow_member(session: Session, member) -> None:
    """Insert or update a member from `member_joined`, `member_updated`, `member_transferred` or `member_left`."""
    found = session.get(Member, member.member_id, with_for_update=True)
    if found is None:
        session.add(Member(member_id=member.member_id, **_values(member)))
        return
    for name, value in _values(member).items():
        setattr(found, name, value)


def follow_members(session: Session, members: list) -> None:
    """A roster import's batch: the new members in one insert, any already known updated."""
    known = set(session.scalars(select(Member.member_id).where(Member.member_id.in_([m.member_id for m in members]))))
    for member in members:
        if member.member_id in known:
            follow_member(session, member)
    bulk_insert(
        session,
        Member.__table__,
        [{"member_id": m.member_id, **_values(m)} for m in members if m.member_id not in known],
    )


def follow_directive(session: Session, directive) -> None:
    if session.get(Directive, directive.directive_id) is None:
        session.add(
            Directive(
                directive_id=directive.directive_id,
                org_id=directive.org_id,
                org_path=directive.org_path,
                month=directive.month,
                theme=directive.theme,
            )
        )
