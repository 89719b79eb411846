"""Input a person cannot see does not count: the visible-text rule every free-text field follows."""

import pytest
from pydantic import BaseModel, ValidationError

from partyday_common.errors import DomainError, validated
from partyday_common.text import NOT_VISIBLE, VisibleText, visible_characters, visible_length
from partyday_plans.summaries import summary_text
from partyday_scoring_contracts.rpc import CommentCreate

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
FORMAT = "\u202e\u2066\u00ad\u061c"


@pytest.mark.parametrize(
    "text, seen",
    [
        ("认真学习党章", 6),
        ("  a b\tc\n", 3),
        (ZERO_WIDTH * 20, 0),
        (FORMAT * 5, 0),
        ("\u3000\u00a0\u2003", 0),
        ("\u3164\u115f\u2800", 0),
        ("\u0301\u0301\u0301", 0),
        ("é", 1),
        ("ｅ\u0301", 1),
        ("学" + ZERO_WIDTH + "习", 2),
        ("\U0001f600", 1),
    ],
    ids=[
        "chinese",
        "whitespace",
        "zero-width",
        "format",
        "wide-spaces",
        "blank-letters",
        "marks-alone",
        "composed",
        "fullwidth-decomposed",
        "interleaved",
        "emoji",
    ],
)
def test_only_characters_a_reader_sees_count(text, seen):
    assert visible_length(text) == seen


def test_visible_characters_are_normalised():
    assert visible_characters("ＡＢ\u200b１") == "AB1"


class Body(BaseModel):
    text: VisibleText(20, min_visible=3)


def test_a_visible_text_field_needs_its_visible_characters_and_keeps_the_text_as_sent():
    assert Body(text="ab\u200bc").text == "ab\u200bc"
    with pytest.raises(ValidationError) as refused:
        Body(text="a" + ZERO_WIDTH * 3 + "b")
    assert refused.value.errors()[0]["type"] == NOT_VISIBLE
    with pytest.raises(ValidationError) as too_short:
        Body(text="ab")
    assert too_short.value.errors()[0]["type"] == "string_too_short"
    with pytest.raises(ValidationError) as too_long:
        Body(text="a" * 21)
    assert too_long.value.errors()[0]["type"] == "string_too_long"


def test_a_service_refuses_invisible_text_with_422_and_its_reason_code():
    with pytest.raises(DomainError) as refused:
        validated(CommentCreate, {"text": ZERO_WIDTH * 10})
    assert (refused.value.status, refused.value.code) == (422, "TEXT_NOT_VISIBLE")
    with pytest.raises(DomainError) as malformed:
        validated(CommentCreate, {"text": ZERO_WIDTH, "extra": 1})
    assert (malformed.value.status, malformed.value.code) == (400, "VALIDATION_FAILED")


def test_a_summary_of_zero_width_characters_is_refused():
    with pytest.raises(DomainError) as refused:
        summary_text(ZERO_WIDTH * 50)
    assert refused.value.code == "SUMMARY_REQUIRED"
    assert summary_text(" 总结" + ZERO_WIDTH) == "总结" + ZERO_WIDTH
