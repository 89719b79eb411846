"""Reading an uploaded member roster (CSV or XLSX) into validated rows.

Pure: no database and no network. Whether a branch code exists is for the importer to check.
"""
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook

from partyday_common.errors import DomainError
from partyday_directory_contracts.rpc import normalise_phone

ZIP_SIGNATURE = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
# Decoding almost never fails for GB18030, so binary files are recognised by their control characters.
BINARY_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FIELD_ALIASES = {
    "name": ("name", "姓名"),
    "phone": ("phone", "mobile_phone", "手机", "手机号", "手机号码", "联系电话"),
    "branch_code": ("branch_code", "branch", "支部编码", "组织编码", "所在支部编码"),
    "probationary": ("probationary", "预备党员", "党员类型"),
    "mobile": ("mobile", "流动党员"),
    "joined_on": ("joined_on", "入党日期", "入党时间"),
    "lost_contact": ("lost_contact", "失联", "失联党员"),
    "password": ("password", "初始密码"),
}
FIELD_OF_HEADER = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}
REQUIRED_FIELDS = ("name", "phone", "branch_code")
FLAG_FIELDS = ("probationary", "mobile", "lost_contact")

FLAG_WORDS = {
    "true": True, "yes": True, "1": True, "是": True, "y": True,
    "false": False, "no": False, "0": False, "否": False, "n": False, "": False,
}
FLAG_WORDS_BY_FIELD = {
    "probationary": {**FLAG_WORDS, "预备": True, "预备党员": True, "正式": False, "正式党员": False},
    "mobile": FLAG_WORDS,
    "lost_contact": FLAG_WORDS,
}

