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


def pdf(report: dict, font_path: str) -> bytes:
    """A4 landscape: the title, the month-by-month figures, then the table, its header repeated on each page."""
    font = printing.cjk_font(font_path)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title(report),
    )
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22)
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3d6d6")),
        ]
    )
    months = [[HEADERS[c] for c in MONTH_COLUMNS]] + [
        [str(cell(m[c])) for c in MONTH_COLUMNS] for m in report["months"]
    ]
    rows = [[HEADERS[c] for c in report["columns"]]] + [
        [str(cell(row[c])) for c in report["columns"]] for row in report["rows"]
    ]
    document.build(
        [
            Paragraph(printing.plain(title(report)), heading),
            Spacer(1, 4 * mm),
            Table(months, style=style),
            Spacer(1, 6 * mm),
            Table(rows, style=style, repeatRows=1),
        ]
    )
    return out.getvalue()
