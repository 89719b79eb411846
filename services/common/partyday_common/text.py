"""Text a person can see: the one rule for every free-text field (reflections, comments, summaries, names, titles).

A character counts when a reader sees it: after NFKC normalisation, format characters (Cf: zero-width joiners,
direction marks, the BOM), other controls, unassigned and private-use code points, whitespace, combining marks on
their own and the blank fillers some fonts draw as nothing are left out. Text is stored as sent; only its count of
visible characters is judged."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# The pydantic error type of text with too few visible characters; the gateway and the services answer it as
# 422 TEXT_NOT_VISIBLE.
NOT_VISIBLE = "text_not_visible"
NOT_VISIBLE_CODE = "TEXT_NOT_VISIBLE"

UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters by category, yet drawn as nothing: the Hangul fillers, the Braille blank and the Mongolian vowel separator.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def visible_characters(text: str) -> str:
    """The characters of `text` a reader sees, in order."""
    return "".join(
        character
        for character in unicodedata.normalize("NFKC", text)
        if not character.isspace()
        and character not in BLANK_LETTERS
        and unicodedata.category(character) not in UNSEEN_CATEGORIES
    )


def visible_length(text: str | None) -> int:
    """How many characters of `text` a reader sees."""
    return len(visible_characters(text or ""))


def _at_least(minimum: int):
    def check(text: str) -> str:
        if visible_length(text) < minimum:
            raise PydanticCustomError(
                NOT_VISIBLE,
                "needs at least {min_visible} visible characters (zero-width and format characters do not count)",
                {"min_visible": minimum},
            )
        return text

    return check


def VisibleText(max_length: int, min_visible: int = 1) -> type[str]:
    """A free-text field: at most `max_length` characters as sent, at least `min_visible` of them visible. Text
    shorter than `min_visible` as sent is malformed (400 VALIDATION_FAILED); long enough but with too few visible
    characters, it is 422 TEXT_NOT_VISIBLE."""
    return Annotated[str, Field(min_length=min_visible, max_length=max_length), AfterValidator(_at_least(min_visible))]


# An id another record is found by (a uuid, a code): every string field has a bound, ids included.
Identifier = Annotated[str, Field(min_length=1, max_length=64)]
