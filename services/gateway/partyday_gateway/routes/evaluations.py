"""最佳/优秀主题党日 and 金点子: judges' marks, the working group's and the committee's reviews, the winners."""

from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from partyday_gateway.auth import Caller
from partyday_gateway.branch_media import require_own_uploads
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc
from partyday_gateway.errors import ApiError
from partyday_gateway.permissions import COMMITTEE, JUDGE, PROPOSE_IDEAS, READ_EVALUATIONS, WORKING_GROUP
from partyday_scoring_contracts.rpc import (
    Eligibility,
    EvaluationCreate,
    FirstReview,
    IdeaCreate,
    JudgementCreate,
    OwnMarks,
    SecondReview,
)

router = APIRouter(prefix="/api/v1/evaluations", tags=["evaluations"])

Stage = Literal["judging", "second_review", "decided", "published"]


class Evaluation(BaseModel):
    evaluation_id: str
    org_id: str
    kind: Literal["monthly", "golden_ideas"]
    period: str
    stage: Stage
    best_slots: int
    excellent_slots: int
    eligibility: Eligibility
    shortlist: list[str] = Field(description="candidate ids: activities' ids or proposed ideas' ids")
    best: list[str]
    excellent: list[str]
    published_at: str | None


class Judged(BaseModel):
    judges: int
    criteria: dict[str, float | None]
    total: float | None


class Idea(BaseModel):
    idea_id: str
    evaluation_id: str
    branch_id: str
    title: str
    text: str
    media_ids: list[str]
    proposed_by: str | None
    proposed_at: str


class FailedCondition(BaseModel):
    condition: Literal["sign_in_rate", "summary"]
    required: float | bool
    actual: float | bool | None


class Candidate(BaseModel):
    candidate_id: str = Field(description="what judgements (`activity_id`), the shortlist and the winners name")
    kind: Literal["activity", "idea"]
    activity_id: str | None
    branch_id: str
    name: str
    theme: str | None = Field(description="the activity's theme, or the idea's title")
    score: float | None
    votes: int
    sign_in_rate: float | None
    summarized: bool | None
    ineligible_because: list[FailedCondition] = Field(
        description="the conditions of the eligibility rule the activity fails: empty if it may be shortlisted"
    )
    idea: Idea | None
    judged: Judged
    mine: OwnMarks | None = Field(description="the caller's own marks, if they judged it; never another judge's")
    shortlisted: bool
    award: Literal["best", "excellent"] | None


class EvaluationView(Evaluation):
    candidates: list[Candidate]
    total: int
    page: int
    page_size: int
    marked_by_me: int = Field(description="how many of the candidates the caller has marked")


class Judgement(BaseModel):
    evaluation_id: str
    activity_id: str
    theme: int
    content: int
    form: int
    organisation: int
    effect: int
    total: int


class Winner(BaseModel):
    award: Literal["best", "excellent"]
    candidate_id: str
    kind: Literal["activity", "idea"]
    activity_id: str | None
    idea: Idea | None
    branch_id: str
    name: str
    theme: str | None
    score: float | None
    votes: int


class Winners(Evaluation):
    winners: list[Winner]


