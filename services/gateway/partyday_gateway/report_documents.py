"""Reports as XLSX (openpyxl) and PDF (reportlab, the CJK TrueType font embedded and subset): the written
summary, the ranking chart and the tables, in Chinese; the bulletin laid out as a notice a county sends as it is."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from partyday_common import printing
from partyday_gateway import charts
from partyday_gateway.report_summary import paragraphs, period_label
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
# The chart shows the best branches only: a county's hundreds of bars would not fit a page; the table has them all.
CHART_BARS = 15
HEADINGS = {
    "inspection": "关于{label}主题党日督查情况的报告",
    "bulletin": "关于{label}主题党日开展情况的通报",
    "assessment": "关于{label}主题党日考核结果的通报",
}
TABLE_HEADINGS = {"inspection": "各党支部进展", "bulletin": "各党支部得分排名", "assessment": "各党支部得分排名"}
REQUIREMENTS = (
    "各党组织要对照本通报查找差距，对未按时报送方案、未开展或未归档图文的党支部逐一督促整改；"
    "得分靠后的党支部要认真分析原因，在下一期主题党日中改进内容和形式，确保主题党日按时按质开展。"
)
NUMERALS = "一二三四五六"


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


def heading(report: dict) -> str:
    return HEADINGS[report["kind"]].format(label=period_label(report["period"]))


def xlsx(report: dict) -> bytes:
    """Two sheets: the title, the written summary and the month-by-month figures; and the report's table."""
    book = Workbook()
    figures = book.active
    figures.title = "概况"
    figures.append([title(report)])
    figures["A1"].font = Font(bold=True, size=14)
    for paragraph in paragraphs(report):
        figures.append([printing.cell(paragraph)])
    figures.append([])
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


def pdf(report: dict, font_path: str, issued: str = "") -> bytes:
    """A4 landscape, laid out as an official notice: the heading, the issuing organisation, the written summary,
    the ranking chart, for a bulletin the requirements, the issuer and the date `issued` (like 2026年12月5日); then
    the attachments from a new page: the report's table (its header repeated on each page) and the month-by-month
    figures. Every cell wraps inside its column, so a long name takes two lines rather than pushing the table off
    the page."""
    font = printing.cjk_font(font_path)
    out = io.BytesIO()
    page_size = landscape(A4)
    width = page_size[0] - 2 * MARGIN
    document = SimpleDocTemplate(
        out,
        pagesize=page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title(report),
    )
    headline = ParagraphStyle(
        "headline", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER, wordWrap="CJK", textColor="#c8102e"
    )
    issuer = ParagraphStyle("issuer", fontName=font, fontSize=12, leading=18, alignment=TA_CENTER, wordWrap="CJK")
    section = ParagraphStyle("section", fontName=font, fontSize=13, leading=20, spaceBefore=8, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=19, firstLineIndent=22, wordWrap="CJK")
    salutation = ParagraphStyle("salutation", fontName=font, fontSize=11, leading=19, wordWrap="CJK")
    signature = ParagraphStyle("signature", fontName=font, fontSize=11, leading=19, alignment=TA_RIGHT, wordWrap="CJK")
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

    numbers = iter(NUMERALS)

    def part(name: str) -> Paragraph:
        return Paragraph(printing.plain(f"{next(numbers)}、{name}"), section)

    label = period_label(report["period"])
    story = [Paragraph(printing.plain(heading(report)), headline), Paragraph(printing.plain(report["name"]), issuer)]
    story.append(Spacer(1, 4 * mm))
    if report["kind"] == "bulletin":
        story += [
            Paragraph("各党组织：", salutation),
            Paragraph(printing.plain(f"现将{label}{report['name']}所属党支部主题党日开展情况通报如下。"), body),
        ]
    story += [part("总体情况"), *(Paragraph(printing.plain(p), body) for p in paragraphs(report))]
    ranking = part(f"得分排名（前{CHART_BARS}名）" if len(report["ranking"]) > CHART_BARS else "得分排名")
    if report["ranking"]:
        bars = report["ranking"][:CHART_BARS]
        chart = charts.png(f"{report['name']} {label} 综合得分", bars, font_path)
        height, _ = charts.layout(bars)
        shown = min(width, 200 * mm)
        drawn = Image(io.BytesIO(chart), width=shown, height=shown * height / charts.WIDTH)
    else:
        drawn = Paragraph("本期尚无支部得分，暂无排名。", body)
    story += [
        KeepTogether([ranking, drawn]),
        Paragraph(printing.plain(f"{TABLE_HEADINGS[report['kind']]}见附件1，逐月情况见附件2。"), body),
    ]
    if report["kind"] == "bulletin":
        story += [part("工作要求"), Paragraph(printing.plain(REQUIREMENTS), body)]
    story += [
        KeepTogether(
            [
                Spacer(1, 8 * mm),
                *(Paragraph(printing.plain(line), signature) for line in (report["name"], issued) if line),
            ]
        ),
        PageBreak(),
        Paragraph(printing.plain(f"附件1：{TABLE_HEADINGS[report['kind']]}"), section),
        Table(
            cells(report["columns"], report["rows"]),
            colWidths=_widths(report["columns"], page_size[0]),
            style=style,
            repeatRows=1,
        ),
        Paragraph("附件2：逐月情况", section),
        Table(
            cells(MONTH_COLUMNS, report["months"]),
            colWidths=[STAGE_COLUMN_MM * mm] * len(MONTH_COLUMNS),
            style=style,
            hAlign="LEFT",
        ),
    ]
    document.build(story)
    return out.getvalue()
