"""The payloads of the events the quizzes service emits (the envelope's `data`), one model per event type.

`EVENTS` maps each event type to its model; `SUBSCRIBED` names those that some service consumes, which the
outbox publishes `mandatory`."""

from pydantic import BaseModel

from partyday_common.acts import ACT_EVENT, AdministrativeAct


class QuizParticipationChanged(BaseModel):
    """`quiz_participation_changed`, version 1: a branch's quiz participation in a month, over every quiz of that
    month that reaches it: `took` members' first submissions (one per member and quiz) against `expected` (the
    branch's active members, once per quiz); announced when a member of the branch first submits an attempt."""

    branch_id: str
    branch_path: str
    month: str
    took: int
    expected: int


EVENTS: dict[str, type[BaseModel]] = {
    "quiz_participation_changed": QuizParticipationChanged,
    ACT_EVENT: AdministrativeAct,
}

SUBSCRIBED: frozenset[str] = frozenset({"quiz_participation_changed", ACT_EVENT})
