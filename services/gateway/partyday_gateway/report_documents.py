"""Reports as XLSX (openpyxl) and PDF (reportlab, the CJK TrueType font embedded and subset)."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from partyday_common import printing
from partyday_scoring_contracts.rpc import STAGE_ZH

HEADERS = {
    "rank": "名次",
    "name": "党组织",
    "code": "代码",
    "score": "综合得分",
    "sign_in_rate": "签到率",
    "activities": "活动次数",
    "awards": "评选",
    "month": "月份",
    "branches": "党支部数",
    **STAGE_ZH,
}
MONTH_COLUMNS = ["month", "branches", *STAGE_ZH]
# The width of each column on the printed page; the organisation's name takes what the others leave.
COLUMN_WIDTHS_MM = {"rank": 12, "code": 30, "score": 20, "sign_in_rate": 18, "activities": 18, "awards": 60}
STAGE_COLUMN_MM = 20
MARGIN = 15 * mm


def cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "—"
    if isinstance(value, float):
        return round(value, 2)
    return value


def title(report: dict) -> str:
    return f"{report['name']} {report['period']} {report['title']}"


def xlsx(report: dict) -> bytes:
    """Two sheets: the month-by-month figures, and the report's table."""
    book = Workbook()
    figures = book.active
    figures.title = "概况"
    figures.append([title(report)])
    figures["A1"].font = Font(bold=True, size=14)
    figures.append([HEADERS[c] for c in MONTH_COLUMNS])
    for month in report["months"]:
        figures.append([printing.cell(cell(month[c])) for c in MONTH_COLUMNS])
    table = book.create_sheet("明细")
    table.append([HEADERS[c] for c in report["columns"]])
    for row in report["rows"]:
        table.append([printing.cell(cell(row[c])) for c in report["columns"]])
    for sheet in (figures, table):
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 36 if sheet is table else 12
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _widths(columns: list[str], page_width: float) -> list[float]:
    fixed = {c: COLUMN_WIDTHS_MM.get(c, STAGE_COLUMN_MM) * mm for c in columns if c != "name"}
    rest = page_width - 2 * MARGIN - sum(fixed.values())
    return [fixed.get(c, rest) for c in columns]


def pdf(report: dict, font_path: str) -> bytes:
    """A4 landscape: the title, the month-by-month figures, then the table, its header repeated on each page; every
    cell wraps inside its column, so a long name takes two lines rather than pushing the table off the page."""
    font = printing.cjk_font(font_path)
    out = io.BytesIO()
    page_size = landscape(A4)
    document = SimpleDocTemplate(
        out,
        pagesize=page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title(report),
    )
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22, wordWrap="CJK")
    text = ParagraphStyle("cell", fontName=font, fontSize=9, leading=11, wordWrap="CJK")
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3d6d6")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )

    def cells(columns: list[str], rows: list[dict]) -> list[list[Paragraph]]:
        lines = [[HEADERS[c] for c in columns]] + [[str(cell(row[c])) for c in columns] for row in rows]
        return [[Paragraph(printing.plain(value), text) for value in line] for line in lines]

    month_widths = [STAGE_COLUMN_MM * mm] * len(MONTH_COLUMNS)
    document.build(
        [
            Paragraph(printing.plain(title(report)), heading),
            Spacer(1, 4 * mm),
            Table(cells(MONTH_COLUMNS, report["months"]), colWidths=month_widths, style=style),
            Spacer(1, 6 * mm),
            Table(
                cells(report["columns"], report["rows"]),
                colWidths=_widths(report["columns"], page_size[0]),
                style=style,
                repeatRows=1,
            ),
        ]
    )
    return out.getvalue()
