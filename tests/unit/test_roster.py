import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from partyday_common.errors import DomainError
from partyday_directory.roster import open_roster
from partyday_directory_contracts.imports import template_csv

TODAY = date(2024, 6, 1)
ENGLISH_HEADER = "name,phone,branch_code,probationary,mobile,lost_contact,joined_on,password"


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def xlsx_bytes(*rows: tuple) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_sheet_xml(data: bytes, pattern: bytes, replacement: bytes) -> bytes:
    """The workbook with its first sheet's XML edited, to imitate files that other programs write."""
    source = zipfile.ZipFile(io.BytesIO(data))
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as archive:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body, count = re.subn(pattern, replacement, body)
                assert count == 1
            archive.writestr(item, body)
    return edited.getvalue()


@dataclass
class Parsed:
    rows: list
    errors: list[str]
    total: int | None


def parse_roster(data: bytes, **options) -> Parsed:
    """The file checked as a whole, then read row by row, as an import reads it from storage."""
    found = open_roster(io.BytesIO(data), **options)
    try:
        return Parsed(rows=list(found.rows()), errors=found.warnings, total=found.total)
    finally:
        found.close()


def parse(data: bytes, **options) -> Parsed:
    return parse_roster(data, today=TODAY, **options)


def unreadable(data: bytes) -> DomainError:
    with pytest.raises(DomainError) as raised:
        parse(data)
    return raised.value


def reasons_for(**overrides: str) -> list[str]:
    fields = {
        "name": "张红梅",
        "phone": "13800138000",
        "branch_code": "HZ-HT-BG-1",
        "probationary": "",
        "mobile": "",
        "lost_contact": "",
        "joined_on": "",
        "password": "",
    } | overrides
    data = csv_bytes(",".join(fields), ",".join(fields.values()))
    (row,) = parse(data).rows
    assert (row.values is None) == bool(row.reasons)
    return row.reasons


def test_csv_with_english_headers():
    roster = parse(
        csv_bytes(
            ENGLISH_HEADER,
            "张红梅,138-0013-8000,HZ-HT-BG-1,yes,no,0,2015-07-01,secret123",
            "Li Ming,+8613900139000,HZ-HT-BG-2,,,,,",
        )
    )
    assert roster.errors == []
    assert [(row.row, row.reasons) for row in roster.rows] == [(2, []), (3, [])]
    assert roster.rows[0].values == {
        "name": "张红梅",
        "phone": "13800138000",
        "branch_code": "HZ-HT-BG-1",
        "probationary": True,
        "mobile": False,
        "lost_contact": False,
        "joined_on": "2015-07-01",
        "password": "secret123",
    }
    assert roster.rows[1].values == {
        "name": "Li Ming",
        "phone": "13900139000",
        "branch_code": "HZ-HT-BG-2",
        "probationary": False,
        "mobile": False,
        "lost_contact": False,
        "joined_on": None,
        "password": None,
    }


