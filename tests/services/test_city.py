"""The synthetic city loads into PostgreSQL with its outbox events, and only once."""

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from partyday_common.db import make_engine
from partyday_common.envelope import parse_envelope
from partyday_common.migrations import upgrade
from partyday_directory.models import Member, Org, metadata
from partyday_directory_dev.city import CityLoadRefused, load_city

SEED = 20261121
PASSWORD = "partyday-demo"


@pytest.fixture(scope="module")
def loaded_city(databases):
    url = databases.create("city")
    upgrade("directory", url)
    stats = load_city(url, SEED, PASSWORD)
    print(
        f"\nloaded {stats['orgs']:,} organisations and {stats['members']:,} members "
        f"into PostgreSQL in {stats['seconds']:.1f} s"
    )
    engine = make_engine(url)
    yield url, stats, engine
    engine.dispose()


def test_every_row_and_event_is_written(loaded_city):
    _, stats, engine = loaded_city
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Org)) == stats["orgs"] >= 9_000
        assert connection.scalar(select(func.count()).select_from(Member)) == stats["members"] == 208_000
        events = dict(connection.execute(select(outbox.c.event_type, func.count()).group_by(outbox.c.event_type)).all())
    assert events == {"org_created": stats["orgs"], "member_joined": stats["members"]}
    assert stats["counties"] == 12 and stats["townships"] == 200


def test_organisations_are_announced_first_parents_before_children(loaded_city):
    _, stats, engine = loaded_city
    outbox = metadata.tables["outbox_messages"]
    with engine.connect() as connection:
        rows = connection.execute(
            select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id).limit(stats["orgs"] + 1)
        ).all()
    bodies = [row.body for row in rows]
    assert [row.event_type for row in rows] == ["org_created"] * stats["orgs"] + ["member_joined"]
    announced = set()
    for body in bodies[:-1]:
        data = parse_envelope(body).data
        assert data["parent_id"] is None or data["parent_id"] in announced
        announced.add(data["org_id"])
    member = parse_envelope(bodies[-1])
    assert member.source == "directory" and member.version == 1 and member.correlation_id is None
    assert set(member.data) == {
        "member_id",
        "name",
        "branch_id",
        "branch_path",
        "mobile",
        "probationary",
        "lost_contact",
        "active",
        "joined_on",
    }
    assert isinstance(member.data["joined_on"], str)


def test_generated_members_log_in_with_the_shared_password(loaded_city):
    _, _, engine = loaded_city
    with engine.connect() as connection:
        password_hash, active = connection.execute(select(Member.password_hash, Member.active).limit(1)).one()
        distinct_hashes = connection.scalar(select(func.count(Member.password_hash.distinct())))
    assert active and distinct_hashes == 1
    assert PasswordHasher().verify(password_hash, PASSWORD)


def test_loading_the_city_again_is_refused(loaded_city):
    url, stats, engine = loaded_city
    with pytest.raises(CityLoadRefused, match="already loaded"):
        load_city(url, SEED, PASSWORD)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Org)) == stats["orgs"]
