import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from partyday_common.errors import DomainError
from partyday_gateway import documents
from partyday_gateway.settings import get_gateway_settings

ACTIVITY = {
    "activity_id": "a1",
    "branch_id": "b1",
    "theme": "学习贯彻党的二十届四中全会精神",
    "venue_name": "党员活动室",
    "starts_at": "2026-12-07T01:00:00+00:00",
    "ends_at": "2026-12-07T03:00:00+00:00",
}
SHEET = {
    "activity_id": "a1",
    "closed": True,
    "counts": {
        "members": {"signed_out": 1, "no_sign_out": 0, "absent": 1, "excused": 0},
        "mobile_members": {"signed_out": 0, "no_sign_out": 0, "absent": 0, "excused": 1},
        "guests": {"signed_out": 1, "no_sign_out": 0, "absent": 0, "excused": 0},
    },
    "members": [
        {
            "member_id": "m1",
            "name": "张红梅",
            "mobile": False,
            "guest": False,
            "status": "signed_out",
            "signed_in_at": "2026-12-07T00:55:00+00:00",
            "signed_out_at": "2026-12-07T03:05:00+00:00",
            "sent_late": False,
        },
        {
            "member_id": "m2",
            "name": "李流动",
            "mobile": True,
            "guest": False,
            "status": "excused",
            "signed_in_at": None,
            "signed_out_at": None,
            "sent_late": False,
        },
        {
            "member_id": "m3",
            "name": "王书记",
            "mobile": False,
            "guest": True,
            "status": "signed_out",
            "signed_in_at": "2026-12-07T01:02:00+00:00",
            "signed_out_at": "2026-12-07T03:10:00+00:00",
            "sent_late": True,
        },
    ],
}
FONT = str(get_gateway_settings().cjk_font_path)


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_poster_is_one_a4_page_in_chinese_with_times_in_the_local_zone():
    pdf = documents.poster_pdf(ACTIVITY, "汉台区第一支部", "http://x/s?t=abc", FONT, "Asia/Shanghai")
    reader = PdfReader(io.BytesIO(pdf))
    [page] = reader.pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = text_of(pdf)
    for expected in (
        "主题党日 扫码签到",
        "汉台区第一支部",
        ACTIVITY["theme"],
        "2026年12月07日 09:00 – 11:00",
        "党员活动室",
    ):
        assert expected in text
    assert b"/FontFile2" in pdf, "the Chinese font is embedded, so the poster prints anywhere"


def test_the_pdf_sheet_lists_every_member_with_category_status_and_local_times():
    text = text_of(documents.sheet_pdf(ACTIVITY, "汉台区第一支部", SHEET, FONT, "Asia/Shanghai"))
    assert "汉台区第一支部 主题党日签到表" in text
    assert "张红梅" in text and "12-07 08:55" in text and "12-07 11:05" in text
    assert "流动党员" in text and "请假" in text
    assert "王书记" in text and "列席" in text
    flat = "".join(text.split())
    assert "党员：已签退1，未签退0，缺勤1，请假0" in flat and "列席：已签退1" in flat


def test_a_long_sheet_repeats_its_header_on_every_page():
    members = [{**SHEET["members"][0], "member_id": f"m{i}", "name": f"党员{i:03d}"} for i in range(120)]
    reader = PdfReader(
        io.BytesIO(documents.sheet_pdf(ACTIVITY, "支部", {**SHEET, "members": members}, FONT, "Asia/Shanghai"))
    )
    assert len(reader.pages) >= 3
    assert all("签到时间" in page.extract_text() for page in reader.pages)
    assert "党员119" in reader.pages[-1].extract_text()


def test_the_workbook_sheet_has_a_row_per_member():
    book = load_workbook(io.BytesIO(documents.sheet_xlsx(ACTIVITY, "汉台区第一支部", SHEET, "Asia/Shanghai")))
    rows = list(book["签到表"].iter_rows(values_only=True))
    assert rows[2][:3] == ("姓名", "类别", "状态")
    assert rows[3][:5] == ("张红梅", "党员", "已签退", "2026-12-07 08:55:00", "2026-12-07 11:05:00")
    assert rows[5][:3] == ("王书记", "列席", "已签退")


def test_without_the_font_a_document_is_a_clear_503(tmp_path):
    with pytest.raises(DomainError) as raised:
        documents.poster_pdf(ACTIVITY, "支部", "http://x", str(tmp_path / "missing.ttf"), "Asia/Shanghai")
    assert raised.value.status == 503 and raised.value.code == "FONT_UNAVAILABLE"


def test_text_is_never_read_as_markup_nor_fetched():
    hostile = {
        **ACTIVITY,
        "theme": '学习<b>党章 </para> <img src="/etc/hostname"/> & 讨论',
        "venue_name": "<font color=red>会议室</font>",
    }
    text = text_of(documents.sheet_pdf(hostile, "<i>支部</i>", SHEET, FONT, "Asia/Shanghai"))
    flat = "".join(text.split())
    assert '学习<b>党章</para><imgsrc="/etc/hostname"/>&讨论' in flat
    assert "<fontcolor=red>会议室</font>" in flat and "<i>支部</i>" in flat


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook():
    members = [{**SHEET["members"][0], "name": '=HYPERLINK("http://evil","x")'}]
    book = load_workbook(
        io.BytesIO(documents.sheet_xlsx(ACTIVITY, "支部", {**SHEET, "members": members}, "Asia/Shanghai"))
    )
    assert book["签到表"]["A4"].value == '\'=HYPERLINK("http://evil","x")'
    assert book["签到表"]["A4"].data_type == "s"


def test_the_printed_sheet_shows_an_absent_members_make_up_beside_the_absence():
    absent = {
        **SHEET["members"][0],
        "name": "赵补学",
        "status": "absent",
        "signed_in_at": None,
        "signed_out_at": None,
        "makeup": {
            "state": "done",
            "due_at": "2026-12-21T16:00:00+00:00",
            "completed_at": "2026-12-10T04:00:00+00:00",
            "late": False,
        },
    }
    sheet = {**SHEET, "members": [absent]}
    flat = "".join(text_of(documents.sheet_pdf(ACTIVITY, "支部", sheet, FONT, "Asia/Shanghai")).split())
    assert "补学" in flat and "缺勤" in flat and "已补学2026-12-10" in flat
    rows = list(load_workbook(io.BytesIO(documents.sheet_xlsx(ACTIVITY, "支部", sheet, "Asia/Shanghai"))).active.values)
    assert rows[3][2] == "缺勤" and rows[3][-1] == "已补学 2026-12-10"
