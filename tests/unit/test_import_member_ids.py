"""A roster import's new members get their ids a batch at a time: each a random UUID of version 4, written as
`uuid.uuid4().hex` writes one, and none repeated."""

import uuid

from partyday_directory.imports import uuid4_hexes


def test_a_batch_of_ids_are_distinct_version_4_uuids_in_hex():
    ids = uuid4_hexes(5000)
    assert len(ids) == len(set(ids)) == 5000
    for text in ids:
        parsed = uuid.UUID(hex=text)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, text)


def test_no_members_no_ids():
    assert uuid4_hexes(0) == []
