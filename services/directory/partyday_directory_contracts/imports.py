"""Roster imports: the request to import a roster file from the object store, the import's progress and
report as the directory answers them, and the roster template the gateway serves."""

import csv
import io
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

ImportState = Literal["queued", "running", "done", "failed"]
FILENAME_MAX_LENGTH = 255

TEMPLATE_HEADERS = ("姓名", "手机号", "支部编码", "党员类型", "流动党员", "失联党员", "入党日期", "初始密码")
TEMPLATE_EXAMPLE = ("张红梅", "13800138000", "HZ-HT-BG-1", "正式", "否", "否", "2015-07-01", "")


def template_csv() -> bytes:
    """A roster to fill in: the Chinese headers the directory reads and one example row, as a CSV whose BOM
    makes Excel read it as UTF-8."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return buffer.getvalue().encode("utf-8-sig")


class ImportStart(BaseModel):
    """Import the roster the gateway streamed to `storage_key`: for a member, into the branches their
    roles let them manage (`requested_by`); for an operator at a shell, citywide (`citywide`)."""

    # Not stripped: a password is taken as typed.
    model_config = ConfigDict(extra="forbid")

    storage_key: str = Field(pattern=r"^incoming/[A-Za-z0-9_-]{1,64}$")
    filename: str | None = Field(None, max_length=FILENAME_MAX_LENGTH)
    requested_by: str | None = Field(None, min_length=1, max_length=64)
    citywide: bool = False
    initial_password: str | None = Field(None, min_length=8, max_length=128)

    @field_validator("filename", mode="before")
    @classmethod
    def _shown_name(cls, value):
        """The file's name as sent, cut to what the import keeps; none for an empty one."""
        return value[:FILENAME_MAX_LENGTH] or None if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_requester(self):
        if (self.requested_by is None) == (not self.citywide):
            raise ValueError("an import is either requested by a member or citywide")
        return self


class ImportFailure(BaseModel):
    """Why an import failed as a whole (a file that is not a roster, a header without the needed columns)."""

    code: str
    message: str
    details: dict = Field(default_factory=dict)


class RejectedRow(BaseModel):
    """A data row the import rejected; `row` counts the file's rows from 1 (the header), as Excel shows them."""

    row: int
    reasons: list[str]
    messages: list[str]


class RejectedRows(BaseModel):
    items: list[RejectedRow]
    total: int
    page: int
    page_size: int


class ImportView(BaseModel):
    """An import's progress and, a page at a time in the file's order, its report of rejected rows:
    `rows_read` data rows so far of `total` (None until known: a workbook is counted only by reading it),
    each accepted (a new member), unchanged (already there, the same person in the same branch) or rejected
    with its reasons."""

    import_id: str
    state: ImportState
    filename: str | None
    format: str | None
    requested_by: str | None
    citywide: bool
    total: int | None
    rows_read: int
    accepted: int
    unchanged: int
    rejected: int
    warnings: list[str]
    error: ImportFailure | None
    created_at: AwareDatetime
    started_at: AwareDatetime | None
    finished_at: AwareDatetime | None
    rejected_rows: RejectedRows | None = None
