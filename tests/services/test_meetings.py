"""三会一课 in the plans service: a meeting of another kind is planned without a directive, published on
submission unless its organisation requires approval, counted in the archive, and a branch that misses its
cadence is listed as overdue."""

import pytest

from partyday_common.errors import DomainError
from tests.services.helpers import wait_until
from tests.services.test_plans import call, city, draft, outbox, services  # noqa: F401 (the fixtures)


@pytest.fixture
def plans(services):  # noqa: F811 (the plans and directory services, started)
    return services["plans"]


NOVEMBER = {
    "month": "2026-11",
    "starts_at": "2026-11-10T19:00:00+08:00",
    "ends_at": "2026-11-10T21:00:00+08:00",
}
IN_NOVEMBER = "2026-11-02T10:00:00+08:00"
AFTER_NOVEMBER = "2026-12-02T10:00:00+08:00"
AFTER_THE_QUARTER = "2027-01-02T10:00:00+08:00"


def meeting(plans, branch, kind, **changes):
    return call(
        plans,
        "create_plan",
        {
            "branch_id": branch["org_id"],
            "kind": kind,
            "theme": "支委会：研究发展党员工作",
            "venue": {"name": "党员活动室", "lat": 33.07, "lon": 107.03},
            **NOVEMBER,
            **changes,
        },
        now=IN_NOVEMBER,
    )


def test_a_meeting_is_planned_without_a_directive_and_published_on_submission(plans, city):  # noqa: F811 (the fixture)
    plan = meeting(plans, city["branch"], "branch_committee")
    assert plan["kind"] == "branch_committee" and plan["status"] == "draft"
    published = call(plans, "submit_plan", plan["plan_id"], now=IN_NOVEMBER, idempotency_key="submit-once")
    assert published["status"] == "published" and published["activity_id"], "no approval by default: published"
    assert published["submitted_late"] is False
    [approved] = outbox(plans, "plan_approved")
    assert approved["kind"] == "branch_committee" and approved["activity_id"] == published["activity_id"]
    assert sorted(m["name"] for m in approved["roster"]) == sorted(["张红梅", "李流动"])
    [submitted] = outbox(plans, "plan_submitted")
    assert submitted["kind"] == "branch_committee"
    acts = [act["action"] for act in outbox(plans, "administrative_act")]
    assert "plan.publish" in acts and "plan.approve" not in acts
    again = call(plans, "submit_plan", plan["plan_id"], now=IN_NOVEMBER, idempotency_key="submit-once")
    assert again == published and len(outbox(plans, "plan_approved")) == 1, "a repeat gets the first answer"


def test_a_kind_whose_organisation_requires_approval_waits_for_a_superior(plans, city):  # noqa: F811 (the fixture)
    settings = call(
        plans,
        "set_meeting_settings",
        city["county"]["org_id"],
        {"kinds": {"members_meeting": {"requires_approval": True, "cadence": "quarterly"}}},
    )
    assert settings["kinds"]["members_meeting"]["own"] is True
    plan = meeting(plans, city["branch"], "members_meeting")
    submitted = call(plans, "submit_plan", plan["plan_id"], now=IN_NOVEMBER)
    assert submitted["status"] == "submitted" and submitted["activity_id"] is None
    assert outbox(plans, "plan_approved") == []
    approved = call(plans, "approve_plan", plan["plan_id"], now=IN_NOVEMBER)
    assert approved["status"] == "published"
    [event] = outbox(plans, "plan_approved")
    assert event["kind"] == "members_meeting"


def test_a_branch_plans_one_of_each_kind_a_month_beside_its_theme_day(plans, city):  # noqa: F811 (the fixture)
    theme_day = draft(plans, city["branch"])
    assert theme_day["kind"] == "theme_day"
    lecture = call(
        plans,
        "create_plan",
        {
            "branch_id": city["branch"]["org_id"],
            "month": "2026-12",
            "kind": "party_lecture",
            "theme": "书记讲党课",
            "starts_at": "2026-12-08T09:00:00+08:00",
            "ends_at": "2026-12-08T11:00:00+08:00",
            "venue": {"name": "党员活动室", "lat": 33.07, "lon": 107.03},
        },
        now="2026-12-01T10:00:00+08:00",
    )
    assert lecture["kind"] == "party_lecture"
    with pytest.raises(DomainError) as raised:
        draft(plans, city["branch"], kind="party_lecture")
    assert raised.value.code == "PLAN_EXISTS"
    assert call(plans, "branch_month", city["branch"]["org_id"], "2026-12")["plan"]["plan_id"] == theme_day["plan_id"]
    listed = call(plans, "list_plans", city["town"]["org_id"], "2026-12", kind="party_lecture")
    assert [p["plan_id"] for p in listed["items"]] == [lecture["plan_id"]]
    with pytest.raises(DomainError) as raised:
        draft(plans, city["branch"], kind="tea_party")
    assert raised.value.status == 400