NUMERIC_DATE = re.compile(r"(?P<year>\d{4})(?P<separator>[-/.])(?P<month>\d{1,2})(?P=separator)(?P<day>\d{1,2})")
CHINESE_DATE = re.compile(r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日")
PARTY_FOUNDED = date(1921, 7, 1)

NAME_MAX_LENGTH = 100
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

TEMPLATE_HEADERS = ("姓名", "手机号", "支部编码", "党员类型", "流动党员", "失联党员", "入党日期", "初始密码")
TEMPLATE_EXAMPLE = ("张红梅", "13800138000", "HZ-HT-BG-1", "正式", "否", "否", "2015-07-01", "")


@dataclass
class RosterRow:
    """One data row: `values` when it can be imported, otherwise None and the reason codes."""

    row: int
    values: dict | None
    reasons: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.reasons


@dataclass
class Roster:
    """The validated rows of a roster and the problems that concern the file rather than a row."""

    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_roster(data: bytes, max_rows: int = 250_000, *, today: date | None = None) -> Roster:
    """Read a roster file into validated rows; the format is told from the content, never from a file name.

    Row numbers count every row of the file from 1 (the header), so they match what Excel shows.
    `today` bounds the dates of joining; it defaults to the current date.
    Raises DomainError ROSTER_UNREADABLE, ROSTER_COLUMNS_MISSING or ROSTER_TOO_LARGE for a file as a whole.
    """
    records = _xlsx_records(data) if data.startswith(ZIP_SIGNATURE) else _csv_records(data)
    try:
        return _validate_records(records, max_rows, today or date.today())
    finally:
        records.close()


def roster_template_csv() -> bytes:
    """A CSV with the Chinese headers and one example row; the BOM makes Excel read it as UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return buffer.getvalue().encode("utf-8-sig")


def import_batches(roster: Roster, size: int) -> Iterator[list[dict]]:
    """The valid rows, as the directory's `import_members` takes them, `size` at a time."""
    valid = [{"row": row.row, "values": row.values} for row in roster.rows if row.valid]
    for start in range(0, len(valid), size):
        yield valid[start:start + size]


def import_report(roster: Roster, outcomes: Iterable[dict]) -> dict:
    """One report of every row: rejected here for its format, or as the directory answered."""
    rows = {row.row: {"row": row.row, "status": "rejected", "reasons": row.reasons}
            for row in roster.rows if not row.valid}
    rows.update({outcome["row"]: outcome for outcome in outcomes})
    ordered = [rows[number] for number in sorted(rows)]
    counts = {status: sum(row["status"] == status for row in ordered) for status in ("accepted", "unchanged",
                                                                                   "rejected")}
    return {"total": len(ordered), **counts, "rows": ordered}


def _validate_records(records: Iterator[Sequence], max_rows: int, today: date) -> Roster:
    numbered = ((number, cells) for number, cells in enumerate(records, start=1) if not _is_blank(cells))
    header = next(numbered, None)
    if header is None:
        raise DomainError("ROSTER_UNREADABLE", "the file has no header row", 422)
    columns, errors = _read_header(header[1])
    seen_phones: set[str] = set()
    rows = []
    for number, cells in numbered:
        if len(rows) == max_rows:
            raise DomainError("ROSTER_TOO_LARGE", f"a roster holds at most {max_rows} rows", 413,
                              {"max_rows": max_rows})
        rows.append(_validate_row(number, cells, columns, seen_phones, today))
    return Roster(rows=rows, errors=errors)


def _read_header(cells: Sequence) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(cells):
        header = _text(cell).lower()
        field_name = FIELD_OF_HEADER.get(header)
        if field_name is None:
            continue
        if field_name in columns:
            errors.append(f"COLUMN_DUPLICATED: column {index + 1} ({header}) is another {field_name} column "
                          f"and is ignored")
        else:
            columns[field_name] = index
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise DomainError("ROSTER_COLUMNS_MISSING", f"the header lacks the columns {', '.join(missing)}", 422,
                          {"missing": missing})
    return columns, errors


def _validate_row(number: int, cells: Sequence, columns: dict[str, int], seen_phones: set[str],
                  today: date) -> RosterRow:
    def cell(field_name: str):
        index = columns.get(field_name)
        return cells[index] if index is not None and index < len(cells) else None

    reasons = []
    name = _text(cell("name"))
    if not name:
        reasons.append("NAME_MISSING")
    elif len(name) > NAME_MAX_LENGTH:
        reasons.append("NAME_TOO_LONG")

    try:
        phone = normalise_phone(_text(cell("phone")))
    except ValueError:
        phone = None
        reasons.append("PHONE_INVALID")
    if phone in seen_phones:
        reasons.append("DUPLICATE_PHONE")
    elif phone:
        seen_phones.add(phone)

    branch_code = _text(cell("branch_code"))
    if not branch_code:
        reasons.append("BRANCH_CODE_MISSING")

    flags = {flag: FLAG_WORDS_BY_FIELD[flag].get(_text(cell(flag)).lower()) for flag in FLAG_FIELDS}
    if None in flags.values():
        reasons.append("FLAG_INVALID")

    try:
        joined_on = _joined_on(cell("joined_on"), today)
    except ValueError:
        joined_on = None
        reasons.append("DATE_INVALID")

    password = _text(cell("password")) or None
    if password and len(password) < PASSWORD_MIN_LENGTH:
        reasons.append("PASSWORD_TOO_SHORT")
    elif password and len(password) > PASSWORD_MAX_LENGTH:
        reasons.append("PASSWORD_TOO_LONG")

    if reasons:
        return RosterRow(row=number, values=None, reasons=reasons)
    values = {"name": name, "phone": phone, "branch_code": branch_code, **flags,
              "joined_on": joined_on.isoformat() if joined_on else None, "password": password}
    return RosterRow(row=number, values=values)


def _joined_on(value, today: date) -> date | None:
    """The date of joining from a date cell or text; ValueError when unreadable or out of range."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _text(value)
        if not text:
            return None
        match = NUMERIC_DATE.fullmatch(text) or CHINESE_DATE.fullmatch(text)
        if match is None:
            raise ValueError(f"unreadable date {text!r}")
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    if not PARTY_FOUNDED <= day <= today:
        raise ValueError(f"{day} is before the party was founded or in the future")
    return day


def _text(value) -> str:
    """A cell as trimmed text; whole numbers from XLSX lose the ".0" a float would print."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_blank(cells: Sequence) -> bool:
    return not any(_text(cell) for cell in cells)


def _csv_records(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        yield from reader
    except csv.Error as error:
        raise DomainError("ROSTER_UNREADABLE", f"the CSV is malformed near line {reader.line_num}: {error}", 422,
                          {"line": reader.line_num}) from error


def _decode(data: bytes) -> str:
    unreadable = DomainError("ROSTER_UNREADABLE", "the file is neither CSV text nor an XLSX workbook", 415)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise unreadable from None
    if BINARY_CHARACTERS.search(text):
        raise unreadable
    return text.removeprefix("\ufeff")


def _sniff_delimiter(text: str) -> str:
    """The delimiter used most on the first non-blank line; a comma when there is none."""
    header_line = next((line for line in io.StringIO(text) if line.strip()), "")
    return max(DELIMITERS, key=header_line.count)


def _xlsx_records(data: bytes) -> Iterator[tuple]:
    # openpyxl fails on a damaged or foreign ZIP in many ways (zip, XML, missing parts), hence the broad catches.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise DomainError("ROSTER_UNREADABLE", "the file is a ZIP archive but not a readable XLSX workbook",
                          415) from error
    try:
        sheet = workbook.worksheets[0]
        # Some writers store a wrong sheet size, and read-only mode would cut the rows off at it.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    except Exception as error:
        raise DomainError("ROSTER_UNREADABLE", "the XLSX workbook is damaged", 415) from error
    finally:
        workbook.close()
