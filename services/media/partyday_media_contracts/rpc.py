"""The bodies media's RPCs take."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

INCOMING_KEY = r"^incoming/[0-9a-f]{32}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Upload(Strict):
    """A file the gateway streamed into storage: where it is, its size and sha256 as the gateway counted
    them, and the client's file name exactly as sent (media judges it with the type and the size limit)."""

    key: str = Field(pattern=INCOMING_KEY)
    size: int = Field(gt=0)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    filename: Annotated[str, StringConstraints(strip_whitespace=False)] | None = None
    caption: str | None = Field(None, max_length=500)
    action: str | None = Field(None, min_length=1, max_length=100)
    uploaded_by: str | None = Field(None, max_length=64)


class MaterialText(Strict):
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=100_000)


class NoteCreate(Strict):
    branch_id: str = Field(min_length=1, max_length=64)
    month: str = Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")
    member_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=10, max_length=20_000)
