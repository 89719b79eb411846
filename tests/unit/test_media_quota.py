"""The branch quota on SQLite (the embedded mode's database): taken in one conditional update."""

import pytest
from sqlalchemy.orm import Session

from partyday_common.db import make_engine
from partyday_common.errors import DomainError
from partyday_media import quota
from partyday_media.models import BranchUsage, metadata


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/media.sqlite3")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_the_quota_is_taken_in_one_conditional_update(engine):
    with Session(engine) as session, session.begin():
        quota.take(session, "b1", 60, 100)
        with pytest.raises(DomainError) as raised:
            quota.take(session, "b1", 60, 100)
        quota.take(session, "b1", 40, 100)
    assert (raised.value.status, raised.value.code, raised.value.details) == (
        413,
        "QUOTA_EXCEEDED",
        {"used_bytes": 60, "quota_bytes": 100},
    )
    with Session(engine) as session:
        assert session.get(BranchUsage, "b1").used_bytes == 100