def test_csv_with_chinese_headers_in_gb18030():
    data = csv_bytes(
        "姓名,手机号码,所在支部编码,党员类型,流动党员,失联党员,入党时间,初始密码",
        "张红梅,13800138000,HZ-HT-BG-1,预备党员,是,否,2015年7月1日,",
        "王建国,13900139000,HZ-HT-BG-1,正式,否,是,2001/10/1,",
        encoding="gb18030",
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    first, second = parse(data).rows
    assert first.values == {
        "name": "张红梅",
        "phone": "13800138000",
        "branch_code": "HZ-HT-BG-1",
        "probationary": True,
        "mobile": True,
        "lost_contact": False,
        "joined_on": "2015-07-01",
        "password": None,
    }
    assert (second.values["probationary"], second.values["lost_contact"]) == (False, True)
    assert second.values["joined_on"] == "2001-10-01"


def test_utf8_with_a_byte_order_mark():
    data = b"\xef\xbb\xbf" + csv_bytes("姓名,手机,支部编码", "张红梅,13800138000,HZ-HT-BG-1")
    (row,) = parse(data).rows
    assert row.values["name"] == "张红梅"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimiters_are_sniffed(delimiter):
    data = csv_bytes(
        delimiter.join(["name", "phone", "branch_code", "joined_on"]),
        delimiter.join(["Li, Ming", "13800138000", "HZ-HT-BG-1", "2015.07.01"]),
    )
    (row,) = parse(data).rows
    assert (row.values["name"], row.values["branch_code"], row.values["joined_on"]) == (
        "Li, Ming",
        "HZ-HT-BG-1",
        "2015-07-01",
    )


def test_xlsx_with_date_and_numeric_cells():
    data = xlsx_bytes(
        ("姓名", "手机号", "支部编码", "流动党员", "入党日期", "备注"),
        ("张红梅", 13800138000, "HZ-HT-BG-1", True, datetime(2010, 3, 5), "ignored"),
        (None, None, None, None, None, None),
        ("王建国", 13900139000, 1001, 0, date(1999, 12, 31), None),
    )
    assert data.startswith(b"PK\x03\x04")
    roster = parse(data)
    assert [row.row for row in roster.rows] == [2, 4]
    assert roster.rows[0].values == {
        "name": "张红梅",
        "phone": "13800138000",
        "branch_code": "HZ-HT-BG-1",
        "probationary": False,
        "mobile": True,
        "lost_contact": False,
        "joined_on": "2010-03-05",
        "password": None,
    }
    second = roster.rows[1].values
    assert (second["phone"], second["branch_code"], second["mobile"], second["joined_on"]) == (
        "13900139000",
        "1001",
        False,
        "1999-12-31",
    )


def test_xlsx_rows_keep_their_sheet_numbers_after_leading_blank_rows():
    workbook = Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"], sheet["C3"] = "name", "phone", "branch_code"
    sheet["A5"], sheet["B5"], sheet["C5"] = "张红梅", "13800138000", "HZ-HT-BG-1"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [row.row for row in parse(buffer.getvalue()).rows] == [5]


def test_xlsx_rows_beyond_a_wrongly_stored_sheet_size_are_read():
    data = xlsx_bytes(
        ("name", "phone", "branch_code"), ("张红梅", 13800138000, "HZ-HT-BG-1"), ("王建国", 13900139000, "HZ-HT-BG-1")
    )
    damaged = rewrite_sheet_xml(data, rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C1"')
    assert [row.row for row in parse(damaged).rows] == [2, 3]


def test_xlsx_phone_stored_as_a_float_in_scientific_notation():
    data = xlsx_bytes(("name", "phone", "branch_code"), ("张红梅", 13800138000, "HZ-HT-BG-1"))
    scientific = rewrite_sheet_xml(data, rb"<v>13800138000</v>", b"<v>1.3800138E10</v>")
    (row,) = parse(scientific).rows
    assert row.values["phone"] == "13800138000"


def test_a_valid_row_has_no_reasons():
    assert reasons_for() == []


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"name": ""}, "NAME_MISSING"),
        ({"name": "  "}, "NAME_MISSING"),
        ({"name": "张" * 101}, "NAME_TOO_LONG"),
        ({"phone": ""}, "PHONE_INVALID"),
        ({"phone": "12345678901"}, "PHONE_INVALID"),
        ({"phone": "1380013800"}, "PHONE_INVALID"),
        ({"branch_code": ""}, "BRANCH_CODE_MISSING"),
        ({"mobile": "maybe"}, "FLAG_INVALID"),
        ({"lost_contact": "2"}, "FLAG_INVALID"),
        ({"probationary": "大概"}, "FLAG_INVALID"),
        ({"joined_on": "yesterday"}, "DATE_INVALID"),
        ({"joined_on": "2015-13-01"}, "DATE_INVALID"),
        ({"joined_on": "2015-02-30"}, "DATE_INVALID"),
        ({"joined_on": "2015-07/01"}, "DATE_INVALID"),
        ({"joined_on": "1921-06-30"}, "DATE_INVALID"),
        ({"joined_on": "2024-06-02"}, "DATE_INVALID"),
        ({"password": "short12"}, "PASSWORD_TOO_SHORT"),
        ({"password": "x" * 129}, "PASSWORD_TOO_LONG"),
    ],
)
def test_each_reason_code(overrides, reason):
    assert reasons_for(**overrides) == [reason]


def test_a_row_lists_every_reason():
    assert reasons_for(name="", phone="x", branch_code="", mobile="?", joined_on="?", password="1") == [
        "NAME_MISSING",
        "PHONE_INVALID",
        "BRANCH_CODE_MISSING",
        "FLAG_INVALID",
        "DATE_INVALID",
        "PASSWORD_TOO_SHORT",
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "张" * 100},
        {"password": "12345678"},
        {"password": "x" * 128},
        {"joined_on": "1921-07-01"},
        {"joined_on": "2024-06-01"},
    ],
)
def test_limits_are_inclusive(overrides):
    assert reasons_for(**overrides) == []


@pytest.mark.parametrize(
    "word, expected",
    [
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("1", True),
        ("是", True),
        ("Y", True),
        ("y", True),
        ("false", False),
        ("No", False),
        ("0", False),
        ("否", False),
        ("N", False),
        ("", False),
        (" ", False),
    ],
)
def test_boolean_words(word, expected):
    (row,) = parse(csv_bytes("name,phone,branch_code,mobile", f"张红梅,13800138000,HZ-HT-BG-1,{word}")).rows
    assert row.values["mobile"] is expected


