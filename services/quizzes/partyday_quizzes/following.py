"""What quizzes follows of other services' events: members (who is expected in which branch) and directives
(the subtree and month a quiz on one reaches)."""

from sqlalchemy.orm import Session

from partyday_common.member_following import follow_batch, follow_one
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
    follow_one(session, Member, member, _values)


def follow_members(session: Session, members: list) -> None:
    """A roster import's batch (`members_imported`): the new members in one insert, any already known updated."""
    follow_batch(session, Member, members, _values)


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
