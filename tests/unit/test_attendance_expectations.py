"""What attendance reads of plans' and the directory's events, checked against what they emit."""

from datetime import datetime, timezone

import pytest

from partyday_attendance.expectations import MemberChanged, PlanApproved
from partyday_attendance_contracts.events import EVENTS, SUBSCRIBED
from partyday_directory_contracts.events import EVENTS as DIRECTORY_EVENTS
from partyday_plans_contracts.events import EVENTS as PLANS_EVENTS

APPROVED = {
    "plan_id": "p-1",
    "activity_id": "a-1",
    "branch_id": "b-1",
    "branch_path": "/c/b-1/",
    "month": "2026-12",
    "theme": "主题党日",
    "starts_at": datetime(2026, 12, 7, 1, tzinfo=timezone.utc),
    "ends_at": datetime(2026, 12, 7, 3, tzinfo=timezone.utc),
    "venue_name": "活动室",
    "venue_lat": 33.07,
    "venue_lon": 107.03,
    "radius_m": 300,
    "attendance_rules": {"opens_before_min": 30, "grace_min": 15, "sign_out_window_min": 60},
    "roster": [{"member_id": "m-1", "name": "张红梅", "mobile": True, "probationary": False}],
}
MEMBER = {
    "member_id": "m-1",
    "name": "张红梅",
    "branch_id": "b-1",
    "branch_path": "/c/b-1/",
    "mobile": False,
    "probationary": False,
    "lost_contact": False,
    "active": True,
    "joined_on": None,
}


def test_an_approved_plan_as_plans_emits_it_opens_a_sheet():
    produced = PLANS_EVENTS["plan_approved"](**APPROVED).model_dump(mode="json")
    plan = PlanApproved.model_validate(produced)
    assert (plan.starts_at, plan.attendance_rules.grace_min, plan.roster[0].mobile) == (APPROVED["starts_at"], 15, True)


@pytest.mark.parametrize(
    "event_type, changes",
    [
        ("member_joined", {}),
        ("member_transferred", {"from_branch_id": "b-0"}),
        ("member_left", {"active": False, "branch_id": None}),
    ],
)
def test_a_member_event_as_the_directory_emits_it_gives_what_the_roster_follows(event_type, changes):
    produced = DIRECTORY_EVENTS[event_type](**{**MEMBER, **changes}).model_dump(mode="json")
    member = MemberChanged.model_validate(produced)
    assert (member.member_id, member.branch_id, member.active) == (
        "m-1",
        changes.get("branch_id", "b-1"),
        changes.get("active", True),
    )


def test_every_subscribed_event_has_a_model():
    assert SUBSCRIBED <= set(EVENTS)
