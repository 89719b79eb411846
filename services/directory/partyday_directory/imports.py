"""Roster imports as jobs: started for a member within the branches their roles let them manage (or citywide
by an operator at a shell), run in batches by whichever directory process holds the import's lease, resumed
after a crash where the last committed batch ended, and read back as progress and a row-level report.

Each batch commits its members, their `member_joined` events, the outcome of each of its rows, the audit
entries and the import's progress in one transaction, so a batch is settled wholly or not at all: an
interrupted import loses nothing and imports no row twice. Importing the same file again changes nothing
(its rows come out `unchanged`).
"""
import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from itertools import islice

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.clock import aware
from partyday_common.db import emit_many, utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.idempotency import once
from partyday_common.pagination import page_bounds
from partyday_directory import audit, grants, roster
from partyday_directory.models import Member, Org, RosterImport, RosterImportRow
from partyday_directory.passwords import hash_password
from partyday_directory_contracts.events import MemberJoined
from partyday_directory_contracts.imports import ImportStart, ImportView

# Who may import members into a branch, and who may read an import of branches their roles cover.
IMPORTERS = frozenset({"branch_admin", "org_admin", "city_admin"})
READERS = IMPORTERS | {"auditor"}
BATCH_ROWS = 1000
LEASE = timedelta(seconds=60)
BATCH_ATTEMPTS = 3
ACTIVE = ("queued", "running")
STATUSES = ("accepted", "unchanged", "rejected")

REASON_MESSAGES = {
    "NAME_MISSING": "the name is empty",
    "NAME_TOO_LONG": f"a name has at most {roster.NAME_MAX_LENGTH} characters",
    "PHONE_INVALID": "the phone is not a mainland mobile number (11 digits starting with 13 to 19)",
    "DUPLICATE_PHONE": "an earlier row of the file has this phone number",
    "BRANCH_CODE_MISSING": "the branch code is empty",
    "FLAG_INVALID": "a yes-or-no column holds something else (是/否, yes/no, 1/0; 预备/正式 for the kind of member)",
    "DATE_INVALID": "the date of joining is unreadable, before 1921-07-01 or in the future",
    "PASSWORD_TOO_SHORT": f"a password has at least {roster.PASSWORD_MIN_LENGTH} characters",
    "PASSWORD_TOO_LONG": f"a password has at most {roster.PASSWORD_MAX_LENGTH} characters",
    "UNKNOWN_BRANCH": "no organisation has this branch code",
    "NOT_A_BRANCH": "the code names an organisation above the branches; members belong to a branch",
    "OUT_OF_SCOPE": "the branch is outside the organisations the importer manages",
    "PHONE_TAKEN": "this phone number belongs to another member, or to the same one in another branch",
}

Transaction = Callable[..., AbstractContextManager[Session]]


class LeaseLost(Exception):
    """Another process took the import over (this one held it past its lease): this one stops at once."""


def scope_of(session: Session, member_id: str, roles: frozenset) -> list[str]:
    """The paths of the nodes where the member holds one of `roles`; each covers its subtree."""
    return sorted({grant["org_path"] for grant in grants.of_member(session, member_id) if grant["role"] in roles})


def start_once(session: Session, request: ImportStart, idempotency_key: str | None, storage) -> dict:
    """Queue an import of the file at `request.storage_key` (see `start`); with an Idempotency-Key sent before
    for the same request and the same file's content, the first answer. The file is deleted when the import
    is refused or repeated: the object store then holds only the files of queued and running imports."""
    key = request.storage_key
    started = False

    def work() -> dict:
        nonlocal started
        started = True
        password_hash = hash_password(request.initial_password) if request.initial_password else None
        return start(session, request, password_hash, utcnow())

    try:
        if not storage.exists(key):
            raise DomainError("IMPORT_FILE_MISSING", "the roster file is not in storage", 422, {"key": key})
        same_request = _same_request(request, storage) if idempotency_key else {}
        answer = once(session, "start_import", idempotency_key, same_request, work)
    except BaseException:
        storage.delete(key)
        raise
    if not started:
        storage.delete(key)
    return answer


