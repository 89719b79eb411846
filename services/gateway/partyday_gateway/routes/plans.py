from datetime import date
from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from partyday_common.text import VisibleText
from partyday_gateway.auth import Caller
from partyday_gateway.branch_media import require_own_uploads
from partyday_gateway.deps import Authz, IdempotencyKey, Month, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.permissions import ANSWER_RECTIFICATIONS, MANAGE_PLANS, MANAGE_TREE, PUBLISH_DIRECTIVES, READ
from partyday_plans_contracts.rpc import (
    AttendanceRules,
    DirectiveCreate,
    PlanCreate,
    PlanEdit,
    PlanKind,
    RectificationAnswer,
    RectificationCreate,
    RectificationReview,
    ScheduleSet,
    Venue,
)

router = APIRouter(prefix="/api/v1", tags=["plans"])

PUBLISHED = {"published", "held", "summarized", "archived"}
Status = Literal["draft", "submitted", "returned", "published", "held", "summarized", "archived"]


class Directive(BaseModel):
    directive_id: str
    org_id: str
    month: str
    theme: str
    required_actions: list[str]
    study_materials: list[str]
    plan_deadline_day: int
    summary_deadline_day: int
    published_at: str


class BirthdaysCelebrated(BaseModel):
    by: str | None
    at: str


class Plan(BaseModel):
    plan_id: str
    branch_id: str
    month: str
    kind: PlanKind = Field("theme_day", description="the theme day, or another meeting of 三会一课")
    theme: str
    starts_at: str
    ends_at: str
    venue: Venue
    required_actions: list[str]
    optional_actions: list[str]
    attendance_rules: AttendanceRules
    status: Status
    activity_id: str | None
    submitted_late: bool
    review_comment: str | None
    summary: str | None
    summary_late: bool
    birthdays_celebrated: BirthdaysCelebrated | None = Field(
        None, description="who marked the month's political birthdays celebrated, and when"
    )


class PlanPage(BaseModel):
    items: list[Plan]
    total: int
    page: int
    page_size: int


class BranchMonth(BaseModel):
    branch_id: str
    month: str
    directives: list[Directive]
    required_actions: list[str]
    party_day: int | None
    time_zone: str
    plan_due: str
    summary_due: str
    plan: Plan | None


class SavedVenue(BaseModel):
    name: str
    lat: float
    lon: float
    radius_m: int
    last_month: str = Field(description="the latest month whose plan named it")


class SavedVenuePage(BaseModel):
    branch_id: str
    items: list[SavedVenue]
    total: int
    page: int
    page_size: int


class ReturnBody(BaseModel):
    comment: VisibleText(2000)


class SummaryBody(BaseModel):
    text: VisibleText(20000)


class TaskListBody(BaseModel):
    items: list[VisibleText(500)] = Field(max_length=200)


class TaskList(BaseModel):
    branch_id: str
    year: int
    items: list[str]


class Schedule(BaseModel):
    org_id: str
    time_zone: str
    party_day: int | None = Field(description="the fixed party day of the month (1-28), or none")
    plan_deadline_day: int
    summary_deadline_day: int
    own: bool = Field(description="whether the organisation set it itself")
    from_org_id: str | None = Field(description="the organisation whose schedule it follows; none for the defaults")


class RectificationStep(BaseModel):
    act: Literal["answered", "closed", "reopened"]
    text: str | None = Field(description="the answer, or the superior's comment on closing or reopening")
    media_ids: list[str]
    actor_id: str | None = Field(description="who: the member (null for answers kept from before the history)")
    at: str


class Rectification(BaseModel):
    rectification_id: str
    branch_id: str
    branch_path: str
    issue: str
    due_on: date
    status: Literal["open", "answered", "closed"]
    issued_by: str | None
    issued_at: str
    answer: str | None = Field(description="the latest answer (also in `history`)")
    answer_media_ids: list[str]
    reopened_count: int
    history: list[RectificationStep] = Field(description="every answer, close and reopening, oldest first")


class RectificationPage(BaseModel):
    items: list[Rectification]
    total: int
    page: int
    page_size: int


