"""What volunteers expects of the events it consumes: only the fields its handlers read, anything else ignored."""

from pydantic import BaseModel, ConfigDict


class Expected(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MemberExpected(Expected):
    """The fields of the directory's member events volunteers keeps: who may claim a branch's requests."""

    member_id: str
    name: str
    branch_id: str | None
    active: bool


class MembersImportedExpected(Expected):
    """`directory.members_imported`: a batch of a roster import's new members."""

    members: list[MemberExpected]
