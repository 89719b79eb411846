"""Study quizzes (学习测试): an organisation's question bank (one question at a time, or imported from an XLSX
streamed to storage), quizzes on directives and micro lessons, members' attempts on the phone, results and
participation. The quizzes service decides every rule; the gateway checks who may act where."""

import io

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from openpyxl import Workbook

from partyday_common.printing import cell
from partyday_common.text import Identifier
from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, IdempotencyKey, Page, PageSize, Rpc, Settings
from partyday_gateway.errors import ApiError
from partyday_gateway.openapi import XLSX, files
from partyday_gateway.permissions import MANAGE_QUIZZES, READ
from partyday_gateway.stored_files import handed_over
from partyday_gateway.uploads import form_schema, receive
from partyday_quizzes_contracts.rpc import (
    TEMPLATE_EXAMPLES,
    TEMPLATE_HEADERS,
    AnswersSubmit,
    Kind,
    QuestionBody,
    QuizCreate,
)

router = APIRouter(prefix="/api/v1", tags=["quizzes"])


def _taker(caller) -> dict:
    """The member taking a quiz, in their branch as their session has it."""
    if caller.member_id is None or caller.org_id is None or caller.org_path is None:
        raise ApiError(403, "NO_BRANCH", "only a member of a branch takes a quiz")
    return {"member_id": caller.member_id, "branch_id": caller.org_id, "branch_path": caller.org_path}


