"""Reading an uploaded member roster (CSV or XLSX) into validated rows, streamed from a file.

Pure: no database and no network. Whether a branch code exists is for the importer to check.
`open_roster` checks the file as a whole before any row is imported (format, encoding, header, and for a CSV
every record and their number); `RosterFile.rows()` then reads it again, a row at a time, never the whole
file in memory. The format is told from the content, never from a file name.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from openpyxl import load_workbook

from partyday_common.errors import DomainError
from partyday_directory_contracts.rpc import normalise_phone

ZIP_SIGNATURE = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
CHUNK = 1 << 16
MAX_ROWS = 250_000
# Decoding almost never fails for GB18030, so binary files are recognised by their control characters.
BINARY_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BYTE_ORDER_MARK = "\ufeff"

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

FLAG_WORDS = {
    "true": True,
    "yes": True,
    "1": True,
    "是": True,
    "y": True,
    "false": False,
    "no": False,
    "0": False,
    "否": False,
    "n": False,
    "": False,
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

Records = Callable[[], Iterator[Sequence]]


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
class RosterFile:
    """A roster file found readable as a whole: its format, the columns of its header, the problems that
    concern the file rather than a row (`warnings`), and how many data rows it holds (`total`; None for a
    workbook, which only reading it row by row counts)."""

    format: str
    columns: dict[str, int]
    warnings: list[str]
    total: int | None
    records: Records
    today: date
    max_rows: int
    blank: Callable[[Sequence], bool]
    close: Callable[[], None] = lambda: None

    def rows(self, after: int = 0) -> Iterator[RosterRow]:
        """The validated data rows in the file's order, read afresh; those numbered up to `after` are read
        and checked (a phone they hold still makes a later row a duplicate) but not yielded, so that an
        import resumes where it stopped. Row numbers count every row of the file from 1 (the header), so
        they match what Excel shows. Raises DomainError ROSTER_TOO_LARGE, or ROSTER_UNREADABLE for a
        workbook damaged beyond its first rows."""
        seen_phones: set[str] = set()
        numbered = _numbered(self.records(), self.blank)
        next(numbered)
        for count, (number, cells) in enumerate(numbered, start=1):
            if count > self.max_rows:
                raise too_many_rows(self.max_rows)
            checked = _validate_row(number, cells, self.columns, seen_phones, self.today)
            if number > after:
                yield checked


def open_roster(file: BinaryIO, *, max_rows: int = MAX_ROWS, today: date | None = None) -> RosterFile:
    """Check a roster file, a seekable binary stream, as a whole, reading it as it streams: a CSV's
    encoding (UTF-8, else GB18030), records and number of rows; a workbook's readability and header.
    `today` bounds the dates of joining; it defaults to the current date. Close the answer when done (a
    workbook stays open between its header and its rows).
    Raises DomainError ROSTER_UNREADABLE, ROSTER_COLUMNS_MISSING or ROSTER_TOO_LARGE for the file as a whole.
    """
    file.seek(0)
    if file.read(len(ZIP_SIGNATURE)) == ZIP_SIGNATURE:
        return _open_workbook(file, max_rows, today or date.today())
    return _open_csv(file, max_rows, today or date.today())


def too_many_rows(max_rows: int) -> DomainError:
    return DomainError("ROSTER_TOO_LARGE", f"a roster holds at most {max_rows} rows", 413, {"max_rows": max_rows})


def _open_csv(file: BinaryIO, max_rows: int, today: date) -> RosterFile:
    encoding = _csv_encoding(file)
    delimiter = _sniff_delimiter(file, encoding)

    def records() -> Iterator[list[str]]:
        return _csv_records(file, encoding, delimiter)

    columns, warnings = _header(records, _is_blank_text)
    total = sum(1 for _ in _numbered(records(), _is_blank_text)) - 1
    if total > max_rows:
        raise too_many_rows(max_rows)
    return RosterFile("csv", columns, warnings, total, records, today, max_rows, _is_blank_text)


def _open_workbook(file: BinaryIO, max_rows: int, today: date) -> RosterFile:
    # openpyxl fails on a damaged or foreign ZIP in many ways (zip, XML, missing parts), hence the broad catches.
    # Loading reads the whole sheet once when it does not state its size: it is loaded once for both passes.
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:
        raise DomainError(
            "ROSTER_UNREADABLE", "the file is a ZIP archive but not a readable XLSX workbook", 415
        ) from error
    sheet = workbook.worksheets[0]
    # Some writers store a wrong sheet size, and read-only mode would cut the rows off at it.
    sheet.reset_dimensions()

    def records() -> Iterator[tuple]:
        return _xlsx_records(sheet)

    try:
        columns, warnings = _header(records, _is_blank)
    except BaseException:
        workbook.close()
        raise
    return RosterFile("xlsx", columns, warnings, None, records, today, max_rows, _is_blank, workbook.close)


def _numbered(records: Iterator[Sequence], blank: Callable[[Sequence], bool]) -> Iterator[tuple[int, Sequence]]:
    """The non-blank records with their row numbers; the first one is the header."""
    try:
        yield from ((number, cells) for number, cells in enumerate(records, start=1) if not blank(cells))
    finally:
        records.close()


def _header(records: Records, blank: Callable[[Sequence], bool]) -> tuple[dict[str, int], list[str]]:
    numbered = _numbered(records(), blank)
    try:
        first = next(numbered, None)
    finally:
        numbered.close()
    if first is None:
        raise DomainError("ROSTER_UNREADABLE", "the file has no header row", 422)
    return _read_header(first[1])


def _read_header(cells: Sequence) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    warnings = []
    for index, cell in enumerate(cells):
        header = _text(cell).lower()
        field_name = FIELD_OF_HEADER.get(header)
        if field_name is None:
            continue
        if field_name in columns:
            warnings.append(
                f"COLUMN_DUPLICATED: column {index + 1} ({header}) is another {field_name} column and is ignored"
            )
        else:
            columns[field_name] = index
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise DomainError(
            "ROSTER_COLUMNS_MISSING", f"the header lacks the columns {', '.join(missing)}", 422, {"missing": missing}
        )
    return columns, warnings


def _validate_row(
    number: int, cells: Sequence, columns: dict[str, int], seen_phones: set[str], today: date
) -> RosterRow:
    width = len(cells)

    def cell(field_name: str):
        index = columns.get(field_name, width)
        return cells[index] if index < width else None

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

    flags = {flag: words.get(_text(cell(flag)).lower()) for flag, words in FLAG_WORDS_BY_FIELD.items()}
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
    values = {
        "name": name,
        "phone": phone,
        "branch_code": branch_code,
        **flags,
        "joined_on": joined_on.isoformat() if joined_on else None,
        "password": password,
    }
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


def _is_blank_text(cells: list[str]) -> bool:
    """`_is_blank` for a CSV record, whose cells are all text: one join tells, where a city's roster has
    hundreds of thousands of records to count before any is imported."""
    return not "".join(cells).strip()


def _csv_encoding(file: BinaryIO) -> str:
    """UTF-8 when the whole file decodes as such, else GB18030; a file with control characters is binary."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        file.seek(0)
        try:
            while chunk := file.read(CHUNK):
                if BINARY_CHARACTERS.search(decoder.decode(chunk)):
                    break
            else:
                decoder.decode(b"", final=True)
                return encoding
        except UnicodeDecodeError:
            continue
        break
    raise DomainError("ROSTER_UNREADABLE", "the file is neither CSV text nor an XLSX workbook", 415)


@contextmanager
def _text_stream(file: BinaryIO, encoding: str) -> Iterator[io.TextIOWrapper]:
    """The file as text from its start, past a byte order mark; the binary stream stays open."""
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        if text.read(1) != BYTE_ORDER_MARK:
            text.seek(0)
        yield text
    finally:
        text.detach()


def _sniff_delimiter(file: BinaryIO, encoding: str) -> str:
    """The delimiter used most on the first non-blank line; a comma when there is none."""
    with _text_stream(file, encoding) as text:
        header_line = next((line for line in text if line.strip()), "")
    return max(DELIMITERS, key=header_line.count)


def _csv_records(file: BinaryIO, encoding: str, delimiter: str) -> Iterator[list[str]]:
    with _text_stream(file, encoding) as text:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as error:
            raise DomainError(
                "ROSTER_UNREADABLE",
                f"the CSV is malformed near line {reader.line_num}: {error}",
                422,
                {"line": reader.line_num},
            ) from error


def _xlsx_records(sheet) -> Iterator[tuple]:
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as error:
        raise DomainError("ROSTER_UNREADABLE", "the XLSX workbook is damaged", 415) from error
