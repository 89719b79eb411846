"""Printable documents of an activity: the A4 QR poster and the sign-in sheet (签到表) as PDF and XLSX.

Chinese text needs a TrueType font with CJK glyphs (`PARTYDAY_CJK_FONT_PATH`); it is embedded,
subset, in every PDF so that the page prints the same on any machine.
"""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from partyday_common.printing import cell, cjk_font, plain

STATUS_ZH = {
    "expected": "待签到",
    "signed_in": "已签到",
    "signed_out": "已签退",
    "absent": "缺勤",
    "excused": "请假",
    "no_sign_out": "未签退",
}
GROUP_ZH = {"members": "党员", "mobile_members": "流动党员", "guests": "列席"}
MAKEUP_ZH = {"assigned": "待补学", "overdue": "补学逾期", "done": "已补学"}


def local_time(moment: str | None, time_zone: str, pattern: str = "%Y年%m月%d日 %H:%M") -> str:
    if not moment:
        return ""
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(time_zone)).strftime(pattern)


def _when(activity: dict, time_zone: str) -> str:
    return f"{local_time(activity['starts_at'], time_zone)} – {local_time(activity['ends_at'], time_zone, '%H:%M')}"


POSTER_MARGIN = 15 * mm
POSTER_WIDTH = A4[0] - 2 * POSTER_MARGIN
QR_SIDE = 120 * mm


def _poster_style(font: str, size: float, color=colors.black) -> ParagraphStyle:
    """Centred text that wraps between any two characters: Chinese, and URLs, have no spaces to wrap at."""
    return ParagraphStyle(
        f"poster{size}",
        fontName=font,
        fontSize=size,
        leading=size * 1.3,
        alignment=TA_CENTER,
        wordWrap="CJK",
        textColor=color,
    )


def _block(page: canvas.Canvas, text: str, style: ParagraphStyle, max_lines: int) -> KeepInFrame:
    """`text` wrapped across the poster's printable width, shrunk to fit `max_lines` lines of its style."""
    block = KeepInFrame(POSTER_WIDTH, max_lines * style.leading, [Paragraph(plain(text), style)], mode="shrink")
    block.wrapOn(page, POSTER_WIDTH, max_lines * style.leading)
    return block


def _draw(page: canvas.Canvas, block: KeepInFrame, top: float) -> float:
    """Draws `block` with its top at `top`; answers where it ends."""
    block.drawOn(page, POSTER_MARGIN, top - block.height)
    return top - block.height


def qr_image(url: str, kind: str, scale: int = 10, **options) -> bytes:
    """A sign-in code as an image file (`kind`: png or svg) with the quiet zone of four modules it needs."""
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind=kind, scale=scale, border=4, **options)
    return image.getvalue()


def poster_pdf(activity: dict, branch_name: str, url: str, font_path: str, time_zone: str) -> bytes:
    """An A4 poster for the venue: branch, theme, time and place around a large sign-in code, every text wrapped
    inside the printable width (a long name or URL shrinks rather than leaving the page)."""
    font = cjk_font(font_path)
    width, height = A4
    data = io.BytesIO()
    page = canvas.Canvas(data, pagesize=A4, invariant=True)
    page.setTitle(f"签到二维码 {activity['theme']}")
    heading = _block(page, "主题党日 扫码签到", _poster_style(font, 30, colors.white), 1)
    branch = _block(page, branch_name, _poster_style(font, 15, colors.white), 3)
    theme = _block(page, activity["theme"], _poster_style(font, 20), 3)
    details = [
        _block(page, f"时间：{_when(activity, time_zone)}", _poster_style(font, 14), 1),
        _block(page, f"地点：{activity['venue_name']}", _poster_style(font, 14), 2),
        _block(
            page,
            "请使用手机扫描二维码，在活动地点范围内签到；活动结束后扫码签退并填写心得。",
            _poster_style(font, 14),
            2,
        ),
    ]
    address = _block(page, url, _poster_style(font, 8, colors.grey), 3)

    banner_height = 10 * mm + heading.height + 2 * mm + branch.height
    page.setFillColor(colors.HexColor("#b0120a"))
    page.rect(0, height - banner_height, width, banner_height, stroke=0, fill=1)
    y = _draw(page, heading, height - 6 * mm)
    _draw(page, branch, y - 2 * mm)
    y = _draw(page, theme, height - banner_height - 8 * mm)

    # The code keeps a quiet zone of at least four modules around it, and shrinks to leave room for the text.
    below = 8 * mm + sum(block.height + 2 * mm for block in details) + 4 * mm + address.height + 10 * mm
    side = min(QR_SIDE, y - 10 * mm - below)
    code = segno.make(url, error="m")
    modules = code.symbol_size(border=0)[0]
    module = side / modules
    left, top = (width - side) / 2, y - 10 * mm
    page.setFillColor(colors.black)
    for row_index, row in enumerate(code.matrix):
        for column_index, dark in enumerate(row):
            if dark:
                page.rect(
                    left + column_index * module, top - (row_index + 1) * module, module, module, stroke=0, fill=1
                )

    y = top - side - 8 * mm
    for block in details:
        y = _draw(page, block, y) - 2 * mm
    _draw(page, address, 10 * mm + address.height)
    page.showPage()
    page.save()
    return data.getvalue()


