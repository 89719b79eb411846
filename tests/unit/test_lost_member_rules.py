"""The lost-contact register's rules on SQLite: registering sets the member's flag and a member has one open entry;
a step, found or transferred only on an open entry; found and transferred clear the flag (transferred through the
transfer rule); the day contact was lost is not to come; counts and pages per subtree."""

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.db import make_engine
from partyday_common.errors import DomainError
from partyday_common.tables import OUTBOX
from partyday_directory import lost_members
from partyday_directory.models import LostMember, Member, Org, metadata
from partyday_directory_contracts.rpc import (
    LostMemberFound,
    LostMemberRegister,
    LostMemberStepCreate,
    LostMemberTransferred,
)

NOW = datetime(2026, 12, 5, 9, tzinfo=timezone.utc)
TREE = [
    ("c", None, "city", "/c/"),
    ("k", "c", "county", "/c/k/"),
    ("b1", "k", "branch", "/c/k/b1/"),
    ("b2", "k", "branch", "/c/k/b2/"),
    ("t", "c", "township", "/c/t/"),
    ("b3", "t", "branch", "/c/t/b3/"),
]


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/directory.sqlite3")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.info.update(
            service="directory", outbox_table=metadata.tables[OUTBOX], metadata=metadata, actor_id="admin"
        )
        for org_id, parent, level, path in TREE:
            session.add(
                Org(
                    id=org_id,
                    code=org_id,
                    name=org_id,
                    parent_id=parent,
                    level=level,
                    domain="community",
                    kind="regular",
                    path=path,
                    created_at=NOW,
                )
            )
        session.flush()
        for index, (member_id, branch) in enumerate([("m1", "b1"), ("m2", "b1"), ("m3", "b3"), ("admin", "b1")]):
            session.add(
                Member(
                    id=member_id,
                    name=member_id,
                    phone=f"1380000{index:04d}",
                    branch_id=branch,
                    lost_contact=False,
                    active=True,
                    created_at=NOW,
                )
            )
        session.flush()
        yield session
    engine.dispose()


def register(session, member_id="m1", since=date(2026, 3, 1), contact="13800000000（本人）"):
    return lost_members.register(
        session, LostMemberRegister(member_id=member_id, since=since, last_contact=contact), NOW
    )


def test_registering_sets_the_flag_and_keeps_the_last_branch(session):
    entry = register(session)
    assert entry["status"] == "open" and entry["last_branch_id"] == "b1" and entry["since"] == "2026-03-01"
    assert entry["registered_by"] == "admin" and entry["steps"] == []
    assert session.get(Member, "m1").lost_contact is True


def test_a_member_with_an_open_entry_is_not_registered_twice(session):
    register(session)
    with pytest.raises(DomainError) as raised:
        register(session)
    assert raised.value.code == "ALREADY_REGISTERED" and raised.value.status == 409


def test_a_member_who_left_is_not_registered(session):
    session.get(Member, "m2").active = False
    with pytest.raises(DomainError) as raised:
        register(session, "m2")
    assert raised.value.code == "MEMBER_INACTIVE"


def test_the_day_contact_was_lost_is_not_to_come(session):
    with pytest.raises(DomainError) as raised:
        register(session, since=date(2026, 12, 7))
    assert raised.value.code == "SINCE_IN_FUTURE" and raised.value.status == 422
    assert lost_members.check_since(date(2026, 12, 5), NOW) == date(2026, 12, 5)


def test_steps_keep_what_when_and_by_whom(session):
    entry = register(session)
    lost_members.add_step(session, entry["entry_id"], LostMemberStepCreate(what="电话联系未接通"), NOW)
    found = lost_members.add_step(session, entry["entry_id"], LostMemberStepCreate(what="上门走访"), NOW)
    assert [step["what"] for step in found["steps"]] == ["电话联系未接通", "上门走访"]
    assert found["steps"][0]["taken_by"] == "admin" and found["steps"][0]["taken_by_name"] == "admin"


def test_found_clears_the_flag_and_closes_the_entry_for_good(session):
    entry = register(session)
    found = lost_members.found(session, entry["entry_id"], LostMemberFound(note="已恢复联系"), NOW)
    assert found["status"] == "found" and found["closed_by"] == "admin" and found["outcome_note"] == "已恢复联系"
    assert session.get(Member, "m1").lost_contact is False
    for act in (
        lambda: lost_members.add_step(session, entry["entry_id"], LostMemberStepCreate(what="再联系"), NOW),
        lambda: lost_members.found(session, entry["entry_id"], LostMemberFound(), NOW),
        lambda: lost_members.transferred(session, entry["entry_id"], LostMemberTransferred(to_org_id="b2"), NOW),
    ):
        with pytest.raises(DomainError) as raised:
            act()
        assert raised.value.code == "ENTRY_CLOSED" and raised.value.status == 409
    assert register(session)["status"] == "open"


def test_transferred_moves_the_member_by_the_transfer_rule_and_clears_the_flag(session):
    entry = register(session)
    with pytest.raises(DomainError) as raised:
        lost_members.transferred(session, entry["entry_id"], LostMemberTransferred(to_org_id="k"), NOW)
    assert raised.value.code == "BRANCH_REQUIRED"
    moved = lost_members.transferred(session, entry["entry_id"], LostMemberTransferred(to_org_id="b2"), NOW)
    member = session.get(Member, "m1")
    assert moved["status"] == "transferred" and moved["transferred_to_org_id"] == "b2"
    assert member.branch_id == "b2" and member.lost_contact is False


def test_pages_and_counts_follow_the_subtree(session):
    first = register(session, "m1")
    register(session, "m2")
    register(session, "m3")
    lost_members.found(session, first["entry_id"], LostMemberFound(), NOW)
    county = lost_members.page_under(session, "k", "open", 1, 50)
    assert county["total"] == 1 and county["items"][0]["member_id"] == "m2"
    assert lost_members.page_under(session, "k", None, 1, 50)["total"] == 2
    assert lost_members.page_under(session, "c", "found", 1, 50)["total"] == 1
    counts = lost_members.open_counts(session, "c")
    assert counts["open"] == 2
    assert {child["org_id"]: child["open"] for child in counts["children"]} == {"k": 1, "t": 1}
    with pytest.raises(DomainError) as raised:
        lost_members.page_under(session, "c", "lost", 1, 50)
    assert raised.value.code == "STATUS_INVALID" and raised.value.status == 400
    assert session.scalar(select(LostMember.open_member_id).where(LostMember.id == first["entry_id"])) is None
