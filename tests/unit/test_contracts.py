"""Consumers' expectations checked against the producers' schemas."""

import pytest

from partyday_common.contracts import OrgNodeExpected
from partyday_directory_contracts.events import EVENTS, OrgCreated, OrgUpdated


@pytest.mark.parametrize("schema", [OrgCreated, OrgUpdated])
def test_org_events_give_tree_projections_every_field_they_read(schema):
    produced = set(schema.model_fields)
    expected = set(OrgNodeExpected.model_fields)
    assert expected <= produced, f"{schema.__name__} lacks {expected - produced}"


def test_a_produced_org_created_parses_as_the_consumers_expect():
    event = OrgCreated(
        org_id="b",
        code="HZ-1",
        name="一支部",
        parent_id="t",
        level="branch",
        domain="rural",
        kind="regular",
        path="/c/t/b/",
    )
    assert OrgNodeExpected.model_validate(event.model_dump()).path == "/c/t/b/"


def test_every_directory_event_has_a_schema():
    assert set(EVENTS) == {
        "org_created",
        "org_updated",
        "member_joined",
        "members_imported",
        "member_updated",
        "member_transferred",
        "member_left",
        "role_granted",
        "role_revoked",
        "session_ended",
    }


@pytest.mark.parametrize(
    "raw, phone",
    [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"), ("１３８００１３８０００", "13800138000")],
)
def test_phones_are_normalised_to_ascii_digits(raw, phone):
    from partyday_directory_contracts.rpc import normalise_phone

    assert normalise_phone(raw) == phone


@pytest.mark.parametrize("raw", ["12345", "23800138000", "١٣٨٠٠١٣٨٠٠٠", "13８0013800a"])
def test_other_phones_are_refused(raw):
    from partyday_directory_contracts.rpc import normalise_phone

    with pytest.raises(ValueError):
        normalise_phone(raw)
