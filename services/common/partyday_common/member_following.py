"""The directory's members followed by a service that keeps them in a table of its own: the five member events
reach the service's `follow_member(session, member)` and, for a roster import's batch, `follow_members(session,
members)`, each in one transaction, with the payload checked against the service's own expected models."""

from types import ModuleType

from pydantic import BaseModel

from partyday_common.consumer import event_consumer


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
