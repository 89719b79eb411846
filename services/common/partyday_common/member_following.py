"""The directory's members followed by a service that keeps them in a table of its own: the five member events
reach the service's `follow_member(session, member)` and, for a roster import's batch, `follow_members(session,
members)`, each in one transaction, with the payload checked against the service's own expected models."""

from collections.abc import Callable
from types import ModuleType

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.consumer import event_consumer
from partyday_common.db import bulk_insert, select_by_keys


def member_following(member: type[BaseModel], batch: type[BaseModel]) -> type:
    """A mixin whose service follows members as `member` (one member's fields it keeps) and `batch` (a
    `members_imported` batch of them) expect; the service names the module of its two functions as `following`."""

    class MemberFollowing:
        following: ModuleType

        @event_consumer("directory", "member_joined", expects=member)
        def on_member_joined(self, event, payload):
            """Follow a new member in their branch."""
            self._follow_member(payload)

        @event_consumer("directory", "members_imported", expects=batch)
        def on_members_imported(self, event, payload):
            """Follow a roster import's batch of new members at once."""
            with self.db.transaction() as session:
                self.following.follow_members(session, payload.members)

        @event_consumer("directory", "member_updated", expects=member)
        def on_member_updated(self, event, payload):
            """Follow a member's name and flags."""
            self._follow_member(payload)

        @event_consumer("directory", "member_transferred", expects=member)
        def on_member_transferred(self, event, payload):
            """Follow a member into their new branch."""
            self._follow_member(payload)

        @event_consumer("directory", "member_left", expects=member)
        def on_member_left(self, event, payload):
            """A member who left is followed as inactive."""
            self._follow_member(payload)

        def _follow_member(self, payload):
            with self.db.transaction() as session:
                self.following.follow_member(session, payload)

    return MemberFollowing


def follow_one(session: Session, model: type, member: BaseModel, values: Callable[[BaseModel], dict]) -> None:
    """Insert or update a member kept as a row of `model` (keyed by `member_id`, the rest from `values(member)`),
    from `member_joined`, `member_updated`, `member_transferred` or `member_left`."""
    found = session.get(model, member.member_id, with_for_update=True)
    if found is None:
        session.add(model(member_id=member.member_id, **values(member)))
        return
    for name, value in values(member).items():
        setattr(found, name, value)


def follow_batch(session: Session, model: type, members: list, values: Callable[[BaseModel], dict]) -> None:
    """A roster import's batch kept as rows of `model`, as `follow_one` keeps one, in a few statements rather
    than one per member: its members are new, and are inserted at once; only when one of them is already known
    (a later event about them came first) are the known ones looked up and updated one by one."""
    rows = [{"member_id": member.member_id, **values(member)} for member in members]
    try:
        with session.begin_nested():
            bulk_insert(session, model.__table__, rows)
        return
    except IntegrityError:
        pass
    known = set(session.scalars(select_by_keys(session, model.member_id, [member.member_id for member in members])))
    for member in members:
        if member.member_id in known:
            follow_one(session, model, member, values)
    bulk_insert(session, model.__table__, [row for row in rows if row["member_id"] not in known])
