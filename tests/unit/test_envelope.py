import pytest

from partyday_common.envelope import Envelope, EnvelopeError, parse_envelope


def test_round_trip_keeps_every_field():
    envelope = Envelope(event_type="org_created", source="directory", data={"org_id": "1"},
                        correlation_id="c1")
    assert parse_envelope(envelope.to_message()) == envelope


def test_each_envelope_gets_its_own_id_and_an_aware_time():
    first = Envelope(event_type="x", source="s", data={})
    second = Envelope(event_type="x", source="s", data={})
    assert first.event_id != second.event_id
    assert first.occurred.tzinfo is not None


@pytest.mark.parametrize("body, reason", [
    ("not an object", "must be an object"),
    ({}, "no event_id"),
    ({"event_id": "1", "event_type": "x", "source": "s", "version": "1", "occurred_at": "2026-01-01T00:00:00+00:00", "data": {}}, "version must be a int"),
    ({"event_id": "1", "event_type": "x", "source": "s", "version": True, "occurred_at": "2026-01-01T00:00:00+00:00", "data": {}}, "version must be a int"),
    ({"event_id": "", "event_type": "x", "source": "s", "version": 1, "occurred_at": "2026-01-01T00:00:00+00:00", "data": {}}, "event_id is empty"),
    ({"event_id": "1", "event_type": "x", "source": "s", "version": 0, "occurred_at": "2026-01-01T00:00:00+00:00", "data": {}}, "1 or more"),
    ({"event_id": "1", "event_type": "x", "source": "s", "version": 1, "occurred_at": "yesterday", "data": {}}, "not ISO 8601"),
    ({"event_id": "1", "event_type": "x", "source": "s", "version": 1, "occurred_at": "2026-01-01T00:00:00", "data": {}}, "no UTC offset"),
    ({"event_id": "1", "event_type": "x", "source": "s", "version": 1, "occurred_at": "2026-01-01T00:00:00+08:00", "data": []}, "data must be a dict"),
])
def test_malformed_envelopes_are_rejected_with_a_reason(body, reason):
    with pytest.raises(EnvelopeError, match=reason):
        parse_envelope(body)