@pytest.mark.parametrize(
    "word, expected",
    [
        ("预备", True),
        ("预备党员", True),
        ("正式", False),
        ("正式党员", False),
        ("是", True),
        ("", False),
    ],
)
def test_probationary_accepts_the_kind_of_member(word, expected):
    (row,) = parse(csv_bytes("姓名,手机,支部编码,党员类型", f"张红梅,13800138000,HZ-HT-BG-1,{word}")).rows
    assert row.values["probationary"] is expected


@pytest.mark.parametrize("text", ["2015-07-01", "2015/07/01", "2015.07.01", "2015年7月1日", "2015/7/1"])
def test_date_formats(text):
    (row,) = parse(csv_bytes("name,phone,branch_code,joined_on", f"张红梅,13800138000,HZ-HT-BG-1,{text}")).rows
    assert row.values["joined_on"] == "2015-07-01"


def test_future_date_cell_in_xlsx_is_invalid():
    data = xlsx_bytes(
        ("name", "phone", "branch_code", "joined_on"), ("张红梅", 13800138000, "HZ-HT-BG-1", datetime(2030, 1, 1))
    )
    (row,) = parse(data).rows
    assert row.reasons == ["DATE_INVALID"]


def test_dates_are_bounded_by_the_real_today_by_default():
    data = csv_bytes("name,phone,branch_code,joined_on", "张红梅,13800138000,HZ-HT-BG-1,2999-01-01")
    (row,) = parse_roster(data).rows
    assert row.reasons == ["DATE_INVALID"]


def test_a_repeated_phone_rejects_the_later_rows():
    roster = parse(
        csv_bytes(
            "name,phone,branch_code",
            "张红梅,13800138000,HZ-HT-BG-1",
            "王建国,13900139000,HZ-HT-BG-1",
            "张红梅,138 0013 8000,HZ-HT-BG-2",
            "李四,+86 138-0013-8000,HZ-HT-BG-2",
        )
    )
    assert [(row.row, row.reasons) for row in roster.rows] == [
        (2, []),
        (3, []),
        (4, ["DUPLICATE_PHONE"]),
        (5, ["DUPLICATE_PHONE"]),
    ]
    assert roster.rows[2].values is None


def test_a_phone_on_an_earlier_invalid_row_still_counts_as_taken():
    roster = parse(csv_bytes("name,phone,branch_code", ",13800138000,HZ-HT-BG-1", "张红梅,13800138000,HZ-HT-BG-1"))
    assert [row.reasons for row in roster.rows] == [["NAME_MISSING"], ["DUPLICATE_PHONE"]]


def test_missing_required_columns():
    with pytest.raises(DomainError) as raised:
        parse(csv_bytes("姓名,备注", "张红梅,x"))
    assert (raised.value.code, raised.value.status) == ("ROSTER_COLUMNS_MISSING", 422)
    assert raised.value.details == {"missing": ["phone", "branch_code"]}


def test_headers_are_trimmed_and_case_insensitive_and_unknown_columns_ignored():
    data = csv_bytes(" Name ,备注,PHONE,\u3000支部编码\u3000", "张红梅,whatever,13800138000,HZ-HT-BG-1")
    roster = parse(data)
    assert roster.errors == []
    assert roster.rows[0].values["branch_code"] == "HZ-HT-BG-1"


def test_a_second_column_for_the_same_field_is_reported_and_ignored():
    roster = parse(csv_bytes("name,手机号,branch_code,联系电话", "张红梅,13800138000,HZ-HT-BG-1,13900139000"))
    assert roster.rows[0].values["phone"] == "13800138000"
    assert len(roster.errors) == 1 and roster.errors[0].startswith("COLUMN_DUPLICATED")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
        b"\xff\xfe\xff\xff",
        b"PK\x03\x04 not really a zip archive",
    ],
)
def test_garbage_is_unsupported(data):
    error = unreadable(data)
    assert (error.code, error.status) == ("ROSTER_UNREADABLE", 415)


def test_a_zip_that_is_not_a_workbook_is_unsupported():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    error = unreadable(buffer.getvalue())
    assert (error.code, error.status) == ("ROSTER_UNREADABLE", 415)


@pytest.mark.parametrize("data", [b"", b"\r\n  \r\n,,,\r\n", b"\xef\xbb\xbf"])
def test_a_file_without_a_header_row_is_unreadable(data):
    error = unreadable(data)
    assert (error.code, error.status) == ("ROSTER_UNREADABLE", 422)


def test_an_xlsx_without_a_header_row_is_unreadable():
    error = unreadable(xlsx_bytes())
    assert (error.code, error.status) == ("ROSTER_UNREADABLE", 422)