@router.post("/directives", status_code=status.HTTP_201_CREATED, response_model=Directive)
async def publish_directive(
    body: DirectiveCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Publish a month's requirements at a city or county: every branch below reads them as its task at once."""
    await authz.require(caller, PUBLISH_DIRECTIVES, body.org_id, "publish_directives")
    return await rpc.call("plans", "publish_directive", body.model_dump(), idempotency_key=idempotency_key)


@router.get("/directives", response_model=list[Directive])
async def directives(caller: Caller, rpc: Rpc, authz: Authz, month: Month, org_id: str = Query(min_length=1)):
    """The month's directives that apply to a node: published by it or by any of its ancestors."""
    await authz.require(caller, READ, org_id, "read", members_of_branch=True)
    return await rpc.call("plans", "directives", org_id, month)


class Delivery(BaseModel):
    branch_id: str
    name: str
    plan_due: str
    plan_status: Status | None


class DeliveryPage(BaseModel):
    directive: Directive
    total: int
    page: int
    page_size: int
    items: list[Delivery]


@router.get("/directives/{directive_id}/branches", response_model=DeliveryPage)
async def directive_delivery(
    directive_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 100
):
    """Every branch the directive reached (a page at a time, in tree order), with its plan deadline and the
    status of its plan for the month: the dispatch status an admin checks after publishing."""
    found = await rpc.call("plans", "directive_delivery", directive_id, page=page, page_size=page_size)
    await authz.require(caller, READ, found["directive"]["org_id"], "read")
    return found


@router.get("/branches/{branch_id}/months/{month}", response_model=BranchMonth)
async def branch_month(branch_id: str, month: str, caller: Caller, rpc: Rpc, authz: Authz):
    """A branch's month: its task, schedule, deadlines and plan."""
    await authz.require(caller, READ | MANAGE_PLANS, branch_id, "read", members_of_branch=True)
    found = await rpc.call("plans", "branch_month", branch_id, month)
    if not caller.covering(set(READ | MANAGE_PLANS), (await authz.org_paths.get(branch_id))["path"]):
        found["plan"] = found["plan"] if found["plan"] and found["plan"]["status"] in PUBLISHED else None
    return found


@router.get("/branches/{branch_id}/venues", response_model=SavedVenuePage)
async def branch_venues(
    branch_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50
):
    """The branch's saved venues: each place its plans have named (name, position, radius), the most recently
    used first, for the plan form to pick from (422 `BRANCH_REQUIRED` for a node that is not a branch)."""
    await authz.require(caller, MANAGE_PLANS, branch_id, "manage_plans")
    return await rpc.call("plans", "branch_venues", branch_id, page=page, page_size=page_size)


@router.get("/me/plan", response_model=BranchMonth)
async def my_plan(caller: Caller, rpc: Rpc, month: Month):
    """My branch's month: the task, and the plan with its time and venue once it is approved."""
    if not caller.org_id:
        raise ApiError(404, "NO_BRANCH", "this account belongs to no branch")
    found = await rpc.call("plans", "branch_month", caller.org_id, month)
    if found["plan"] and found["plan"]["status"] not in PUBLISHED:
        found["plan"] = None
    return found


@router.post("/plans", status_code=status.HTTP_201_CREATED, response_model=Plan)
async def create_plan(body: PlanCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """Draft a branch's plan for a month (radius 50-1000 m, 300 m by default)."""
    await authz.require(caller, MANAGE_PLANS, body.branch_id, "manage_plans")
    return await rpc.call("plans", "create_plan", body.model_dump(mode="json"), idempotency_key=idempotency_key)


async def _plan(plan_id, caller, rpc, authz, capability, name, members_see_published=False) -> dict:
    plan = await rpc.call("plans", "get_plan", plan_id)
    if members_see_published and caller.org_id == plan["branch_id"] and plan["status"] in PUBLISHED:
        return plan
    await authz.require(caller, capability, plan["branch_id"], name)
    return plan


@router.get("/plans/{plan_id}", response_model=Plan)
async def get_plan(plan_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """One plan; a branch's members see it once approved."""
    return await _plan(plan_id, caller, rpc, authz, READ | MANAGE_PLANS, "read", members_see_published=True)


@router.patch("/plans/{plan_id}", response_model=Plan)
async def edit_plan(
    plan_id: str, body: PlanEdit, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Change a draft or returned plan."""
    await _plan(plan_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    return await rpc.call(
        "plans", "edit_plan", plan_id, body.model_dump(mode="json", exclude_unset=True), idempotency_key=idempotency_key
    )


@router.get("/plans", response_model=PlanPage)
async def list_plans(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    month: Month,
    org_id: str = Query(min_length=1),
    plan_status: Status | None = Query(None, alias="status"),
    kind: PlanKind | None = Query(None, description="plans of one kind only"),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """The month's plans of the subtree (of one status, of one kind), newest change first."""
    await authz.require(caller, READ, org_id, "read")
    return await rpc.call(
        "plans", "list_plans", org_id, month, status=plan_status, page=page, page_size=page_size, kind=kind
    )


@router.post("/plans/{plan_id}/submit", response_model=Plan)
async def submit_plan(plan_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """Send the plan for review; after the deadline it is accepted and flagged late. A meeting whose organisation
    requires no approval (`/orgs/{id}/meeting-settings`) is published at once and becomes an activity."""
    await _plan(plan_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    return await rpc.call("plans", "submit_plan", plan_id, idempotency_key=idempotency_key)


@router.post("/plans/{plan_id}/birthdays-celebrated", response_model=Plan)
async def mark_birthdays_celebrated(
    plan_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Mark the political birthdays of the plan's month celebrated at the party day (who, when), on an approved
    plan not yet archived (409 `PLAN_NOT_APPROVED`, `PLAN_ARCHIVED`); marking again keeps the first mark.
    Audited as `plan.birthdays_celebrated`."""
    await _plan(plan_id, caller, rpc, authz, MANAGE_PLANS, "manage_plans")
    return await rpc.call("plans", "mark_birthdays_celebrated", plan_id, idempotency_key=idempotency_key)


@router.post("/plans/{plan_id}/approve", response_model=Plan)
async def approve_plan(plan_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """A superior approves: the plan is published to the branch and becomes an activity (`activity_id`)."""
    plan = await rpc.call("plans", "get_plan", plan_id)
    await authz.require_superior(caller, plan["branch_id"], "review")
    return await rpc.call("plans", "approve_plan", plan_id, idempotency_key=idempotency_key)


@router.post("/plans/{plan_id}/return", response_model=Plan)
async def return_plan(
    plan_id: str, body: ReturnBody, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """A superior sends the plan back with a comment."""
    plan = await rpc.call("plans", "get_plan", plan_id)
    await authz.require_superior(caller, plan["branch_id"], "review")
    return await rpc.call("plans", "return_plan", plan_id, body.comment, idempotency_key=idempotency_key)


@router.post("/activities/{activity_id}/summary", response_model=Plan)
async def submit_summary(
    activity_id: str, body: SummaryBody, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """The branch's summary of its activity (photos go through media)."""
    plan = await rpc.call("plans", "find_activity", activity_id)
    await authz.require(caller, MANAGE_PLANS, plan["branch_id"], "manage_plans")
    return await rpc.call("plans", "submit_summary", activity_id, body.text, idempotency_key=idempotency_key)


@router.put("/orgs/{org_id}/schedule")
async def set_schedule(
    org_id: str, body: ScheduleSet, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
) -> dict:
    """An organisation's time zone, fixed party day and deadline days, for its whole subtree."""
    await authz.require(caller, MANAGE_TREE, org_id, "manage_tree")
    return await rpc.call("plans", "set_schedule", org_id, body.model_dump(), idempotency_key=idempotency_key)


@router.get("/orgs/{org_id}/schedule", response_model=Schedule)
async def get_schedule(org_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """An organisation's schedule as it stands: its own (`own`), or the one of the ancestor it follows
    (`from_org_id`; none for the defaults)."""
    await authz.require(caller, READ | MANAGE_PLANS, org_id, "read", members_of_branch=True)
    return await rpc.call("plans", "get_schedule", org_id)


@router.put("/branches/{branch_id}/task-lists/{year}", response_model=TaskList)
async def put_task_list(
    branch_id: str,
    year: int,
    body: TaskListBody,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """A branch's annual task list (年度任务清单), replaced whole."""
    await authz.require(caller, MANAGE_PLANS, branch_id, "manage_plans")
    return await rpc.call("plans", "put_task_list", branch_id, year, body.items, idempotency_key=idempotency_key)


@router.get("/branches/{branch_id}/task-lists/{year}", response_model=TaskList)
async def get_task_list(branch_id: str, year: int, caller: Caller, rpc: Rpc, authz: Authz):
    """A branch's annual task list; its members may read it."""
    await authz.require(caller, READ | MANAGE_PLANS, branch_id, "read", members_of_branch=True)
    return await rpc.call("plans", "get_task_list", branch_id, year)


@router.post("/rectifications", status_code=status.HTTP_201_CREATED, response_model=Rectification)
async def issue_rectification(
    body: RectificationCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """A superior tells a branch to fix something by a date."""
    await authz.require_superior(caller, body.branch_id, "review")
    return await rpc.call("plans", "issue_rectification", body.model_dump(mode="json"), idempotency_key=idempotency_key)


@router.get("/rectifications", response_model=RectificationPage)
async def rectifications(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: str = Query(min_length=1),
    overdue: bool = False,
    status: Literal["open", "answered", "closed"] | None = None,
    page: Page = 1,
    page_size: PageSize = 50,
):
    """Notices of the subtree, newest first; `overdue=true` for those past their due date and not closed;
    `status` for those open (waiting for the branch), answered (waiting for a superior) or closed."""
    await authz.require(caller, READ | MANAGE_PLANS, org_id, "read")
    return await rpc.call(
        "plans", "rectifications", org_id, overdue_only=overdue, page=page, page_size=page_size, status=status
    )


async def _notice(rectification_id, caller, rpc, authz, capability, name) -> dict:
    notice = await rpc.call("plans", "get_rectification", rectification_id)
    await authz.require(caller, capability, notice["branch_id"], name)
    return notice


async def _as_superior(rectification_id, caller, rpc, authz) -> None:
    notice = await rpc.call("plans", "get_rectification", rectification_id)
    await authz.require_superior(caller, notice["branch_id"], "review")


@router.get("/rectifications/{rectification_id}", response_model=Rectification)
async def get_rectification(rectification_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """One notice with its whole history: every answer (text, media, author, time), close and reopening."""
    return await _notice(rectification_id, caller, rpc, authz, READ | MANAGE_PLANS, "read")


@router.post("/rectifications/{rectification_id}/answer", response_model=Rectification)
async def answer_rectification(
    rectification_id: str,
    body: RectificationAnswer,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """The branch answers, through its admin (403 `answer_rectifications` for anyone else, 403
    ISSUER_CANNOT_ANSWER for the one who issued the notice), with what it did and the ids of the branch's own
    uploads that show it; each answer is added to the notice's history."""
    notice = await _notice(rectification_id, caller, rpc, authz, ANSWER_RECTIFICATIONS, "answer_rectifications")
    await require_own_uploads(rpc, notice["branch_id"], body.media_ids)
    return await rpc.call(
        "plans", "answer_rectification", rectification_id, body.model_dump(), idempotency_key=idempotency_key
    )


@router.post("/rectifications/{rectification_id}/close", response_model=Rectification)
async def close_rectification(
    rectification_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    body: RectificationReview | None = None,
    idempotency_key: IdempotencyKey = None,
):
    """A superior of the branch accepts the latest answer, with an optional `comment` (403 OWN_ANSWER for the one
    who wrote it)."""
    await _as_superior(rectification_id, caller, rpc, authz)
    return await rpc.call(
        "plans",
        "close_rectification",
        rectification_id,
        (body or RectificationReview()).model_dump(),
        idempotency_key=idempotency_key,
    )


@router.post("/rectifications/{rectification_id}/reopen", response_model=Rectification)
async def reopen_rectification(
    rectification_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    body: RectificationReview | None = None,
    idempotency_key: IdempotencyKey = None,
):
    """A superior is not satisfied, and may say why in `comment`: the branch must answer again. The reopening is
    added to the history."""
    await _as_superior(rectification_id, caller, rpc, authz)
    return await rpc.call(
        "plans",
        "reopen_rectification",
        rectification_id,
        (body or RectificationReview()).model_dump(),
        idempotency_key=idempotency_key,
    )
