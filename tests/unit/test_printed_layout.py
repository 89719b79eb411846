"""Printed pages that fit: every PDF the gateway draws, filled with the longest texts a county has, is rendered
to an image (kept in var/test-artifacts/documents/ to look at) and its text boxes are read back with their
positions: no word may leave the page's printable width, nor its table cell."""

import io
from pathlib import Path

import pdfplumber
import pytest

from partyday_gateway import documents, report_documents
from partyday_gateway.settings import get_gateway_settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "documents"
FONT = str(get_gateway_settings().cjk_font_path)
SLACK = 0.5  # points: glyph boxes are rounded in the PDF's text matrix
MARGIN = 10 * 72 / 25.4  # 10 mm: what a printer may cut off at each side

LONG_BRANCH = "中共汉中市汉台区北关街道办事处东大街社区第三网格流动党员党支部委员会"
LONG_THEME = "学习贯彻党的二十届四中全会精神暨“不忘初心、牢记使命”主题教育专题组织生活会和民主评议党员"
LONG_VENUE = "汉台区北关街道东大街社区党群服务中心三楼多功能会议室（东侧电梯上楼右转第二间）"
LONG_URL = (
    "https://partyday.hanzhong.example.gov.cn/m/checkin?activity=0b6f0c1e-5b1a-4c7e-9d55-3f2c1e6a9b7d&token="
    "eyJhIjoiMGI2ZjBjMWUtNWIxYS00YzdlLTlkNTUtM2YyYzFlNmE5YjdkIiwiayI6ImswIiwiZSI6MTc5Njc3NDQwMH0"
    ".bHiBiJIE3ZpMQWWaa8PQ6qq1r3wthOD-4g2e8TPQqhA"
)
LONG_NAMES = [
    "阿卜杜热合曼·买买提艾力江·艾合买提",
    "Maximilian Alexander Hohenzollern-Sigmaringen",
    "欧阳司马诸葛上官慕容皇甫东方长孙",
]
ACTIVITY = {
    "activity_id": "0b6f0c1e-5b1a-4c7e-9d55-3f2c1e6a9b7d",
    "branch_id": "b1",
    "theme": LONG_THEME,
    "venue_name": LONG_VENUE,
    "starts_at": "2026-12-07T09:00:00+08:00",
    "ends_at": "2026-12-07T11:00:00+08:00",
}
MEMBER = {
    "mobile": True,
    "guest": False,
    "status": "no_sign_out",
    "signed_in_at": "2026-12-07T08:55:00+08:00",
    "signed_out_at": None,
    "sent_late": True,
}
SHEET = {
    "activity_id": ACTIVITY["activity_id"],
    "closed": True,
    "counts": {"members": {"signed_out": 0, "no_sign_out": 3, "absent": 0, "excused": 0}},
    "members": [{**MEMBER, "member_id": f"m{i}", "name": name} for i, name in enumerate(LONG_NAMES)],
}
STAGES = {"planned": 12, "approved": 12, "held": 11, "documented": 10, "scored": 10}
REPORT_BASE = {
    "org_id": "county",
    "name": "中共汉中市汉台区委组织部",
    "period": "2026-Q4",
    "months": [{"month": "2026-10", "branches": 12, **STAGES}],
    "summary": {
        "branches": 12,
        "months": 1,
        "branch_months": 12,
        **STAGES,
        "held_rate": 0.9167,
        "scored_branches": 10,
        "unscored": 2,
        "mean_score": 82.5,
        "best": [{"name": LONG_BRANCH, "score": 91.46}] * 4,
        "weakest": [{"name": LONG_BRANCH + "二", "score": 61.0}],
        "previous": {
            "period": "2026-Q3",
            "branches": 11,
            "branch_months": 33,
            "planned": 30,
            "held": 28,
            "held_rate": 0.8485,
            "scored_branches": 9,
            "mean_score": 80.0,
        },
    },
    "ranking": [{"rank": n, "name": LONG_BRANCH, "score": 91.46 - n} for n in range(1, 21)],
}
BULLETIN = {
    **REPORT_BASE,
    "kind": "bulletin",
    "title": "主题党日季度通报",
    "columns": ["rank", "name", "code", "score", "sign_in_rate", "activities", "awards"],
    "rows": [
        {
            "rank": 1,
            "name": LONG_BRANCH,
            "code": "HZ-HT-BG-DDJ-0003-LD",
            "score": 91.456,
            "sign_in_rate": 0.9583,
            "activities": 3,
            "awards": "最佳主题党日、优秀主题党日、金点子、微党课一等奖、优秀组织奖",
        }
    ],
}
INSPECTION = {
    **REPORT_BASE,
    "kind": "inspection",
    "title": "主题党日督查台账",
    "columns": ["name", "code", *STAGES, "score"],
    "rows": [{"name": LONG_BRANCH, "code": "HZ-HT-BG-DDJ-0003-LD", **STAGES, "score": 88.0}],
}

