"""What quizzes expects of the events it consumes: only the fields its handlers read, anything else ignored.
`event_consumer(..., expects=...)` validates each payload with these before the handler runs."""

from pydantic import BaseModel, ConfigDict


class Expected(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MemberExpected(Expected):
    """The fields of the directory's member events quizzes keeps: who is expected to take a branch's quizzes."""

    member_id: str
    name: str
    branch_id: str | None
    branch_path: str | None
    active: bool


class MembersImportedExpected(Expected):
    """`directory.members_imported`: a batch of a roster import's new members, followed as `member_joined` each."""

    members: list[MemberExpected]


class DirectiveExpected(Expected):
    """The fields of `plans.directive_published` a quiz is attached to: the subtree it reaches and its month."""

    directive_id: str
    org_id: str
    org_path: str
    month: str
    theme: str
