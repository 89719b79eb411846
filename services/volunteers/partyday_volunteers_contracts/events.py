"""The events volunteers emits: one model per event type, the `data` of its envelope."""

from pydantic import AwareDatetime, BaseModel, Field

from partyday_common.acts import ACT_EVENT, AdministrativeAct


class VolunteerRequestSubmitted(BaseModel):
    """`volunteer_request_submitted`, version 1: a resident posted a request to a branch; its admin is told, and
    must take it in by `accept_by`."""

    request_id: str
    branch_id: str
    branch_path: str
    what: str
    where: str
    wanted_by: AwareDatetime
    accept_by: AwareDatetime


class VolunteerRequestDispatched(BaseModel):
    """`volunteer_request_dispatched`, version 1: the branch dispatched the request to named members, or published
    it to every member of the branch (`published`, `member_ids` empty); they are told."""

    request_id: str
    branch_id: str
    branch_path: str
    what: str
    where: str
    wanted_by: AwareDatetime
    published: bool
    member_ids: list[str]


class VolunteerRequestCompleted(BaseModel):
    """`volunteer_request_completed`, version 1: a member recorded the work done with a photo; a count toward
    the branch's service record."""

    request_id: str
    branch_id: str
    branch_path: str
    member_id: str
    what: str
    wanted_by: AwareDatetime
    completed_at: AwareDatetime
    on_time: bool
    photo_key: str = Field(description="the stored photo's key in the object store")


EVENTS: dict[str, type[BaseModel]] = {
    "volunteer_request_submitted": VolunteerRequestSubmitted,
    "volunteer_request_dispatched": VolunteerRequestDispatched,
    "volunteer_request_completed": VolunteerRequestCompleted,
    ACT_EVENT: AdministrativeAct,
}

SUBSCRIBED: frozenset[str] = frozenset({"volunteer_request_submitted", "volunteer_request_dispatched", ACT_EVENT})