PDFS = {
    "poster": lambda: documents.poster_pdf(ACTIVITY, LONG_BRANCH, LONG_URL, FONT, "Asia/Shanghai"),
    "poster_at_the_longest": lambda: documents.poster_pdf(
        {**ACTIVITY, "theme": LONG_THEME * 4, "venue_name": LONG_VENUE * 5},
        LONG_BRANCH * 6,
        LONG_URL + "&" + "x" * 200,
        FONT,
        "Asia/Shanghai",
    ),
    "sheet": lambda: documents.sheet_pdf(ACTIVITY, LONG_BRANCH, SHEET, FONT, "Asia/Shanghai"),
    "bulletin": lambda: report_documents.pdf(BULLETIN, FONT),
    "inspection": lambda: report_documents.pdf(INSPECTION, FONT),
}


def _inside(box, outer) -> bool:
    x0, top, x1, bottom = box
    return x0 >= outer[0] - SLACK and x1 <= outer[2] + SLACK and top >= outer[1] - SLACK and bottom <= outer[3] + SLACK


def _escapes(page) -> list[str]:
    """The words of the page that leave the printable width, or their table cell."""
    cells = [cell for table in page.find_tables() for cell in table.cells]
    tables = [table.bbox for table in page.find_tables()]
    escaped = []
    for word in page.extract_words(keep_blank_chars=True, x_tolerance=1.5):
        box = (word["x0"], word["top"], word["x1"], word["bottom"])
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        in_table = any(t[0] <= centre[0] <= t[2] and t[1] <= centre[1] <= t[3] for t in tables)
        if in_table and not any(_inside(box, cell) for cell in cells):
            escaped.append(f"{word['text']!r} leaves its cell at x {box[0]:.0f}–{box[2]:.0f}")
        if box[0] < MARGIN - SLACK or box[2] > page.width - MARGIN + SLACK:
            escaped.append(f"{word['text']!r} leaves the page at x {box[0]:.0f}–{box[2]:.0f} of {page.width:.0f}")
    return escaped


@pytest.mark.parametrize("name", PDFS)
def test_no_printed_text_leaves_its_column(name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with pdfplumber.open(io.BytesIO(PDFS[name]())) as pdf:
        escaped = []
        for number, page in enumerate(pdf.pages, start=1):
            page.to_image(resolution=72).save(ARTIFACTS / f"{name}-{number}.png")
            escaped += [f"page {number}: {line}" for line in _escapes(page)]
        # A wrapped cell is read whole from its table; other text from the page.
        cells = [cell or "" for page in pdf.pages for table in page.extract_tables() for row in table for cell in row]
        text = "|".join("".join(part.split()) for part in [*(page.extract_text() for page in pdf.pages), *cells])
    assert escaped == []
    expected = {
        "poster": [LONG_BRANCH, LONG_THEME, LONG_VENUE, LONG_URL],
        "poster_at_the_longest": [LONG_BRANCH * 6, LONG_THEME * 4, LONG_VENUE * 5],
        "sheet": [LONG_BRANCH, LONG_THEME, *("".join(n.split()) for n in LONG_NAMES)],
        "bulletin": [LONG_BRANCH, BULLETIN["rows"][0]["awards"]],
        "inspection": [LONG_BRANCH, "HZ-HT-BG-DDJ-0003-LD"],
    }[name]
    for whole in expected:
        assert "".join(whole.split()) in text, f"{whole} is printed whole, wrapped rather than cut"
