"""The quizzes service's entrypoints: consumers follow members and directives; RPCs keep each organisation's
question bank (one question at a time or from an XLSX), create quizzes, start and submit members' attempts and
answer results and participation."""

from nameko.extensions import DependencyProvider

from partyday_common.clock import instant
from partyday_common.consumer import event_consumer
from partyday_common.db import Database
from partyday_common.errors import validated
from partyday_common.idempotency import once
from partyday_common.member_following import member_following
from partyday_common.orgtree import OrgTreeProjection
from partyday_common.rpc import TimedRpcProxy
from partyday_common.service import PartydayService, rpc
from partyday_common.storage import make_storage
from partyday_quizzes import attempts, bank, following, participation, quizzes
from partyday_quizzes.expectations import DirectiveExpected, MemberExpected, MembersImportedExpected
from partyday_quizzes.models import metadata, org_nodes
from partyday_quizzes.settings import get_settings
from partyday_quizzes_contracts.events import SUBSCRIBED
from partyday_quizzes_contracts.rpc import AnswersSubmit, BankImport, QuestionBody, QuestionCreate, QuizCreate, Taker


class Storage(DependencyProvider):
    """The object store the gateway streams bank files into, made once per service container."""

    def setup(self):
        self.storage = make_storage(get_settings())

    def get_dependency(self, worker_ctx):
        return self.storage


MemberFollowing = member_following(MemberExpected, MembersImportedExpected)


class QuizzesService(OrgTreeProjection, MemberFollowing, PartydayService):
    name = "quizzes"
    db = Database(metadata, subscribed=SUBSCRIBED)
    storage = Storage()
    media = TimedRpcProxy("media")
    org_nodes = org_nodes
    following = following

    @event_consumer("plans", "directive_published", expects=DirectiveExpected)
    def on_directive_published(self, event, payload: DirectiveExpected):
        """Quizzes are set on directives: keep the subtree and month each reaches."""
        with self.db.transaction() as session:
            following.follow_directive(session, payload)

    @rpc
    def add_question(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Add one question to an organisation's bank."""
        body = validated(QuestionCreate, payload)
        with self.db.transaction() as session:
            return once(session, "add_question", idempotency_key, payload, lambda: bank.add(session, body.org_id, body))

    @rpc
    def edit_question(self, question_id: str, payload: dict, idempotency_key: str | None = None) -> dict:
        """Change a question's kind, text, options, answer or explanation (attempts keep it as it was)."""
        body = validated(QuestionBody, payload)
        request = {"question_id": question_id, "payload": payload}
        with self.db.transaction() as session:
            return once(
                session, "edit_question", idempotency_key, request, lambda: bank.edit(session, question_id, body)
            )

    @rpc
    def remove_question(self, question_id: str, idempotency_key: str | None = None) -> dict:
        """Take a question out of its bank: it is drawn no more."""
        request = {"question_id": question_id}
        with self.db.transaction() as session:
            return once(session, "remove_question", idempotency_key, request, lambda: bank.remove(session, question_id))

    @rpc
    def get_question(self, question_id: str) -> dict:
        """One active question with its answer (for whoever manages its bank)."""
        with self.db.transaction() as session:
            return bank.view(bank.get(session, question_id))

    @rpc
    def questions(self, org_id: str, page: int = 1, page_size: int = 50, kind: str | None = None) -> dict:
        """An organisation's bank, oldest first, a page at a time."""
        with self.db.transaction() as session:
            return bank.page(session, org_id, page, page_size, kind)

    @rpc
    def import_bank(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Read an XLSX the gateway put in the object store into the bank: every valid row kept, every wrong one
        reported with its row number and reasons; the file is deleted."""
        body = validated(BankImport, payload)
        rows = get_settings().quizzes_max_import_rows
        with self.db.transaction() as session:
            return bank.import_once(session, body, self.storage, rows, idempotency_key)

    @rpc
    def create_quiz(
        self, payload: dict, created_by: str | None = None, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """A quiz on a directive (or one of its micro lessons, a study material of the directive that media keeps)
        for an organisation it reaches, from its bank."""
        body = validated(QuizCreate, payload)
        lesson_title = quizzes.lesson_title(self.media, body)
        request = {"payload": payload, "created_by": created_by}
        with self.db.transaction() as session:
            return once(
                session,
                "create_quiz",
                idempotency_key,
                request,
                lambda: quizzes.create(session, body, lesson_title, created_by, instant(now)),
            )

    @rpc
    def get_quiz(self, quiz_id: str, now: str | None = None) -> dict:
        """A quiz with its directive's theme and its state (upcoming, open, closed)."""
        with self.db.transaction() as session:
            return quizzes.details(session, quiz_id, instant(now))

    @rpc
    def quizzes(
        self, org_path: str, page: int = 1, page_size: int = 50, directive_id: str | None = None, now: str | None = None
    ) -> dict:
        """The quizzes set within a subtree or reaching it from above, newest first."""
        with self.db.transaction() as session:
            return quizzes.page(session, org_path, page, page_size, instant(now), directive_id)

    @rpc
    def my_quizzes(self, taker: dict, page: int = 1, page_size: int = 20, now: str | None = None) -> dict:
        """The quizzes that reach a member's branch, with their attempts left and best score."""
        who = validated(Taker, taker)
        with self.db.transaction() as session:
            return attempts.mine(session, who, page, page_size, instant(now), get_settings().quizzes_grace_s)

    @rpc
    def start_attempt(
        self, quiz_id: str, taker: dict, now: str | None = None, idempotency_key: str | None = None
    ) -> dict:
        """Start an attempt (or resume the running one): its questions and its deadline on the server."""
        who = validated(Taker, taker)
        grace = get_settings().quizzes_grace_s
        return attempts.start_once(self.db.transaction, quiz_id, who, instant(now), grace, idempotency_key)

    @rpc
    def get_attempt(self, attempt_id: str, member_id: str, now: str | None = None) -> dict:
        """One of the member's attempts: its questions and time left, or its score."""
        with self.db.transaction() as session:
            found = attempts.get_own(session, attempt_id, member_id)
            return attempts.view(found, instant(now), get_settings().quizzes_grace_s)

    @rpc
    def submit_attempt(
        self,
        attempt_id: str,
        member_id: str,
        payload: dict,
        now: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict:
        """Score the member's answers, refused after the deadline plus the grace (TIME_LIMIT_EXCEEDED)."""
        body = validated(AnswersSubmit, payload)
        grace = get_settings().quizzes_grace_s
        request = {"attempt_id": attempt_id, "member_id": member_id, "payload": payload}
        with self.db.transaction() as session:
            return once(
                session,
                "submit_attempt",
                idempotency_key,
                request,
                lambda: attempts.submit(session, attempt_id, member_id, body.answers, instant(now), grace),
            )

    @rpc
    def results(self, quiz_id: str, org_path: str, page: int = 1, page_size: int = 50) -> dict:
        """Each member under a subtree who took the quiz, with their best score, best first."""
        with self.db.transaction() as session:
            return participation.results(session, quiz_id, org_path, page, page_size)

    @rpc
    def participation(self, quiz_id: str, org_path: str, page: int = 1, page_size: int = 50) -> dict:
        """Each branch the quiz reaches under a subtree: members who took it against those expected."""
        with self.db.transaction() as session:
            return participation.by_branch(session, quiz_id, org_path, page, page_size)
