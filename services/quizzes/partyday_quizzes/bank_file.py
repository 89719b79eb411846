"""A question bank's XLSX, read the way the directory reads a roster's (openpyxl, read-only, values only): the
template's columns by their Chinese or English headers, each row checked on its own so that a wrong row is
reported with its row number and its reasons while every other row is kept."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from openpyxl import load_workbook

from partyday_common.errors import DomainError
from partyday_common.text import visible_length
from partyday_quizzes import rules

LETTERS = "ABCDEF"
HEADERS = {
    "题型": "kind",
    "type": "kind",
    "题目": "text",
    "question": "text",
    "答案": "answer",
    "answer": "answer",
    "解析": "explanation",
    "explanation": "explanation",
    **{f"选项{letter}": f"option_{letter}" for letter in LETTERS},
    **{f"option {letter.lower()}": f"option_{letter}" for letter in LETTERS},
}
KINDS = {
    "单选": "single",
    "单选题": "single",
    "single": "single",
    "多选": "multiple",
    "多选题": "multiple",
    "multiple": "multiple",
    "判断": "true_false",
    "判断题": "true_false",
    "true_false": "true_false",
    "true/false": "true_false",
}
TRUE_WORDS = {"对", "正确", "是", "√", "t", "true", "a"}
FALSE_WORDS = {"错", "错误", "否", "×", "f", "false", "b"}
MAX_TEXT, MAX_OPTION = 1000, 300


@dataclass
class BankRows:
    """The questions read (with their row numbers) and the rows rejected, each with its reasons."""

    questions: list[tuple[int, dict]] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)


def read_bank(file: BinaryIO, max_rows: int) -> BankRows:
    """Every row of the workbook's first sheet after its header row, as questions or rejections."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as error:
        raise DomainError("BANK_UNREADABLE", "the file is not a readable XLSX workbook", 415) from error
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        return _read_rows(_records(sheet), max_rows)
    finally:
        workbook.close()


def _records(sheet) -> Iterator[tuple]:
    # openpyxl fails on a damaged sheet in many ways (zip, XML), hence the broad catch.
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as error:
        raise DomainError("BANK_UNREADABLE", "the XLSX workbook is damaged", 415) from error


def _read_rows(records: Iterator[tuple], max_rows: int) -> BankRows:
    header = next(records, None)
    columns = _columns(header or ())
    found = BankRows()
    for number, cells in enumerate(records, start=2):
        if not any(_text(cell) for cell in cells):
            continue
        if len(found.questions) + len(found.rejected) >= max_rows:
            raise DomainError("BANK_TOO_MANY_ROWS", f"a bank file may hold at most {max_rows} questions", 413)
        values = {name: _text(cells[index]) if index < len(cells) else "" for name, index in columns.items()}
        question, reasons = parse_row(values)
        if reasons:
            found.rejected.append({"row": number, "reasons": reasons})
        else:
            found.questions.append((number, question))
    return found


def _columns(header: tuple) -> dict[str, int]:
    columns = {}
    for index, cell in enumerate(header):
        name = HEADERS.get(_text(cell)) or HEADERS.get(_text(cell).lower())
        if name and name not in columns:
            columns[name] = index
    missing = [label for label, name in (("题型", "kind"), ("题目", "text"), ("答案", "answer")) if name not in columns]
    if missing:
        raise DomainError(
            "BANK_HEADER_MISSING", "the first row must name the template's columns", 422, {"missing": missing}
        )
    return columns


def parse_row(values: dict[str, str]) -> tuple[dict | None, list[dict]]:
    """A row's question, or the reasons it is not one (every reason of the row, not only the first)."""
    reasons = []
    kind = KINDS.get(values.get("kind", "").lower())
    if kind is None:
        reasons.append(_reason("KIND_UNKNOWN", "题型 must be 单选, 多选 or 判断"))
    text = values.get("text", "")
    if not 0 < visible_length(text) or len(text) > MAX_TEXT:
        reasons.append(_reason("TEXT_REQUIRED", f"题目 needs 1 to {MAX_TEXT} characters"))
    options = [values.get(f"option_{letter}", "") for letter in LETTERS]
    while options and not options[-1]:
        options.pop()
    if any(not option for option in options):
        reasons.append(_reason("OPTION_GAP", "options are filled from A on without a gap"))
    if any(len(option) > MAX_OPTION for option in options):
        reasons.append(_reason("OPTION_TOO_LONG", f"an option holds at most {MAX_OPTION} characters"))
    explanation = values.get("explanation") or None
    if explanation and len(explanation) > MAX_TEXT:
        reasons.append(_reason("EXPLANATION_TOO_LONG", f"解析 holds at most {MAX_TEXT} characters"))
    answer = _answer(kind, values.get("answer", ""))
    if answer is None:
        reasons.append(_reason("ANSWER_UNREADABLE", "答案 is letters (A, ABD) or, for 判断, 对 or 错"))
    if reasons:
        return None, reasons
    try:
        options, answer = rules.check_question(kind, options, answer)
    except DomainError as error:
        return None, [_reason(error.code, error.message)]
    return {"kind": kind, "text": text, "options": options, "answer": answer, "explanation": explanation}, []


def _answer(kind: str | None, value: str) -> list[int] | None:
    cleaned = "".join(character for character in value if character not in " ,，、;；").upper()
    if not cleaned:
        return None
    if kind == "true_false":
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return [0]
        if word in FALSE_WORDS:
            return [1]
        return None
    if any(character not in LETTERS for character in cleaned):
        return None
    return [LETTERS.index(character) for character in cleaned]


def _reason(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def _text(value) -> str:
    """A cell as trimmed text; whole numbers lose the ".0" a float would print, booleans read as 对/错."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "对" if value else "错"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