def test_a_malformed_csv_is_unreadable():
    error = unreadable(csv_bytes("name,phone,branch_code", "x" * 200_000))
    assert (error.code, error.status) == ("ROSTER_UNREADABLE", 422)


def test_too_many_rows():
    lines = ["name,phone,branch_code"] + [f"张{n},1380013800{n},HZ-HT-BG-1" for n in range(3)]
    assert len(parse(csv_bytes(*lines[:3], "", ",,"), max_rows=2).rows) == 2
    with pytest.raises(DomainError) as raised:
        parse(csv_bytes(*lines), max_rows=2)
    assert (raised.value.code, raised.value.status, raised.value.details) == ("ROSTER_TOO_LARGE", 413, {"max_rows": 2})


def test_empty_rows_are_skipped_and_row_numbers_follow_the_file():
    roster = parse(
        csv_bytes(
            "",
            "name,phone,branch_code",
            "张红梅,13800138000,HZ-HT-BG-1",
            "",
            " , ,",
            "王建国,13900139000,HZ-HT-BG-1",
            "",
        )
    )
    assert [row.row for row in roster.rows] == [3, 6]


def test_the_template_parses_as_one_valid_row():
    template = template_csv()
    assert template.startswith(b"\xef\xbb\xbf")
    header = template.decode("utf-8-sig").splitlines()[0]
    assert header == "姓名,手机号,支部编码,党员类型,流动党员,失联党员,入党日期,初始密码"
    (row,) = parse(template).rows
    assert row.valid and row.values["joined_on"] == "2015-07-01"


def test_a_csv_is_counted_before_its_rows_are_read_and_a_workbook_only_by_reading_it():
    lines = ["name,phone,branch_code", "张红梅,13800138000,HZ-HT-BG-1", "", "王建国,13900139000,HZ-HT-BG-1"]
    assert parse(csv_bytes(*lines)).total == 2
    assert parse(xlsx_bytes(*(tuple(line.split(",")) for line in lines if line))).total is None


def test_rows_resume_after_a_row_and_the_phones_before_it_still_count():
    data = csv_bytes(
        "name,phone,branch_code",
        "张红梅,13800138000,HZ-HT-BG-1",
        "王建国,13900139000,HZ-HT-BG-1",
        "李四,13800138000,HZ-HT-BG-2",
        "赵五,13700137000,HZ-HT-BG-2",
    )
    found = open_roster(io.BytesIO(data), today=TODAY)
    assert [(row.row, row.reasons) for row in found.rows(after=3)] == [(4, ["DUPLICATE_PHONE"]), (5, [])]


def test_the_encoding_is_decided_on_the_whole_file():
    filler = ["name,phone,branch_code"] + [f"x{n},1380013{n:04d},HZ-HT-BG-1" for n in range(3000)]
    data = csv_bytes(*filler, "张红梅,13900139000,HZ-HT-BG-1", encoding="gb18030")
    assert len(data) > 65536 and data[:65536].decode("utf-8")
    assert parse(data).rows[-1].values["name"] == "张红梅"


def test_control_characters_far_into_a_file_make_it_unsupported():
    filler = ["name,phone,branch_code"] + [f"x{n},1380013{n:04d},HZ-HT-BG-1" for n in range(3000)]
    error = unreadable(csv_bytes(*filler) + b"\x00\x01binary")
    assert (error.code, error.status) == ("ROSTER_UNREADABLE", 415)


def test_a_workbook_beyond_the_rows_a_roster_may_hold_fails_as_it_is_read():
    data = xlsx_bytes(("name", "phone", "branch_code"), *[(f"张{n}", f"1380013800{n}", "HZ-HT-BG-1") for n in range(3)])
    found = open_roster(io.BytesIO(data), today=TODAY, max_rows=2)
    rows = found.rows()
    assert [row.row for row in (next(rows), next(rows))] == [2, 3]
    with pytest.raises(DomainError) as raised:
        next(rows)
    assert (raised.value.code, raised.value.status) == ("ROSTER_TOO_LARGE", 413)


class ChunkedOnly(io.BytesIO):
    """A stream that notes the size of every read asked of it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.sizes: list[int] = []

    def read(self, size=-1):
        self.sizes.append(size)
        return super().read(size)

    def read1(self, size=-1):
        self.sizes.append(size)
        return super().read1(size)


def test_a_csv_is_read_a_chunk_at_a_time_never_whole():
    data = csv_bytes("name,phone,branch_code", *[f"x{n},1380013{n:04d},HZ-HT-BG-1" for n in range(5000)])
    stream = ChunkedOnly(data)
    found = open_roster(stream, today=TODAY)
    assert sum(1 for _ in found.rows()) == 5000
    assert stream.sizes and all(0 < size <= 65536 for size in stream.sizes)