@router.get("/quiz-bank/template.xlsx", response_class=Response, responses=files(XLSX))
async def bank_template(caller: Caller):
    """The question bank's template (XLSX, Chinese headers and an example of each kind) to fill in for an import."""
    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    sheet.append(list(TEMPLATE_HEADERS))
    for row in TEMPLATE_EXAMPLES:
        sheet.append([cell(value) for value in row])
    data = io.BytesIO()
    book.save(data)
    return Response(
        data.getvalue(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="quiz-bank-template.xlsx"'},
    )


@router.get("/orgs/{org_id}/questions")
async def list_questions(
    org_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    kind: Kind | None = None,
    page: Page = 1,
    page_size: PageSize = 50,
):
    """An organisation's question bank with the answers, oldest first, for whoever manages its quizzes."""
    await authz.require(caller, MANAGE_QUIZZES, org_id, "manage_quizzes")
    return await rpc.call("quizzes", "questions", org_id, page=page, page_size=page_size, kind=kind)


@router.post("/orgs/{org_id}/questions", status_code=status.HTTP_201_CREATED)
async def add_question(
    org_id: str, body: QuestionBody, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Add one question (single choice, multiple choice or true/false) to an organisation's bank."""
    await authz.require(caller, MANAGE_QUIZZES, org_id, "manage_quizzes")
    payload = {**body.model_dump(mode="json"), "org_id": org_id}
    return await rpc.call("quizzes", "add_question", payload, idempotency_key=idempotency_key)


@router.post(
    "/orgs/{org_id}/questions/import",
    openapi_extra=form_schema("the question bank as an XLSX in the template's columns"),
)
async def import_questions(
    org_id: str,
    request: Request,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    settings: Settings,
    idempotency_key: IdempotencyKey = None,
):
    """Import questions into an organisation's bank from an XLSX (multipart `file`, the template's columns): the
    file is streamed to storage and read by the quizzes service; every valid row becomes a question and every
    wrong one is reported with its row number and reasons, the others kept. Over PARTYDAY_MAX_ROSTER_BYTES it is
    413 FILE_TOO_LARGE."""
    await authz.require(caller, MANAGE_QUIZZES, org_id, "manage_quizzes")
    received = await receive(request, set(), settings.max_roster_bytes)
    upload = received.upload
    payload = {"org_id": org_id, "storage_key": upload["key"], "filename": upload["filename"]}
    return await handed_over(rpc, upload["key"], "quizzes", "import_bank", payload, idempotency_key=idempotency_key)


async def _question_in_reach(question_id: str, caller, rpc, authz) -> dict:
    found = await rpc.call("quizzes", "get_question", question_id)
    await authz.require(caller, MANAGE_QUIZZES, found["org_id"], "manage_quizzes")
    return found


@router.get("/questions/{question_id}")
async def get_question(question_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """One question of a bank with its answer, for whoever manages the bank."""
    return await _question_in_reach(question_id, caller, rpc, authz)


@router.put("/questions/{question_id}")
async def edit_question(
    question_id: str, body: QuestionBody, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Change a question; attempts already drawn keep it as it was."""
    await _question_in_reach(question_id, caller, rpc, authz)
    return await rpc.call(
        "quizzes", "edit_question", question_id, body.model_dump(mode="json"), idempotency_key=idempotency_key
    )


@router.delete("/questions/{question_id}")
async def remove_question(
    question_id: str, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None
):
    """Take a question out of its bank: it is drawn no more."""
    await _question_in_reach(question_id, caller, rpc, authz)
    return await rpc.call("quizzes", "remove_question", question_id, idempotency_key=idempotency_key)


@router.post("/quizzes", status_code=status.HTTP_201_CREATED)
async def create_quiz(body: QuizCreate, caller: Caller, rpc: Rpc, authz: Authz, idempotency_key: IdempotencyKey = None):
    """A quiz on a directive, or on one of its micro lessons (`lesson_id`, a study material of that directive:
    422 LESSON_NOT_OF_DIRECTIVE otherwise, 404 STUDY_MATERIAL_NOT_FOUND when there is none), for the members
    under `org_id` (which the directive must reach), drawn from that organisation's bank: the chosen
    `question_ids`, or `draw_count` at random per attempt; a window, attempts (1 by default) and a time limit in
    minutes. The quizzes service checks the lesson (asking media) and keeps its title."""
    await authz.require(caller, MANAGE_QUIZZES, body.org_id, "manage_quizzes")
    return await rpc.call(
        "quizzes",
        "create_quiz",
        body.model_dump(mode="json"),
        created_by=caller.member_id,
        idempotency_key=idempotency_key,
    )


@router.get("/quizzes")
async def list_quizzes(
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: Identifier = Query(description="the organisation: its quizzes and those set above that reach it"),
    directive_id: Identifier | None = None,
    page: Page = 1,
    page_size: PageSize = 50,
):
    """The quizzes an organisation set or that reach it, newest first, for whoever reads or manages it."""
    node = await authz.require(caller, READ | MANAGE_QUIZZES, org_id, "read")
    return await rpc.call("quizzes", "quizzes", node["path"], page=page, page_size=page_size, directive_id=directive_id)


async def _quiz_readable(quiz_id: str, org_id: str | None, caller, rpc, authz) -> tuple[dict, dict]:
    """The quiz and the node whose results are read: `org_id` (the quiz's organisation by default), which the
    caller must read."""
    quiz = await rpc.call("quizzes", "get_quiz", quiz_id)
    node = await authz.require(caller, READ | MANAGE_QUIZZES, org_id or quiz["org_id"], "read")
    return quiz, node


@router.get("/quizzes/{quiz_id}")
async def get_quiz(quiz_id: str, caller: Caller, rpc: Rpc, authz: Authz):
    """A quiz: for the members it reaches and whoever reads where it was set."""
    quiz = await rpc.call("quizzes", "get_quiz", quiz_id)
    if caller.org_path and caller.org_path.startswith(quiz["org_path"]):
        return quiz
    if any(path.startswith(quiz["org_path"]) for path in caller.paths(set(READ | MANAGE_QUIZZES))):
        return quiz
    await authz.require(caller, READ | MANAGE_QUIZZES, quiz["org_id"], "read")
    return quiz


@router.get("/quizzes/{quiz_id}/results")
async def quiz_results(
    quiz_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: Identifier | None = Query(None, description="the subtree whose members are listed (the quiz's by default)"),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """Each member under `org_id` who took the quiz with their best score (the attempt that counts), best first:
    a secretary reads their branch, an admin their subtree."""
    _, node = await _quiz_readable(quiz_id, org_id, caller, rpc, authz)
    return await rpc.call("quizzes", "results", quiz_id, node["path"], page=page, page_size=page_size)


@router.get("/quizzes/{quiz_id}/participation")
async def quiz_participation(
    quiz_id: str,
    caller: Caller,
    rpc: Rpc,
    authz: Authz,
    org_id: Identifier | None = Query(
        None, description="the subtree whose branches are listed (the quiz's by default)"
    ),
    page: Page = 1,
    page_size: PageSize = 50,
):
    """Per branch the quiz reaches under `org_id`: members who took it against those expected, with the totals."""
    _, node = await _quiz_readable(quiz_id, org_id, caller, rpc, authz)
    return await rpc.call("quizzes", "participation", quiz_id, node["path"], page=page, page_size=page_size)


@router.get("/me/quizzes")
async def my_quizzes(caller: Caller, rpc: Rpc, page: Page = 1, page_size: PageSize = 20):
    """The quizzes that reach the caller's branch, with the attempts left, a running attempt and the best score."""
    return await rpc.call("quizzes", "my_quizzes", _taker(caller), page=page, page_size=page_size)


@router.post("/quizzes/{quiz_id}/attempts", status_code=status.HTTP_201_CREATED)
async def start_attempt(quiz_id: str, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None):
    """Start an attempt (or resume the running one): its questions without their answers and its deadline, kept
    on the server. Outside the window, 422 QUIZ_NOT_OPEN or QUIZ_CLOSED; beyond the attempts, 422
    ATTEMPTS_EXHAUSTED; for another branch, 403 QUIZ_NOT_FOR_YOU."""
    return await rpc.call("quizzes", "start_attempt", quiz_id, _taker(caller), idempotency_key=idempotency_key)


@router.get("/quiz-attempts/{attempt_id}")
async def get_attempt(attempt_id: str, caller: Caller, rpc: Rpc):
    """One of the caller's attempts: its questions and the seconds left, or its score."""
    return await rpc.call("quizzes", "get_attempt", attempt_id, _taker(caller)["member_id"])


@router.post("/quiz-attempts/{attempt_id}/answers")
async def submit_answers(
    attempt_id: str, body: AnswersSubmit, caller: Caller, rpc: Rpc, idempotency_key: IdempotencyKey = None
):
    """Submit the attempt's answers and get its score; after the time limit plus the grace, 422
    TIME_LIMIT_EXCEEDED, and a second submission 409 ATTEMPT_SUBMITTED."""
    member_id = _taker(caller)["member_id"]
    return await rpc.call(
        "quizzes",
        "submit_attempt",
        attempt_id,
        member_id,
        body.model_dump(mode="json"),
        idempotency_key=idempotency_key,
    )
