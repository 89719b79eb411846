import pytest

from partyday_common.envelope import Envelope, EnvelopeError, parse_envelope


def test_a_valid_body_parses():
    assert parse_envelope(valid()).event_id == "1"


def test_round_trip_keeps_every_field():
    envelope = Envelope(event_type="org_created", source="directory", data={"org_id": "1"}, correlation_id="c1")
    assert parse_envelope(envelope.to_message()) == envelope


def test_each_envelope_gets_its_own_id_and_an_aware_time():
    first = Envelope(event_type="x", source="s", data={})
    second = Envelope(event_type="x", source="s", data={})
    assert first.event_id != second.event_id
    assert first.occurred.tzinfo is not None


def valid(**changes) -> dict:
    body = {
        "event_id": "1",
        "event_type": "x",
        "source": "s",
        "version": 1,
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "data": {},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    "body, reason",
    [
        ("not an object", "must be an object"),
        ({}, "no event_id"),
        (valid(version="1"), "version must be a int"),
        (valid(version=True), "version must be a int"),
        (valid(event_id=""), "event_id is empty"),
        (valid(version=0), "1 or more"),
        (valid(occurred_at="yesterday"), "not ISO 8601"),
        (valid(occurred_at="2026-01-01T00:00:00"), "no UTC offset"),
        (valid(data=[]), "data must be a dict"),
        (valid(correlation_id=5), "correlation_id must be a string"),
    ],
)
def test_malformed_envelopes_are_rejected_with_a_reason(body, reason):
    with pytest.raises(EnvelopeError, match=reason):
        parse_envelope(body)
