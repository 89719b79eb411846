"""The directory's RPC contracts: the payloads its RPCs accept and the views they answer."""

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from partyday_common.text import Identifier, VisibleText
from partyday_common.vocabulary import Domain, Kind, Level

PHONE = re.compile(r"1[3-9][0-9]{9}")
ROLES = ("member", "branch_admin", "org_admin", "city_admin", "auditor", "working_group", "committee")


def normalise_phone(value: str) -> str:
    """A mainland mobile number as 11 digits; spaces, dashes and a +86 prefix are dropped."""
    if isinstance(value, str) and PHONE.fullmatch(value):
        return value
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", str(value)))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not PHONE.fullmatch(digits):
        raise ValueError("a phone number is 11 digits starting with 13-19")
    return digits


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrgCreate(Strict):
    name: VisibleText(200) = Field(examples=["北关社区第一党支部"])
    parent_id: Identifier | None = None
    level: Level
    domain: Domain = "other"
    kind: Kind = "regular"
    code: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    venue_lat: float | None = Field(None, ge=-90, le=90)
    venue_lon: float | None = Field(None, ge=-180, le=180)


class OrgUpdate(Strict):
    """A rename, a new domain or kind, new venue coordinates, or a move under another parent."""

    name: VisibleText(200) | None = None
    domain: Domain | None = None
    kind: Kind | None = None
    parent_id: Identifier | None = None
    venue_lat: float | None = Field(None, ge=-90, le=90)
    venue_lon: float | None = Field(None, ge=-180, le=180)


class OrgView(BaseModel):
    """A node as every API answer shows it."""

    org_id: str
    code: str
    name: str
    parent_id: str | None
    level: Level
    domain: Domain
    kind: Kind
    path: str
    venue_lat: float | None = None
    venue_lon: float | None = None


class OrgSearch(Strict):
    """Organisations within some subtrees whose name contains `q` or whose code starts with it, of one level if
    given, a page at a time."""

    within: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        min_length=1, max_length=50, description="materialised paths of the subtrees searched"
    )
    q: str = Field(min_length=1, max_length=64)
    level: Level | None = None


class MemberCreate(Strict):
    name: VisibleText(100) = Field(examples=["张红梅"])
    phone: str = Field(max_length=32, examples=["13800138000"])
    password: str | None = Field(None, min_length=8, max_length=128)
    branch_id: Identifier
    mobile: bool = False
    probationary: bool = False
    lost_contact: bool = False
    joined_on: date | None = None

    _phone = field_validator("phone")(lambda cls, value: normalise_phone(value))


class MemberUpdate(Strict):
    name: VisibleText(100) | None = None
    mobile: bool | None = None
    probationary: bool | None = None
    lost_contact: bool | None = None
    joined_on: date | None = None
    password: str | None = Field(None, min_length=8, max_length=128)


class MemberView(BaseModel):
    member_id: str
    name: str
    phone: str
    branch_id: str | None
    mobile: bool
    probationary: bool
    lost_contact: bool
    active: bool
    joined_on: date | None
    branch_name: str | None = None


class RoleGrantCreate(Strict):
    member_id: Identifier
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$", max_length=32)
    org_id: Identifier


class GrantListView(BaseModel):
    """An active role grant as a list shows it."""

    grant_id: str
    member_id: str
    member_name: str
    role: str
    org_id: str
    org_name: str
    org_path: str
    granted_at: str


class PoliticalBirthdayView(BaseModel):
    """A member whose joining anniversary falls in the month, with its day and the years in the Party."""

    member_id: str
    name: str
    joined_on: date
    anniversary_on: date
    years: int


class PoliticalBirthdaysView(BaseModel):
    branch_id: str
    month: str
    items: list[PoliticalBirthdayView]


class LostMemberRegister(Strict):
    """A member entered in the lost-contact register: out of contact since a day, with the last known contact."""

    member_id: Identifier
    since: date
    last_contact: VisibleText(200) | None = None


class LostMemberStepCreate(Strict):
    """A step taken to find the member (a call, a visit, a letter, a notice)."""

    what: VisibleText(500)


class LostMemberFound(Strict):
    note: VisibleText(500) | None = None


class LostMemberTransferred(Strict):
    to_org_id: Identifier
    note: VisibleText(500) | None = None


class LostMemberStepView(BaseModel):
    what: str
    taken_by: str | None
    taken_by_name: str | None = None
    taken_at: datetime


class LostMemberView(BaseModel):
    entry_id: str
    member_id: str
    member_name: str
    last_branch_id: str
    last_branch_name: str
    since: date
    last_contact: str | None
    status: str
    registered_by: str | None
    registered_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    outcome_note: str | None
    transferred_to_org_id: str | None
    steps: list[LostMemberStepView]


class LostMemberCountView(BaseModel):
    org_id: str
    name: str
    open: int


class LostMemberCountsView(BaseModel):
    """Open entries in the subtree of a node, and under each of its children."""

    org_id: str
    open: int
    children: list[LostMemberCountView]
