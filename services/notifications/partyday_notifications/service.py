"""The notifications service's entrypoints: each consumer decides who is told of an event and stores the
notifications with their deliveries in the event's transaction; timers send the due deliveries and store the
reminders; RPCs answer a member's inbox and choices and operations' dead letters."""

from nameko.extensions import DependencyProvider
from nameko.timer import timer

from partyday_common.consumer import event_consumer
from partyday_common.db import Database, utcnow
from partyday_common.errors import validated
from partyday_common.idempotency import once
from partyday_common.member_following import member_following
from partyday_common.orgtree import OrgTreeProjection
from partyday_common.rpc import TimedRpcProxy
from partyday_common.service import PartydayService, rpc
from partyday_notifications import delivery, inbox, people, reminders, telling
from partyday_notifications.channels import make_channels
from partyday_notifications.expectations import (
    AbsenceFlaggedExpected,
    CampaignOpenedExpected,
    CommentHiddenExpected,
    CommentModeratedExpected,
    EvaluationPublishedExpected,
    GrantExpected,
    LeaveExpected,
    MakeupAssignedExpected,
    MemberExpected,
    MembersImportedExpected,
    OverdueExpected,
    PlanApprovedExpected,
    PlanReturnedExpected,
    RectificationExpected,
    RectificationMovedExpected,
    RectificationOverdueExpected,
    UploadRejectedExpected,
    VolunteerRequestDispatchedExpected,
    VolunteerRequestSubmittedExpected,
)
from partyday_notifications.models import metadata, org_nodes
from partyday_notifications.settings import get_settings
from partyday_notifications_contracts.events import SUBSCRIBED
from partyday_notifications_contracts.rpc import NotificationSettingsUpdate


class Channels(DependencyProvider):
    """The SMS and e-mail channels of the settings, made once per service container."""

    def setup(self):
        self.channels = make_channels(get_settings())

    def get_dependency(self, worker_ctx):
        return self.channels


MemberFollowing = member_following(MemberExpected, MembersImportedExpected)