async def _evaluation(evaluation_id, caller, rpc, authz, capability, name, page=1, page_size=1) -> dict:
    """The evaluation with one page of its candidates (one, when only its organisation is needed), if the caller
    holds `capability` over its organisation."""
    found = await rpc.call("scoring", "evaluation", evaluation_id, page=page, page_size=page_size)
    await authz.require(caller, capability, found["org_id"], name)
    return found


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Evaluation)
async def create_evaluation(
    body: EvaluationCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Open a month's best / excellent selection (`monthly`, period 2026-12) or a quarter's golden ideas
    (`golden_ideas`, period 2026-Q4) over an organisation's subtree, with its eligibility rule (by default a
    sign-in rate of at least 80 % and a summary on file; an activity below it cannot be shortlisted or win)."""
    await authz.require(caller, JUDGE, body.org_id, "judge")
    return await rpc.call("scoring", "create_evaluation", body.model_dump(), idempotency_key=idempotency_key)


class EvaluationPage(BaseModel):
    items: list[Evaluation]
    total: int
    page: int
    page_size: int


@router.get("", response_model=EvaluationPage)
async def evaluations(
    caller: Caller, rpc: Rpc, authz: Authz, org_id: str = Query(min_length=1), page: Page = 1, page_size: PageSize = 50
):
    """The evaluations a node takes part in (its own and its ancestors': those its branches propose ideas to) and
    those of its subtree, newest first; for the node's readers and its working group and committee."""
    await authz.require(caller, READ_EVALUATIONS, org_id, "read_evaluations")
    return await rpc.call("scoring", "evaluations", org_id, page=page, page_size=page_size)


@router.get("/{evaluation_id}", response_model=EvaluationView)
async def evaluation(
    evaluation_id: str, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 100
):
    """The candidates, best first, with the judges' means per criterion and the campaign's votes beside them;
    one page of them (100 by default, at most 500), `total` in all, and the caller's own marks on each (`mine`),
    so that a judge who comes back sees and may correct what they gave. For the readers of the organisation and
    for its working group and committee."""
    found = await rpc.call(
        "scoring", "evaluation", evaluation_id, page=page, page_size=page_size, judge_id=_judge_id(caller)
    )
    await authz.require(caller, READ_EVALUATIONS, found["org_id"], "read")
    return found


def _judge_id(caller) -> str:
    """Who a judgement is stored under: the caller's member record, else their account."""
    return caller.member_id or caller.subject


@router.post("/{evaluation_id}/judgements", response_model=Judgement)
async def judge(
    evaluation_id: str,
    body: JudgementCreate,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """A judge marks a candidate 0–20 on theme, content, form, organisation and effect (revisable while judging);
    nobody judges their own branch."""
    await _evaluation(evaluation_id, caller, rpc, authz, JUDGE, "judge")
    candidate = await rpc.call("scoring", "evaluation_candidate", evaluation_id, body.activity_id)
    if candidate["branch_id"] == caller.org_id:
        raise ApiError(
            403, "OWN_BRANCH", "nobody judges their own branch's party day", {"org_id": candidate["branch_id"]}
        )
    return await rpc.call(
        "scoring",
        "judge",
        evaluation_id,
        _judge_id(caller),
        body.model_dump(),
        idempotency_key=idempotency_key,
    )


@router.post("/{evaluation_id}/ideas", status_code=status.HTTP_201_CREATED, response_model=Idea)
async def propose_idea(
    evaluation_id: str,
    body: IdeaCreate,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """A branch proposes a golden idea (金点子) to a quarter's evaluation while judging is open: a title, what it is
    and photos (the branch's own uploads, else 422 MEDIA_NOT_OF_BRANCH). Only the branch's own admin proposes
    (`propose_ideas`); the idea becomes a candidate the judges mark like an activity (422 NOT_GOLDEN_IDEAS for a
    monthly evaluation, NOT_IN_EVALUATION for a branch outside its organisation)."""
    await authz.require(caller, PROPOSE_IDEAS, body.branch_id, "propose_ideas")
    await require_own_uploads(rpc, body.branch_id, body.media_ids)
    return await rpc.call(
        "scoring",
        "propose_idea",
        evaluation_id,
        _judge_id(caller),
        body.model_dump(),
        idempotency_key=idempotency_key,
    )


BODIES = {
    "working_group": (
        WORKING_GROUP,
        "WORKING_GROUP_ONLY",
        "only the working group of the evaluation's organisation or above makes the first review",
    ),
    "committee": (
        COMMITTEE,
        "COMMITTEE_ONLY",
        "only the committee of the evaluation's organisation or above chooses and publishes the winners",
    ),
}


async def _as_body(evaluation_id, caller, rpc, authz, body: str) -> None:
    """Refused (403 with the body's reason code) unless the caller sits on `body` over the evaluation's organisation."""
    roles, code, message = BODIES[body]
    found = await rpc.call("scoring", "evaluation", evaluation_id, page=1, page_size=1)
    await authz.require_body(caller, roles, found["org_id"], code, message)


@router.post("/{evaluation_id}/first-review", response_model=Evaluation)
async def first_review(
    evaluation_id: str,
    body: FirstReview,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """The working group's shortlist; judging closes (403 WORKING_GROUP_ONLY for anyone but a `working_group` of
    the evaluation's organisation or above, 403 REVIEWER_JUDGED for one who judged its candidates; 422 NOT_ELIGIBLE,
    naming each activity and the conditions it fails, for an activity below the evaluation's eligibility rule)."""
    await _as_body(evaluation_id, caller, rpc, authz, "working_group")
    return await rpc.call(
        "scoring",
        "first_review",
        evaluation_id,
        body.model_dump(),
        idempotency_key=idempotency_key,
        reviewer_id=caller.member_id or caller.subject,
    )


@router.post("/{evaluation_id}/second-review", response_model=Evaluation)
async def second_review(
    evaluation_id: str,
    body: SecondReview,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    idempotency_key: IdempotencyKey = None,
):
    """The committee's winners from the shortlist (at most 20 golden ideas a quarter; 403 COMMITTEE_ONLY for anyone
    but a `committee` of the evaluation's organisation or above; judging, the first review and the second review
    are three different people: 403 REVIEWER_JUDGED, REVIEWER_REVIEWED_FIRST; 422 NOT_ELIGIBLE for an activity
    below the evaluation's eligibility rule)."""
    await _as_body(evaluation_id, caller, rpc, authz, "committee")
    return await rpc.call(
        "scoring",
        "second_review",
        evaluation_id,
        body.model_dump(),
        idempotency_key=idempotency_key,
        reviewer_id=caller.member_id or caller.subject,
    )


@router.post("/{evaluation_id}/publish", response_model=Evaluation)
async def publish(evaluation_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """Publish the winners (the committee's; 403 COMMITTEE_ONLY otherwise)."""
    await _as_body(evaluation_id, caller, rpc, authz, "committee")
    return await rpc.call("scoring", "publish_evaluation", evaluation_id, idempotency_key=idempotency_key)


@router.get("/{evaluation_id}/winners", response_model=Winners)
async def winners(evaluation_id: str, caller: Caller, rpc: Rpc):
    """The published winners, for everyone (404 NOT_PUBLISHED before)."""
    return await rpc.call("scoring", "evaluation_winners", evaluation_id)
