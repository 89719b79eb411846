"""Plans' migration 0004 on existing notices: each one's answer becomes the first entry of its history, and a
closed one's closing the second; going down puts the latest answer back in the notice."""

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text

from partyday_common.db import make_engine
from partyday_common.migrations import upgrade

ISSUED = datetime(2026, 12, 1, 1, tzinfo=timezone.utc)
ANSWERED = datetime(2026, 12, 3, 2, tzinfo=timezone.utc)
CLOSED = datetime(2026, 12, 4, 3, tzinfo=timezone.utc)


def _notice(notice_id, status, answer_text=None, answer_media_ids=None, answered_at=None, closed_at=None):
    return {
        "id": notice_id,
        "branch_id": "b1",
        "branch_path": "/c/b1/",
        "issue": "照片不全",
        "due_on": date(2026, 12, 10),
        "status": status,
        "issued_by": "issuer",
        "issued_at": ISSUED,
        "answer_text": answer_text,
        "answer_media_ids": answer_media_ids,
        "answered_at": answered_at,
        "closed_at": closed_at,
        "reopened_count": 0,
    }


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_0004_keeps_each_answer_as_the_first_entry_of_its_history(backend, databases, tmp_path):
    url = databases.create("plans") if backend == "postgresql" else f"sqlite:///{tmp_path}/plans.sqlite3"
    upgrade("plans", url, "0003")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO rectifications (id, branch_id, branch_path, issue, due_on, status, issued_by, issued_at, "
                "answer_text, answer_media_ids, answered_at, closed_at, reopened_count) VALUES (:id, :branch_id, "
                ":branch_path, :issue, :due_on, :status, :issued_by, :issued_at, :answer_text, :answer_media_ids, "
                ":answered_at, :closed_at, :reopened_count)"
            ),
            [
                _notice("open", "open"),
                _notice("answered", "answered", "已补充照片", '["m1", "m2"]', ANSWERED),
                _notice("closed", "closed", "已补齐", None, ANSWERED, CLOSED),
            ],
        )
    upgrade("plans", url)
    with engine.connect() as connection:
        entries = connection.execute(
            text("SELECT rectification_id, act, text, media_ids, actor_id, at FROM rectification_entries ORDER BY id")
        ).all()
    engine.dispose()
    history = {}
    for notice_id, act, entry_text, media_ids, actor_id, at in entries:
        media = media_ids if isinstance(media_ids, list) else json.loads(media_ids)
        moment = datetime.fromisoformat(at) if isinstance(at, str) else at
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        history.setdefault(notice_id, []).append((act, entry_text, media, actor_id, moment))
    assert history == {
        "answered": [("answered", "已补充照片", ["m1", "m2"], None, ANSWERED)],
        "closed": [("answered", "已补齐", [], None, ANSWERED), ("closed", None, [], None, CLOSED)],
    }