class NotificationsService(
    OrgTreeProjection, member_following(MemberExpected, MembersImportedExpected), PartydayService
):
    name = "notifications"
    db = Database(metadata, subscribed=SUBSCRIBED)
    channels = Channels()
    directory = TimedRpcProxy("directory")
    org_nodes = org_nodes
    following = people

    @event_consumer("directory", "role_granted", expects=GrantExpected)
    def on_role_granted(self, event, payload: GrantExpected):
        """Follow who is a branch's secretary or an organisation's admin."""
        with self.db.transaction() as session:
            people.follow_grant(session, payload, active=True)

    @event_consumer("directory", "role_revoked", expects=GrantExpected)
    def on_role_revoked(self, event, payload: GrantExpected):
        """A revoked role is told nothing more."""
        with self.db.transaction() as session:
            people.follow_grant(session, payload, active=False)

    @event_consumer("plans", "plan_approved", expects=PlanApprovedExpected)
    def on_plan_approved(self, event, payload: PlanApprovedExpected):
        """The plan is published to the branch's members; the secretary is told the month's political birthdays,
        as the directory counts them (asked before the transaction, so that none is held open across the call)."""
        birthdays = self.directory.political_birthdays(payload.branch_id, payload.month)["items"]
        with self.db.transaction() as session:
            telling.plan_published(session, event.event_id, payload, utcnow(), birthdays)

    @event_consumer("plans", "plan_returned", expects=PlanReturnedExpected)
    def on_plan_returned(self, event, payload: PlanReturnedExpected):
        """The secretary is told the reviewer's comment."""
        with self.db.transaction() as session:
            telling.plan_returned(session, event.event_id, payload, utcnow())

    @event_consumer("plans", "plan_overdue", expects=OverdueExpected)
    def on_plan_overdue(self, event, payload: OverdueExpected):
        """The secretary and the superior's admins are told the plan is late."""
        with self.db.transaction() as session:
            telling.overdue(session, event.event_id, "plan_overdue", payload, utcnow())

    @event_consumer("plans", "summary_overdue", expects=OverdueExpected)
    def on_summary_overdue(self, event, payload: OverdueExpected):
        """The secretary and the superior's admins are told the summary is late."""
        with self.db.transaction() as session:
            telling.overdue(session, event.event_id, "summary_overdue", payload, utcnow())

    @event_consumer("plans", "rectification_issued", expects=RectificationExpected)
    def on_rectification_issued(self, event, payload: RectificationExpected):
        """The secretary is told what to fix."""
        with self.db.transaction() as session:
            telling.rectification_issued(session, event.event_id, payload, utcnow())

    @event_consumer("plans", "rectification_answered", expects=RectificationMovedExpected)
    def on_rectification_answered(self, event, payload: RectificationMovedExpected):
        """Whoever issued the notice is told it was answered."""
        with self.db.transaction() as session:
            telling.rectification_answered(session, event.event_id, payload, utcnow())

    @event_consumer("plans", "rectification_reopened", expects=RectificationMovedExpected)
    def on_rectification_reopened(self, event, payload: RectificationMovedExpected):
        """The secretary is told the answer was not accepted."""
        with self.db.transaction() as session:
            telling.rectification_reopened(session, event.event_id, payload, utcnow())

    @event_consumer("plans", "rectification_overdue", expects=RectificationOverdueExpected)
    def on_rectification_overdue(self, event, payload: RectificationOverdueExpected):
        """The secretary and the superior's admins are told the notice is past due."""
        with self.db.transaction() as session:
            telling.rectification_overdue(session, event.event_id, payload, utcnow())

    @event_consumer("attendance", "member_absence_flagged", expects=AbsenceFlaggedExpected)
    def on_absence_flagged(self, event, payload: AbsenceFlaggedExpected):
        """The secretary is told who keeps missing the party day."""
        with self.db.transaction() as session:
            telling.absence_flagged(session, event.event_id, payload, utcnow())

    @event_consumer("attendance", "leave_requested", expects=LeaveExpected)
    def on_leave_requested(self, event, payload: LeaveExpected):
        """A member on leave is not reminded."""
        with self.db.transaction() as session:
            telling.leave_requested(session, payload)

    @event_consumer("attendance", "makeup_assigned", expects=MakeupAssignedExpected)
    def on_makeup_assigned(self, event, payload: MakeupAssignedExpected):
        """The member absent without leave is told of their make-up study."""
        with self.db.transaction() as session:
            telling.makeup_assigned(session, event.event_id, payload, utcnow())

    @event_consumer("attendance", "leave_decided", expects=LeaveExpected)
    def on_leave_decided(self, event, payload: LeaveExpected):
        """The member is told the decision."""
        with self.db.transaction() as session:
            telling.leave_decided(session, event.event_id, payload, utcnow())

    @event_consumer("media", "upload_rejected", expects=UploadRejectedExpected)
    def on_upload_rejected(self, event, payload: UploadRejectedExpected):
        """The uploader is told the reason."""
        with self.db.transaction() as session:
            telling.upload_rejected(session, event.event_id, payload, utcnow())

    @event_consumer("scoring", "comment_hidden", expects=CommentHiddenExpected)
    def on_comment_hidden(self, event, payload: CommentHiddenExpected):
        """The author is told their comment is hidden."""
        with self.db.transaction() as session:
            telling.comment_hidden(session, event.event_id, payload, utcnow())

    @event_consumer("scoring", "comment_moderated", expects=CommentModeratedExpected)
    def on_comment_moderated(self, event, payload: CommentModeratedExpected):
        """The author is told the moderator's decision."""
        with self.db.transaction() as session:
            telling.comment_moderated(session, event.event_id, payload, utcnow())

    @event_consumer("scoring", "evaluation_published", expects=EvaluationPublishedExpected)
    def on_evaluation_published(self, event, payload: EvaluationPublishedExpected):
        """The winners' secretaries are told their award."""
        with self.db.transaction() as session:
            telling.evaluation_published(session, event.event_id, payload, utcnow())

    @event_consumer("scoring", "campaign_opened", expects=CampaignOpenedExpected)
    def on_campaign_opened(self, event, payload: CampaignOpenedExpected):
        """The members under the campaign's organisation are told that voting has opened, and until when."""
        with self.db.transaction() as session:
            telling.campaign_opened(session, event.event_id, payload, utcnow())

    @event_consumer("volunteers", "volunteer_request_submitted", expects=VolunteerRequestSubmittedExpected)
    def on_volunteer_request_submitted(self, event, payload: VolunteerRequestSubmittedExpected):
        """The branch's secretaries are told of a resident's request to take in."""
        with self.db.transaction() as session:
            telling.volunteer_request_submitted(session, event.event_id, payload, utcnow())

    @event_consumer("volunteers", "volunteer_request_dispatched", expects=VolunteerRequestDispatchedExpected)
    def on_volunteer_request_dispatched(self, event, payload: VolunteerRequestDispatchedExpected):
        """The members a request was dispatched or published to are told to claim it."""
        with self.db.transaction() as session:
            telling.volunteer_request_dispatched(session, event.event_id, payload, utcnow())

    @timer(interval=get_settings().notifications_delivery_interval_s)
    def delivery_timer(self):
        """Send the due text messages and e-mails."""
        delivery.run_round(self.db, self.directory.member_phones, self.channels, get_settings())

    @timer(interval=get_settings().notifications_reminder_interval_s)
    def reminder_timer(self):
        """Store the party-day reminders now due."""
        with self.db.transaction() as session:
            reminders.send_due(session, utcnow())

    @rpc
    def inbox(self, member_id: str, page: int = 1, page_size: int = 20, unread_only: bool = False) -> dict:
        """A member's notifications, newest first, with the unread count."""
        with self.db.transaction() as session:
            return inbox.page(session, member_id, page, page_size, bool(unread_only))

    @rpc
    def mark_read(self, member_id: str, notification_id: str, idempotency_key: str | None = None) -> dict:
        """One of the member's notifications read."""
        request = {"member_id": member_id, "notification_id": notification_id}
        with self.db.transaction() as session:
            return once(
                session,
                "mark_read",
                idempotency_key,
                request,
                lambda: inbox.mark_read(session, member_id, notification_id, utcnow()),
            )

    @rpc
    def mark_all_read(self, member_id: str, idempotency_key: str | None = None) -> dict:
        """Every notification of the member read."""
        with self.db.transaction() as session:
            return once(
                session,
                "mark_all_read",
                idempotency_key,
                {"member_id": member_id},
                lambda: inbox.mark_all_read(session, member_id, utcnow()),
            )

    @rpc
    def member_settings(self, member_id: str) -> dict:
        """A member's e-mail address, language and channels per kind."""
        with self.db.transaction() as session:
            return inbox.settings_view(session, member_id)

    @rpc
    def update_member_settings(self, member_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Change a member's e-mail address, language or channels per kind."""
        request = validated(NotificationSettingsUpdate, payload)
        with self.db.transaction() as session:
            return once(
                session,
                "update_member_settings",
                idempotency_key,
                {"member_id": member_id, "payload": payload},
                lambda: inbox.update_settings(session, member_id, request),
            )

    @rpc
    def dead_letters(self, page: int = 1, page_size: int = 50) -> dict:
        """Deliveries given up after their attempts, newest first, with counts by channel and status."""
        with self.db.transaction() as session:
            return {**delivery.dead_letters(session, page, page_size), "counts": delivery.counts(session)}