def _same_request(request: ImportStart, storage) -> dict:
    """What makes two start_import calls the same request: the arguments but the file's storage key, which
    each upload gets anew, and the password, whose presence only is kept; and the file's content."""
    digest = hashlib.sha256()
    for chunk in storage.iter_chunks(request.storage_key):
        digest.update(chunk)
    return {**request.model_dump(exclude={"storage_key", "initial_password"}),
            "initial_password": request.initial_password is not None, "sha256": digest.hexdigest()}


def start(session: Session, request: ImportStart, password_hash: str | None, now: datetime) -> dict:
    """Queue an import of the file at `request.storage_key`; a member needs a role that manages members
    somewhere (403 FORBIDDEN otherwise), and the import may then reach only the branches under those roles."""
    scope = None
    if not request.citywide:
        scope = scope_of(session, request.requested_by, IMPORTERS)
        if not scope:
            raise DomainError("FORBIDDEN", "your roles do not let you manage members anywhere", 403,
                              {"needs": "manage_members"})
    job = RosterImport(id=uuid.uuid4().hex, state="queued", storage_key=request.storage_key,
                       filename=request.filename, requested_by=request.requested_by, scope_paths=scope,
                       password_hash=password_hash, client_ip=session.info.get("client_ip"),
                       correlation_id=session.info.get("correlation_id"), rows_read=0, last_row=0, accepted=0,
                       unchanged=0, rejected=0, warnings=[], created_at=now)
    session.add(job)
    session.flush()
    return view(job)


def view(job: RosterImport, rows: dict | None = None) -> dict:
    return ImportView(
        import_id=job.id, state=job.state, filename=job.filename, format=job.format, requested_by=job.requested_by,
        citywide=job.scope_paths is None, total=job.total, rows_read=job.rows_read, accepted=job.accepted,
        unchanged=job.unchanged, rejected=job.rejected, warnings=job.warnings or [], error=job.error,
        created_at=aware(job.created_at), started_at=aware(job.started_at), finished_at=aware(job.finished_at),
        rows=rows,
    ).model_dump(mode="json")


def readable(session: Session, import_id: str, reader: str | None, citywide: bool) -> RosterImport:
    """The import, if `reader` started it or holds a role covering every branch it may reach (a citywide
    import: a role on the city); an operator at a shell (`citywide`) reads every import."""
    job = session.get(RosterImport, import_id)
    if job is None:
        raise not_found("import", import_id)
    if citywide or (reader is not None and reader == job.requested_by):
        return job
    if reader is not None and covers(scope_of(session, reader, READERS), job.scope_paths):
        return job
    raise DomainError("FORBIDDEN", "this import reaches beyond your roles", 403,
                      {"needs": "read", "import_id": import_id})


def covers(paths: list[str], scope_paths: list[str] | None) -> bool:
    """Whether nodes at `paths` cover every branch an import of `scope_paths` may reach (None: the city's)."""
    if scope_paths is None:
        return any(path.count("/") == 2 for path in paths)
    return all(any(scope.startswith(path) for path in paths) for scope in scope_paths)


def progress(session: Session, import_id: str, reader: str | None, citywide: bool, page: int,
             page_size: int) -> dict:
    """The import's progress and a page of its report, for a reader `readable` admits."""
    offset, limit = page_bounds(page, page_size)
    job = readable(session, import_id, reader, citywide)
    total, items = report(session, job, None, offset, limit)
    return view(job, {"items": items, "total": total, "page": page, "page_size": page_size})


