"""Ranking bar charts: SVG written here, PNG drawn with Pillow, labels in a CJK font.

Both are drawn from the same layout so they agree. The SVG names the font families to
use (the viewer renders the text, so it stays selectable and small); the PNG is drawn
with the TrueType font of PARTYDAY_CJK_FONT_PATH, so Chinese names never come out as boxes.
"""

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from partyday_common.errors import DomainError

WIDTH = 900
LABEL_WIDTH = 260
VALUE_WIDTH = 70
ROW = 28
BAR = 18
TOP = 56
BOTTOM = 24
FONT_FAMILIES = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
BAR_COLOUR = "#c8102e"
TEXT_COLOUR = "#222222"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: float


def layout(items: list[dict]) -> tuple[int, list[Bar]]:
    """The chart's height and one bar per ranked item (scores are 0–100)."""
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20
    bars = [
        Bar(
            f"{item['rank']}. {item['name']}",
            item["score"],
            TOP + index * ROW,
            span * max(0.0, min(100.0, item["score"])) / 100,
        )
        for index, item in enumerate(items)
    ]
    return TOP + len(items) * ROW + BOTTOM, bars


def svg(title: str, items: list[dict]) -> bytes:
    height, bars = layout(items)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{escape(FONT_FAMILIES)}" font-size="14">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="32" font-size="18" fill="{TEXT_COLOUR}">{escape(title)}</text>',
    ]
    for bar in bars:
        middle = bar.y + BAR / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{bar.y}" width="{bar.width:.1f}" height="{BAR}" fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + bar.width + 6:.1f}" y="{middle}" fill="{TEXT_COLOUR}">{bar.value:.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts).encode()


@lru_cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    if not Path(path).is_file():
        raise DomainError(
            "CHART_FONT_MISSING",
            "the CJK font for charts is not installed; run scripts/ensure-fonts.sh or set PARTYDAY_CJK_FONT_PATH",
            503,
            {"path": path},
        )
    return ImageFont.truetype(path, size, index=0)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def png(title: str, items: list[dict], font_path: str) -> bytes:
    height, bars = layout(items)
    image = Image.new("RGB", (WIDTH, height), "#ffffff")
    draw = ImageDraw.Draw(image)
    text_font, title_font = _font(font_path, 14), _font(font_path, 18)
    draw.text((16, 16), title, fill=TEXT_COLOUR, font=title_font)
    for bar in bars:
        middle = bar.y + BAR / 2
        label = _fit(draw, bar.label, text_font, LABEL_WIDTH - 24)
        draw.text((LABEL_WIDTH - 8, middle), label, fill=TEXT_COLOUR, font=text_font, anchor="rm")
        draw.rectangle((LABEL_WIDTH, bar.y, LABEL_WIDTH + bar.width, bar.y + BAR), fill=BAR_COLOUR)
        draw.text(
            (LABEL_WIDTH + bar.width + 6, middle), f"{bar.value:.2f}", fill=TEXT_COLOUR, font=text_font, anchor="lm"
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
