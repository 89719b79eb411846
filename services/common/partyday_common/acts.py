"""The payload of `administrative_act`, the event every service but the directory emits for each administrative act
it records (`audit.record`), which the directory keeps in the one audit log. A plain model, so that each producer's
contracts publish it in their EVENTS without a copy."""

from datetime import datetime

from pydantic import BaseModel

ACT_EVENT = "administrative_act"


class AdministrativeAct(BaseModel):
    """`administrative_act`, version 1: who (`actor_id`, from `client_ip`) did what (`action`, like `plan.approve`)
    to which object (`target_type`, `target_id`) under which node (`org_path`, what the log is read by), when
    (`at`); the envelope carries the correlation id."""

    actor_id: str | None
    client_ip: str | None
    action: str
    target_type: str
    target_id: str
    org_path: str | None
    details: dict = {}
    at: datetime
