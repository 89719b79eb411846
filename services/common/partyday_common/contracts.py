"""What consumers expect of the events they read, checked against the producers' schemas."""

from pydantic import BaseModel, ConfigDict


class OrgNodeExpected(BaseModel):
    """The fields of `org_created` that a tree projection (plans, scoring) relies on."""

    model_config = ConfigDict(extra="ignore")

    org_id: str
    parent_id: str | None
    path: str
    code: str
    name: str
    level: str
    domain: str
    kind: str
