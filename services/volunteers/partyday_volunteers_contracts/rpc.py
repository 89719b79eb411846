"""The bodies the volunteers service's RPCs take, and the states a request moves through."""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from partyday_common.text import Identifier, VisibleText

STATES = (
    "submitted",
    "accepted",
    "declined",
    "dispatched",
    "published",
    "claimed",
    "done",
    "confirmed",
    "cancelled",
)
State = Literal[STATES]
PHONE = Field(min_length=1, max_length=30)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RequestSubmit(Strict):
    """A resident's request (志愿云呼叫): what is needed, where, by when, for which community's branch, and who
    asks, with the one-time code sent to their phone by `POST /api/v1/auth/public-code`."""

    what: VisibleText(500, 2)
    where: VisibleText(200, 2)
    wanted_by: AwareDatetime = Field(description="when the help is wanted by, an instant with its offset")
    org_id: Identifier = Field(description="the community's branch, found by the public community search")
    name: VisibleText(50)
    phone: str = PHONE
    code: str = Field(pattern=r"^\d{6}$", description="the one-time code sent to the phone")


class Decline(Strict):
    """Why the branch does not take the request in."""

    reason: VisibleText(500, 2)


class Dispatch(Strict):
    """The branch's members the request is dispatched to (at most 20)."""

    member_ids: list[Identifier] = Field(min_length=1, max_length=20)


class Completion(Strict):
    """The member's note of what was done; the photo travels as an upload beside it."""

    note: VisibleText(500) | None = None


class Rating(Strict):
    """The resident's confirmation that the work is done, with a rating from 1 to 5 and an optional comment."""

    rating: int = Field(ge=1, le=5)
    comment: VisibleText(500) | None = None