def test_meeting_settings_are_an_organisations_own_or_the_ones_it_follows(plans, city):  # noqa: F811 (the fixture)
    defaults = call(plans, "get_meeting_settings", city["branch"]["org_id"])["kinds"]
    assert {kind: (s["requires_approval"], s["cadence"]) for kind, s in defaults.items()} == {
        "members_meeting": (False, "quarterly"),
        "branch_committee": (False, "monthly"),
        "group_meeting": (False, "monthly"),
        "party_lecture": (False, "quarterly"),
    }
    call(
        plans,
        "set_meeting_settings",
        city["town"]["org_id"],
        {"kinds": {"party_lecture": {"requires_approval": True, "cadence": "monthly"}}},
    )
    followed = call(plans, "get_meeting_settings", city["branch"]["org_id"])["kinds"]["party_lecture"]
    assert followed == {
        "requires_approval": True,
        "cadence": "monthly",
        "own": False,
        "from_org_id": city["town"]["org_id"],
    }
    [act] = [a for a in outbox(plans, "administrative_act") if a["action"] == "meeting_settings.set"]
    assert act["target_id"] == city["town"]["org_id"]
    with pytest.raises(DomainError) as raised:
        call(plans, "set_meeting_settings", city["town"]["org_id"], {"kinds": {"members_meeting": {"cadence": "x"}}})
    assert raised.value.status == 400


def hold(plans, branch, kind):
    plan = meeting(plans, branch, kind)
    call(plans, "submit_plan", plan["plan_id"], now=IN_NOVEMBER)
    return plan


def overdue(plans, org, now, **options):
    found = call(plans, "meetings_overdue", org["org_id"], "2026-11", now=now, **options)
    return {(item["name"], item["kind"], item["period"]) for item in found["items"]}, found


def test_branches_that_missed_a_cadence_are_overdue_once_the_period_has_ended(plans, city):  # noqa: F811 (the fixture)
    hold(plans, city["branch"], "branch_committee")
    hold(plans, city["branch"], "members_meeting")
    call(plans, "check_deadlines", now=AFTER_NOVEMBER)

    during, _ = overdue(plans, city["county"], IN_NOVEMBER)
    assert during == set(), "nothing is overdue before its period has ended"
    after_month, found = overdue(plans, city["county"], AFTER_NOVEMBER)
    assert after_month == {
        ("二支部", "branch_committee", "2026-11"),
        ("一支部", "group_meeting", "2026-11"),
        ("二支部", "group_meeting", "2026-11"),
    }, "a quarterly kind waits for its quarter's end"
    assert found["total"] == 3
    first_page = call(plans, "meetings_overdue", city["county"]["org_id"], "2026-11", page_size=2, now=AFTER_NOVEMBER)
    assert first_page["total"] == 3 and len(first_page["items"]) == 2
    after_quarter, _ = overdue(plans, city["county"], AFTER_THE_QUARTER, kind="members_meeting")
    assert after_quarter == {("二支部", "members_meeting", "2026-Q4")}

    call(
        plans,
        "set_meeting_settings",
        city["town"]["org_id"],
        {"kinds": {"group_meeting": {"requires_approval": False, "cadence": "quarterly"}}},
    )
    relaxed, _ = overdue(plans, city["county"], AFTER_NOVEMBER, kind="group_meeting")
    assert relaxed == set(), "the town's quarterly cadence for group meetings is not yet due"
    with pytest.raises(DomainError) as raised:
        call(plans, "meetings_overdue", city["county"]["org_id"], "2026-11", kind="theme_day")
    assert raised.value.code == "MEETING_KIND_INVALID"


def test_the_archive_counts_the_meetings_of_each_kind(plans, city):  # noqa: F811 (the fixture)
    hold(plans, city["branch"], "branch_committee")
    call(plans, "check_deadlines", now=AFTER_NOVEMBER)
    archive = call(plans, "archive", city["town"]["org_id"], "2026-11")
    counts = {item["name"]: item["meetings"] for item in archive["items"]}
    assert counts["一支部"]["branch_committee"] == 1 and counts["一支部"]["members_meeting"] == 0
    assert set(counts["二支部"].values()) == {0}
    assert all(item["plan"] is None for item in archive["items"]), "a meeting is not the month's theme day plan"


def test_a_branch_moved_under_another_organisation_follows_its_settings(services, plans, city):  # noqa: F811
    directory = services["directory"]
    other_town = call(
        directory, "create_org", {"name": "南关街道", "level": "township", "parent_id": city["county"]["org_id"]}
    )

    def known():
        try:
            return call(plans, "get_meeting_settings", other_town["org_id"])
        except DomainError:
            return None

    wait_until(known, message="plans knows the new town")
    call(
        plans,
        "set_meeting_settings",
        other_town["org_id"],
        {"kinds": {"group_meeting": {"requires_approval": False, "cadence": "quarterly"}}},
    )
    call(directory, "update_org", city["other"]["org_id"], {"parent_id": other_town["org_id"]})

    def moved():
        found = call(plans, "get_meeting_settings", city["other"]["org_id"])["kinds"]["group_meeting"]
        return found["from_org_id"] == other_town["org_id"]

    wait_until(moved, message="plans follows the move")
    listed, _ = overdue(plans, city["county"], AFTER_NOVEMBER, kind="group_meeting")
    assert listed == {("一支部", "group_meeting", "2026-11")}, (
        "the moved branch follows its new town's quarterly cadence"
    )
