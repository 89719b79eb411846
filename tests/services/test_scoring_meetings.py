"""三会一课 in scoring: the dashboard counts each kind of meeting, and a meeting never changes a branch's theme day
score or ranking."""

import uuid

from tests.services.helpers import wait_until
from tests.services.test_scoring import (  # noqa: F401 (the fixture)
    MONTH,
    ROSTER,
    approve,
    branch,
    call,
    close,
    refused,
    scoring,
    send,
)


def meeting(container, kind, code="A", held=True) -> str:
    """A meeting of `kind` planned, published without approval and, if `held`, closed with everyone signed in."""
    activity_id, plan_id = uuid.uuid4().hex, uuid.uuid4().hex
    node = branch(code)
    common = {"plan_id": plan_id, "branch_id": node["org_id"], "branch_path": node["path"], "month": MONTH}
    send(
        container,
        "plans",
        "plan_approved",
        {
            **common,
            "kind": kind,
            "activity_id": activity_id,
            "theme": "支委会",
            "starts_at": "2026-12-09T19:00:00+08:00",
            "ends_at": "2026-12-09T21:00:00+08:00",
            "venue_name": "活动室",
            "venue_lat": 33.07,
            "venue_lon": 107.03,
            "radius_m": 300,
            "attendance_rules": {},
            "roster": ROSTER,
        },
    )
    # Attendance closes a meeting hours after its approval: the close is sent once scoring has the approval (events of
    # one plan otherwise arrive in any order, as the submission does here).
    wait_until(lambda: call(container, "progress", "town", MONTH)["meetings"][kind]["planned"], message=kind)
    send(container, "plans", "plan_submitted", {**common, "kind": kind, "status": "submitted"})
    if held:
        send(
            container,
            "attendance",
            "activity_closed",
            {
                "activity_id": activity_id,
                "plan_id": plan_id,
                "branch_id": node["org_id"],
                "branch_path": node["path"],
                "closed_at": "2026-12-09T14:00:00+00:00",
                "members": {"signed_out": 12, "no_sign_out": 0, "absent": 0, "excused": 0},
                "mobile_members": {"signed_out": 2, "no_sign_out": 0, "absent": 0, "excused": 0},
                "expected": 12,
                "expected_mobile": 2,
            },
        )
    return activity_id


def test_a_meeting_is_counted_on_the_dashboard_and_never_changes_a_theme_day_score_or_ranking(scoring):  # noqa: F811 (the fixture)
    theme_day = approve(scoring, "A")
    scored = close(scoring, theme_day, "A", signed_in=5)
    ranking = call(scoring, "ranking", "town", MONTH)

    committee = meeting(scoring, "branch_committee", "A")
    meeting(scoring, "members_meeting", "B")
    meeting(scoring, "party_lecture", "C", held=False)

    def counted():
        progress = call(scoring, "progress", "town", MONTH)
        meetings = progress["meetings"]
        done = meetings["branch_committee"]["held"] == 1 and meetings["members_meeting"]["held"] == 1
        return done and meetings["party_lecture"]["planned"] == 1 and progress

    progress = wait_until(counted, message="the meetings were counted")
    assert progress["meetings"] == {
        "members_meeting": {"planned": 1, "held": 1},
        "branch_committee": {"planned": 1, "held": 1},
        "group_meeting": {"planned": 0, "held": 0},
        "party_lecture": {"planned": 1, "held": 0},
    }
    assert (progress["planned"], progress["approved"], progress["held"], progress["scored"]) == (1, 1, 1, 1), (
        "the theme day's stages count the theme day only"
    )
    assert progress["children"] == [] or all("meetings" in child for child in progress["children"])
    refused("ACTIVITY_NOT_FOUND", call, scoring, "score", committee)
    assert call(scoring, "score", theme_day)["total"] == scored["total"]
    assert call(scoring, "rescore_all", MONTH)["activities"] == 1
    assert call(scoring, "ranking", "town", MONTH) == ranking, "a meeting changes no ranking"
