"""The bodies media's RPCs take."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from partyday_common.text import Identifier, VisibleText

INCOMING_KEY = r"^incoming/[0-9a-f]{32}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Upload(Strict):
    """A file the gateway streamed into storage: where it is, its size and sha256 as the gateway counted
    them, and the client's file name exactly as sent (media judges it with the type and the size limit)."""

    key: str = Field(pattern=INCOMING_KEY, max_length=64)
    size: int = Field(gt=0)
    sha256: str = Field(pattern="^[0-9a-f]{64}$", max_length=64)
    filename: Annotated[str, StringConstraints(strip_whitespace=False, max_length=1000)] | None = None
    caption: VisibleText(500, min_visible=0) | None = None
    action: VisibleText(100) | None = None
    uploaded_by: Identifier | None = None


class MaterialText(Strict):
    title: VisibleText(200)
    text: VisibleText(100_000)


class NoteCreate(Strict):
    branch_id: Identifier
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")
    member_id: Identifier
    text: VisibleText(20_000, min_visible=10)


class ProgressReport(Strict):
    """What a phone reports while a member studies a material: any report opens it; a micro lesson's position
    (seconds) or percentage watched; `finished` when they are done."""

    position_s: float | None = Field(None, ge=0, le=86_400)
    percent: float | None = Field(None, ge=0, le=100)
    finished: bool = False
