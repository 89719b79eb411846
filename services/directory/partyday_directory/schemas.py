"""The directory's contracts: RPC payloads it accepts and event payloads it emits."""
from pydantic import BaseModel, ConfigDict, Field

from partyday_common.vocabulary import Domain, Kind, Level


class OrgCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, examples=["北关社区第一党支部"])
    parent_id: str | None = None
    level: Level
    domain: Domain = "other"
    kind: Kind = "regular"
    code: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")


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


class OrgCreated(OrgView):
    """`org_created`, version 1: a node was added to the tree."""


EVENTS = {"org_created": OrgCreated}
