from partyday_common.outbox import BatchPublisher


def settled(events):
    publisher = BatchPublisher("amqp://unused", "plans.events")
    publisher.confirmed = {1: None, 2: None, 3: None, 4: None}
    for tag, multiple, ok in events:
        publisher._confirm(tag, multiple, ok)
    return publisher.confirmed


def test_a_multiple_ack_never_turns_an_earlier_nack_into_an_ack():
    assert settled([(2, False, False), (3, True, True)]) == {1: True, 2: False, 3: True, 4: None}


def test_a_multiple_nack_settles_only_what_is_pending():
    assert settled([(1, False, True), (3, True, False)]) == {1: True, 2: False, 3: False, 4: None}


def test_single_confirms_settle_their_own_tag():
    assert settled([(4, False, True), (2, False, False)]) == {1: None, 2: False, 3: None, 4: True}
