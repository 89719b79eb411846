"""The directory's contracts: RPC payloads it accepts and event payloads it emits."""
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["city", "county", "township", "general_branch", "branch"]
Domain = Literal["rural", "community", "government", "institution", "state_enterprise",
                 "private_enterprise", "social_org", "school", "other"]
Kind = Literal["regular", "joint", "mobile"]


class OrgCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    parent_id: str | None = None
    level: Level
    domain: Domain = "other"
    kind: Kind = "regular"
    code: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")


class OrgView(BaseModel):
    org_id: str
    code: str
    name: str
    parent_id: str | None
    level: Level
    domain: Domain
    kind: Kind
    path: str


class OrgCreated(OrgView):
    """`org_created`, version 1: a node was added to the tree."""


EVENTS = {"org_created": OrgCreated}