def sheet_pdf(activity: dict, branch_name: str, sheet: dict, font_path: str, time_zone: str) -> bytes:
    """The sign-in sheet as printed A4 pages: one row per member, the header row repeated on each page."""
    font = cjk_font(font_path)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, wordWrap="CJK")
    text = ParagraphStyle("text", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    data = io.BytesIO()
    document = SimpleDocTemplate(
        data,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"签到表 {activity['theme']}",
        invariant=True,
    )
    story = [
        Paragraph(plain(f"{branch_name} 主题党日签到表"), title),
        Spacer(1, 4 * mm),
        Paragraph(plain(f"主题：{activity['theme']}"), text),
        Paragraph(plain(f"时间：{_when(activity, time_zone)}　地点：{activity['venue_name']}"), text),
    ]
    if sheet.get("counts"):
        story.append(Paragraph(plain(_counts_line(sheet["counts"])), text))
    cell_text = ParagraphStyle("cell", fontName=font, fontSize=9, leading=11, wordWrap="CJK")
    rows = [["序号", "姓名", "类别", "状态", "签到时间", "签退时间", "离线补传", "补学"]]
    for number, member in enumerate(sheet["members"], start=1):
        rows.append(
            [
                str(number),
                member["name"],
                _category(member),
                STATUS_ZH.get(member["status"], member["status"]),
                local_time(member["signed_in_at"], time_zone, "%m-%d %H:%M"),
                local_time(member["signed_out_at"], time_zone, "%m-%d %H:%M"),
                "是" if member["sent_late"] else "",
                makeup_label(member.get("makeup"), time_zone),
            ]
        )
    # Every cell wraps inside its column: a long name takes two lines rather than running into the next.
    cells = [[Paragraph(plain(value), cell_text) for value in row] for row in rows]
    table = Table(
        cells, repeatRows=1, colWidths=[12 * mm, 34 * mm, 18 * mm, 16 * mm, 25 * mm, 25 * mm, 16 * mm, 34 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3d6d4")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.whitesmoke]),
            ]
        )
    )
    story += [Spacer(1, 4 * mm), table]
    document.build(story)
    return data.getvalue()


def makeup_label(makeup: dict | None, time_zone: str) -> str:
    """An absent member's make-up study as the sheet prints it: to do with its due date, overdue, or done with its
    date (and late if so); nothing for anyone else."""
    if not makeup:
        return ""
    label = MAKEUP_ZH.get(makeup["state"], makeup["state"])
    if makeup["state"] == "done":
        return f"{label} {local_time(makeup['completed_at'], time_zone, '%Y-%m-%d')}" + (
            "（逾期完成）" if makeup["late"] else ""
        )
    due = local_time(makeup["due_at"], time_zone, "%Y-%m-%d")
    return f"{label}（应于{due}前）" if makeup["state"] == "overdue" else f"{label}（{due}前）"


def _category(member: dict) -> str:
    if member.get("guest"):
        return GROUP_ZH["guests"]
    return GROUP_ZH["mobile_members"] if member["mobile"] else GROUP_ZH["members"]


def _counts_line(counts: dict) -> str:
    parts = []
    for group, label in GROUP_ZH.items():
        figures = counts.get(group)
        if figures and any(figures.values()):
            parts.append(label + "：" + "，".join(f"{STATUS_ZH[status]} {count}" for status, count in figures.items()))
    return "；".join(parts)


def sheet_xlsx(activity: dict, branch_name: str, sheet: dict, time_zone: str) -> bytes:
    """The sign-in sheet as an Excel workbook."""
    book = Workbook()
    page = book.active
    page.title = "签到表"
    page.append([f"{branch_name} 主题党日：{activity['theme']}"])
    page.append([f"地点：{activity['venue_name']}", f"时间：{_when(activity, time_zone)}"])
    page.append(["姓名", "类别", "状态", "签到时间", "签退时间", "离线补传", "补学"])
    for member in sheet["members"]:
        page.append(
            [
                cell(member["name"]),
                _category(member),
                STATUS_ZH.get(member["status"], member["status"]),
                local_time(member["signed_in_at"], time_zone, "%Y-%m-%d %H:%M:%S"),
                local_time(member["signed_out_at"], time_zone, "%Y-%m-%d %H:%M:%S"),
                "是" if member["sent_late"] else "否",
                makeup_label(member.get("makeup"), time_zone),
            ]
        )
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()