def report(session: Session, job: RosterImport, status: str | None, offset: int, limit: int) -> tuple[int, list]:
    """A page of the import's row outcomes in the file's order, only those of `status` when given."""
    if status is not None and status not in STATUSES:
        raise DomainError("STATUS_INVALID", f"status is one of {', '.join(STATUSES)}", 400, {"status": status})
    query = select(RosterImportRow).where(RosterImportRow.import_id == job.id)
    if status is not None:
        query = query.where(RosterImportRow.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    found = session.scalars(query.order_by(RosterImportRow.row).offset(offset).limit(limit)).all()
    return total, [row_view(row) for row in found]


def row_view(row: RosterImportRow) -> dict:
    return {"row": row.row, "status": row.status, "reasons": row.reasons,
            "messages": [REASON_MESSAGES.get(code, code) for code in row.reasons], "member_id": row.member_id}


def claim(session: Session, worker: str, now: datetime) -> str | None:
    """Take the oldest import that is queued, or running under a lease that ran out (its process died); its
    id, or None. Of two processes claiming one import, the conditional update lets one win."""
    free = or_(RosterImport.lease_until.is_(None), RosterImport.lease_until < now)
    candidate = session.scalar(select(RosterImport.id).where(RosterImport.state.in_(ACTIVE), free)
                               .order_by(RosterImport.created_at).limit(1))
    if candidate is None:
        return None
    taken = session.execute(
        update(RosterImport).where(RosterImport.id == candidate, RosterImport.state.in_(ACTIVE), free)
        .values(state="running", worker=worker, lease_until=now + LEASE,
                started_at=func.coalesce(RosterImport.started_at, now))).rowcount
    return candidate if taken else None


def release(session: Session, import_id: str, worker: str) -> None:
    """Give a running import back when its process stops, so that the next one resumes it at once."""
    session.execute(update(RosterImport).where(RosterImport.id == import_id, RosterImport.worker == worker)
                    .values(worker=None, lease_until=None))


def run(import_id: str, worker: str, transaction: Transaction, storage, *,
        clock: Callable[[], datetime] = utcnow, today: date | None = None,
        should_stop: Callable[[], bool] = lambda: False, pause: Callable[[], None] = lambda: None) -> None:
    """Run a claimed import to its end, from the row after the last settled one: check the file as a whole,
    then import it batch by batch, each settled in one transaction that first renews the lease (LeaseLost
    when another process took the import). The file is deleted once the import is done or has failed.
    `should_stop` is asked between batches: the import is then released, to be resumed by the next process."""
    with transaction() as session:
        job = session.get(RosterImport, import_id)
        key, after = job.storage_key, job.last_row
        scope, default_hash = job.scope_paths, job.password_hash
        context = {"actor_id": job.requested_by, "client_ip": job.client_ip, "correlation_id": job.correlation_id}
    try:
        with storage.local_copy(key) as path, open(path, "rb") as file:
            found = roster.open_roster(file, today=today)
            with transaction(**context) as session:
                _hold(session, import_id, worker, clock())
                session.execute(update(RosterImport).where(RosterImport.id == import_id)
                                .values(format=found.format, total=found.total, warnings=found.warnings))
            for batch in _batches(found.rows(after), BATCH_ROWS):
                if should_stop():
                    with transaction() as session:
                        release(session, import_id, worker)
                    return
                _settle(import_id, worker, batch, scope, default_hash, transaction, context, clock)
                pause()
    except DomainError as error:
        _end(transaction, import_id, worker, clock(), {"code": error.code, "message": error.message,
                                                        "details": error.details})
    except FileNotFoundError:
        _end(transaction, import_id, worker, clock(), {"code": "IMPORT_FILE_MISSING", "details": {},
                                                        "message": "the roster file is no longer in storage"})
    else:
        _end(transaction, import_id, worker, clock(), None)
    storage.delete(key)


def _batches(rows: Iterator[roster.RosterRow], size: int) -> Iterator[list[roster.RosterRow]]:
    while batch := list(islice(rows, size)):
        yield batch


def _hold(session: Session, import_id: str, worker: str, now: datetime) -> None:
    """Renew this process's lease on the import, locking its row for the transaction; LeaseLost if it lost it."""
    held = session.execute(update(RosterImport).where(RosterImport.id == import_id, RosterImport.worker == worker,
                                                      RosterImport.state == "running")
                           .values(lease_until=now + LEASE)).rowcount
    if not held:
        raise LeaseLost(import_id)


def _settle(import_id: str, worker: str, batch: list[roster.RosterRow], scope: list[str] | None,
            default_hash: str | None, transaction: Transaction, context: dict, clock) -> None:
    """Import a batch and record its outcomes and the progress in one transaction; a member another import
    or a person added meanwhile breaks the phones' uniqueness, and the batch is tried again, finding it."""
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            with transaction(**context) as session:
                _hold(session, import_id, worker, clock())
                outcomes = import_rows(session, import_id, batch, scope, default_hash)
                _record(session, import_id, batch, outcomes)
            return
        except IntegrityError:
            if attempt == BATCH_ATTEMPTS:
                raise


def _end(transaction: Transaction, import_id: str, worker: str, now: datetime, error: dict | None) -> None:
    with transaction() as session:
        _hold(session, import_id, worker, now)
        session.execute(update(RosterImport).where(RosterImport.id == import_id).values(
            state="failed" if error else "done", error=error, finished_at=now, worker=None, lease_until=None,
            total=func.coalesce(RosterImport.total, RosterImport.rows_read) if error is None else RosterImport.total))


def import_rows(session: Session, import_id: str, rows: list[roster.RosterRow], scope_paths: list[str] | None,
                default_password_hash: str | None) -> list[dict]:
    """Create the members of a batch's valid rows within `scope_paths` (None: anywhere), announce each with
    `member_joined`, and answer every row's outcome in order. A row whose phone already belongs to the same
    person in the same branch is `unchanged`."""
    valid = [row.values for row in rows if row.valid]
    branches = {org.code: org for org in session.execute(
        select(Org.code, Org.id, Org.path, Org.level).where(Org.code.in_({values["branch_code"] for values in valid})))}
    existing = {member.phone: member for member in session.execute(
        select(Member.phone, Member.id, Member.name, Member.branch_id)
        .where(Member.phone.in_([values["phone"] for values in valid])))}
    now = utcnow()
    outcomes, created, joined, paths = [], [], [], set()
    for row in rows:
        outcome = {"row": row.row, "status": "rejected", "reasons": row.reasons, "member_id": None}
        outcomes.append(outcome)
        if not row.valid:
            continue
        values = row.values
        home = branches.get(values["branch_code"])
        current = existing.get(values["phone"])
        if home is None:
            outcome["reasons"] = ["UNKNOWN_BRANCH"]
        elif home.level != "branch":
            outcome["reasons"] = ["NOT_A_BRANCH"]
        elif scope_paths is not None and not any(home.path.startswith(scope) for scope in scope_paths):
            outcome["reasons"] = ["OUT_OF_SCOPE"]
        elif current is not None and (current.name, current.branch_id) == (values["name"], home.id):
            outcome.update(status="unchanged", member_id=current.id)
        elif current is not None:
            outcome["reasons"] = ["PHONE_TAKEN"]
        else:
            member = {"id": uuid.uuid4().hex, "name": values["name"], "phone": values["phone"], "branch_id": home.id,
                      "probationary": values["probationary"], "mobile": values["mobile"],
                      "lost_contact": values["lost_contact"], "active": True, "created_at": now,
                      "joined_on": date.fromisoformat(values["joined_on"]) if values["joined_on"] else None,
                      "password_hash": hash_password(values["password"]) if values["password"]
                      else default_password_hash}
            created.append(member)
            joined.append(MemberJoined(member_id=member["id"], name=member["name"], branch_id=home.id,
                                       branch_path=home.path, mobile=member["mobile"],
                                       probationary=member["probationary"], lost_contact=member["lost_contact"],
                                       active=True, joined_on=member["joined_on"]).model_dump(mode="json"))
            paths.add(home.path)
            outcome.update(status="accepted", member_id=member["id"])
    if created:
        session.execute(insert(Member), created)
        emit_many(session, "member_joined", joined)
        for path in sorted(paths):
            audit.record(session, "member.import", "roster", import_id, path,
                         {"accepted": len(created), "rows": len(rows)})
    return outcomes


def _record(session: Session, import_id: str, batch: list[roster.RosterRow], outcomes: list[dict]) -> None:
    session.execute(insert(RosterImportRow), [{"import_id": import_id, **outcome} for outcome in outcomes])
    counts = {status: sum(outcome["status"] == status for outcome in outcomes) for status in STATUSES}
    session.execute(update(RosterImport).where(RosterImport.id == import_id).values(
        rows_read=RosterImport.rows_read + len(batch), last_row=batch[-1].row,
        **{status: getattr(RosterImport, status) + count for status, count in counts.items()}))
