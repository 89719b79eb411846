"""What every printed document shares: the CJK font embedded in PDFs, text that is never read as
reportlab markup, and spreadsheet cells that are never read as formulas.

reportlab may fetch the images a paragraph names, from files or the network; documents here hold
only our own drawing, so every scheme but inline data is refused.
"""

from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from partyday_common.errors import DomainError

FONT = "PartydayCJK"
FORMULA_STARTS = ("=", "+", "-", "@")
rl_config.trustedSchemes = ["data"]


@lru_cache
def cjk_font(path: str) -> str:
    """The name of the registered CJK TrueType font at `path`; 503 FONT_UNAVAILABLE when it is missing."""
    if not Path(path).is_file():
        raise DomainError(
            "FONT_UNAVAILABLE",
            "the Chinese font for printed documents is not installed; run "
            "scripts/ensure-fonts.sh or set PARTYDAY_CJK_FONT_PATH",
            503,
            {"cjk_font_path": path},
        )
    pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    return FONT


def plain(text) -> str:
    """Text for a reportlab Paragraph, shown as written: `<`, `>` and `&` are not markup."""
    return escape(str(text))


def cell(value):
    """A spreadsheet cell that shows text as written: text that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
