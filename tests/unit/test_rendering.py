"""What the gateway draws from the services' data: ranking charts and the scoring reports as XLSX and PDF."""

import pytest

from partyday_gateway import charts, report_documents
from partyday_gateway.settings import get_gateway_settings

ITEMS = [{"rank": 1, "name": "北关社区第一党支部", "score": 91.5}, {"rank": 2, "name": "<Branch & co>", "score": 40.0}]


def test_the_svg_chart_names_a_cjk_font_and_escapes_labels():
    svg = charts.svg("汉台区 2026-12 排名", ITEMS).decode()
    assert svg.startswith("<svg") and "WenQuanYi Micro Hei" in svg
    assert "1. 北关社区第一党支部" in svg and "&lt;Branch &amp; co&gt;" in svg and "91.50" in svg


def test_the_png_chart_is_drawn_with_the_cjk_font(tmp_path):
    font = str(get_gateway_settings().cjk_font_path)
    png = charts.png("汉台区 2026-12 排名", ITEMS, font)
    assert png.startswith(b"\x89PNG")
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(png))
    height, _ = charts.layout(ITEMS)
    assert image.size == (charts.WIDTH, height)
    with pytest.raises(Exception) as missing:
        charts.png("x", ITEMS, str(tmp_path / "none.ttc"))
    assert getattr(missing.value, "code", None) == "CHART_FONT_MISSING"


REPORT = {
    "org_id": "town",
    "name": "北关街道",
    "kind": "bulletin",
    "title": "主题党日季度通报",
    "period": "2026-Q4",
    "months": [
        {"month": "2026-10", "branches": 2, "planned": 2, "approved": 2, "held": 1, "documented": 1, "scored": 1}
    ],
    "summary": {
        "branches": 2,
        "months": 1,
        "branch_months": 2,
        "planned": 2,
        "approved": 2,
        "held": 1,
        "documented": 1,
        "scored": 1,
        "held_rate": 0.5,
        "scored_branches": 1,
        "unscored": 1,
        "mean_score": 91.46,
        "best": [{"name": "北关社区第一党支部", "score": 91.46}],
        "weakest": [],
        "previous": None,
    },
    "ranking": [{"rank": 1, "name": "北关社区第一党支部", "score": 91.46}],
    "columns": ["rank", "name", "code", "score", "sign_in_rate", "activities", "awards"],
    "rows": [
        {
            "rank": 1,
            "name": "北关社区第一党支部",
            "code": "B1",
            "score": 91.456,
            "sign_in_rate": None,
            "activities": 3,
            "awards": "最佳、金点子",
        }
    ],
}


def test_a_report_as_xlsx_keeps_its_chinese_headers_and_rows():
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(report_documents.xlsx(REPORT)))
    assert book.sheetnames == ["概况", "明细"]
    assert book["概况"]["A1"].value == "北关街道 2026-Q4 主题党日季度通报"
    assert book["概况"]["A2"].value.startswith("2026年第四季度，北关街道共有2个党支部")
    rows = list(book["明细"].values)
    assert rows[0] == ("名次", "党组织", "代码", "综合得分", "签到率", "活动次数", "评选")
    assert rows[1] == (1, "北关社区第一党支部", "B1", 91.46, "—", 3, "最佳、金点子")


def test_a_report_as_pdf_embeds_the_cjk_font():
    body = report_documents.pdf(REPORT, str(get_gateway_settings().cjk_font_path))
    assert body.startswith(b"%PDF") and b"FontFile2" in body


def test_the_bulletin_reads_as_a_notice_with_its_summary_chart_and_tables():
    from io import BytesIO

    import pdfplumber

    body = report_documents.pdf(REPORT, str(get_gateway_settings().cjk_font_path), "2026年12月5日")
    with pdfplumber.open(BytesIO(body)) as document:
        text = "".join(page.extract_text() for page in document.pages).replace("\n", "")
        images = sum(len(page.images) for page in document.pages)
    for expected in (
        "关于2026年第四季度主题党日开展情况的通报",
        "各党组织：",
        "一、总体情况",
        "2026年第四季度，北关街道共有2个党支部",
        "本季度仅北关社区第一党支部有得分，为91.46分。",
        "上季度没有可比的数据",
        "二、得分排名",
        "三、工作要求",
        "2026年12月5日",
        "附件1：各党支部得分排名",
        "附件2：逐月情况",
    ):
        assert expected in text, expected
    assert text.index("2026年12月5日") < text.index("附件1："), "the attachments follow the signature"
    assert images == 1, "the ranking chart is drawn in"
