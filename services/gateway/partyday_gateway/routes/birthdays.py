"""Political birthdays (政治生日): the members whose joining anniversary falls in a month, as the directory counts
them, for the branch's plan of that month."""

from fastapi import APIRouter

from partyday_directory_contracts.rpc import PoliticalBirthdaysView
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, Month, Rpc
from partyday_gateway.permissions import MANAGE_PLANS, READ

router = APIRouter(prefix="/api/v1", tags=["directory"])


@router.get("/branches/{branch_id}/political-birthdays", response_model=PoliticalBirthdaysView)
async def political_birthdays(branch_id: str, caller: Caller, rpc: Rpc, authz: Authz, month: Month):
    """The branch's members whose political birthday (the day they joined the Party) falls in `month`, with
    the day and the years in the Party; a member who joined in that year has none yet."""
    await authz.require(caller, READ | MANAGE_PLANS, branch_id, "read")
    return await rpc.call("directory", "political_birthdays", branch_id, month)
