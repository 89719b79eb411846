"""PreparedStatement: written with named parameters, prepared with numbered ones, run by name."""

import pytest

from partyday_common.db import PreparedStatement

STATEMENT = PreparedStatement(
    "mark",
    {"entry": "text", "at": "timestamptz"},
    "UPDATE entries SET at = %(at)s WHERE id = %(entry)s AND at IS DISTINCT FROM %(at)s",
)


def test_named_parameters_become_numbered_in_the_order_of_their_types():
    assert STATEMENT.definition == (
        "PREPARE mark (text, timestamptz) AS UPDATE entries SET at = $2 WHERE id = $1 AND at IS DISTINCT FROM $2"
    )
    assert STATEMENT.call == "EXECUTE mark (%s, %s)"


def test_values_are_given_in_that_order_and_every_one_is_required():
    assert STATEMENT.values({"at": "2026-12-07T09:00:00+08:00", "entry": "e-1"}) == ("e-1", "2026-12-07T09:00:00+08:00")
    with pytest.raises(KeyError):
        STATEMENT.values({"entry": "e-1"})
