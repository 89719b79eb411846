"""Roster imports as jobs: started for a member within the branches their roles let them manage (or citywide
by an operator at a shell), run in batches by whichever directory process holds the import's lease, resumed
after a crash where the last committed batch ended, and read back as progress and the rows it rejected.

Each batch commits its members, their `members_imported` event, the rows it rejected with their reasons, the
audit entries and the import's progress in one transaction, so a batch is settled wholly or not at all: an
interrupted import loses nothing and imports no row twice. Importing the same file again changes nothing
(its rows come out `unchanged`).
"""

import hashlib
import logging
import os
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import bulk_insert, emit, select_by_keys, utcnow
from partyday_common.errors import DomainError, not_found
from partyday_common.idempotency import once
from partyday_common.pagination import page_bounds
from partyday_directory import audit, grants, roster
from partyday_directory.models import Member, Org, RosterImport, RosterImportRejection
from partyday_directory.passwords import hash_password
from partyday_directory_contracts.events import MAX_IMPORTED_PER_EVENT, MembersImported
from partyday_directory_contracts.imports import ImportStart, ImportView

log = logging.getLogger(__name__)

# Who may import members into a branch, and who may read an import of branches their roles cover.
IMPORTERS = frozenset({"branch_admin", "org_admin", "city_admin"})
READERS = IMPORTERS | {"auditor"}
BATCH_ROWS = MAX_IMPORTED_PER_EVENT
LEASE = timedelta(seconds=60)
BATCH_ATTEMPTS = 3
ACTIVE = ("queued", "running")

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
    return {
        **request.model_dump(exclude={"storage_key", "initial_password"}),
        "initial_password": request.initial_password is not None,
        "sha256": digest.hexdigest(),
    }


def start(session: Session, request: ImportStart, password_hash: str | None, now: datetime) -> dict:
    """Queue an import of the file at `request.storage_key`; a member needs a role that manages members
    somewhere (403 FORBIDDEN otherwise), and the import may then reach only the branches under those roles."""
    scope = None
    if not request.citywide:
        scope = scope_of(session, request.requested_by, IMPORTERS)
        if not scope:
            raise DomainError(
                "FORBIDDEN", "your roles do not let you manage members anywhere", 403, {"needs": "manage_members"}
            )
    job = RosterImport(
        id=uuid.uuid4().hex,
        state="queued",
        storage_key=request.storage_key,
        filename=request.filename,
        requested_by=request.requested_by,
        scope_paths=scope,
        password_hash=password_hash,
        client_ip=session.info.get("client_ip"),
        correlation_id=session.info.get("correlation_id"),
        rows_read=0,
        last_row=0,
        accepted=0,
        unchanged=0,
        rejected=0,
        warnings=[],
        created_at=now,
    )
    session.add(job)
    session.flush()
    return view(job)


def view(job: RosterImport, rejected_rows: dict | None = None) -> dict:
    return ImportView(
        import_id=job.id,
        state=job.state,
        filename=job.filename,
        format=job.format,
        requested_by=job.requested_by,
        citywide=job.scope_paths is None,
        total=job.total,
        rows_read=job.rows_read,
        accepted=job.accepted,
        unchanged=job.unchanged,
        rejected=job.rejected,
        warnings=job.warnings or [],
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        rejected_rows=rejected_rows,
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
    raise DomainError(
        "FORBIDDEN", "this import reaches beyond your roles", 403, {"needs": "read", "import_id": import_id}
    )


def covers(paths: list[str], scope_paths: list[str] | None) -> bool:
    """Whether nodes at `paths` cover every branch an import of `scope_paths` may reach (None: the city's)."""
    if scope_paths is None:
        return any(path.count("/") == 2 for path in paths)
    return all(any(scope.startswith(path) for path in paths) for scope in scope_paths)


def progress(session: Session, import_id: str, reader: str | None, citywide: bool, page: int, page_size: int) -> dict:
    """The import's progress and a page of the rows it rejected, for a reader `readable` admits."""
    offset, limit = page_bounds(page, page_size)
    job = readable(session, import_id, reader, citywide)
    total, items = rejected(session, job, offset, limit)
    return view(job, {"items": items, "total": total, "page": page, "page_size": page_size})


def rejected(session: Session, job: RosterImport, offset: int, limit: int) -> tuple[int, list]:
    """A page of the rows the import rejected, in the file's order, each with its reasons explained."""
    query = select(RosterImportRejection).where(RosterImportRejection.import_id == job.id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    found = session.scalars(query.order_by(RosterImportRejection.row).offset(offset).limit(limit)).all()
    return total, [
        {
            "row": rejection.row,
            "reasons": rejection.reasons,
            "messages": [REASON_MESSAGES.get(code, code) for code in rejection.reasons],
        }
        for rejection in found
    ]


def claim(session: Session, worker: str, now: datetime) -> str | None:
    """Take the oldest import that is queued, or running under a lease that ran out (its process died); its
    id, or None. Of two processes claiming one import, the conditional update lets one win."""
    free = or_(RosterImport.lease_until.is_(None), RosterImport.lease_until < now)
    candidate = session.scalar(
        select(RosterImport.id).where(RosterImport.state.in_(ACTIVE), free).order_by(RosterImport.created_at).limit(1)
    )
    if candidate is None:
        return None
    taken = session.execute(
        update(RosterImport)
        .where(RosterImport.id == candidate, RosterImport.state.in_(ACTIVE), free)
        .values(
            state="running",
            worker=worker,
            lease_until=now + LEASE,
            started_at=func.coalesce(RosterImport.started_at, now),
        )
    ).rowcount
    return candidate if taken else None


def release(session: Session, import_id: str, worker: str) -> None:
    """Give a running import back when its process stops, so that the next one resumes it at once."""
    session.execute(
        update(RosterImport)
        .where(RosterImport.id == import_id, RosterImport.worker == worker)
        .values(worker=None, lease_until=None)
    )


@dataclass(frozen=True)
class _Job:
    """What running an import needs of it, read once when its run starts."""

    id: str
    storage_key: str
    last_row: int
    scope_paths: list[str] | None
    password_hash: str | None
    context: dict


def run(
    import_id: str,
    worker: str,
    transaction: Transaction,
    storage,
    *,
    clock: Callable[[], datetime] = utcnow,
    today: date | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    pause: Callable[[], None] = lambda: None,
    cpu: Callable = lambda work, *args, **kwargs: work(*args, **kwargs),
    ahead: Callable[[Callable[[], list]], Callable[[], list]] = lambda work: work,
) -> None:
    """Run a claimed import to its end, from the row after the last settled one: check the file as a whole,
    then import it batch by batch, each settled in one transaction that first renews the lease (LeaseLost
    when another process took the import). The file is deleted once the import is done or has failed.
    `should_stop` is asked between batches: the import is then released, to be resumed by the next process.
    `cpu` runs the checking of the file as a whole (a thread pool in the service, so that its other work goes
    on); `ahead` starts reading the next batch and answers how to wait for it (in the service, in that pool
    while this batch is settled, so that reading the file and writing the database overlap; by default the
    batch is read when waited for)."""
    with transaction() as session:
        found = session.get(RosterImport, import_id)
        job = _Job(
            found.id,
            found.storage_key,
            found.last_row,
            found.scope_paths,
            found.password_hash,
            {"actor_id": found.requested_by, "client_ip": found.client_ip, "correlation_id": found.correlation_id},
        )
    try:
        with storage.local_copy(job.storage_key) as path, open(path, "rb") as file:
            if not _import_file(file, job, worker, transaction, clock, today, should_stop, pause, cpu, ahead):
                return
    except DomainError as error:
        failure = {"code": error.code, "message": error.message, "details": error.details}
    except FileNotFoundError:
        failure = {"code": "IMPORT_FILE_MISSING", "message": "the roster file is no longer in storage", "details": {}}
    else:
        failure = None
    _end(transaction, import_id, worker, clock(), failure)
    storage.delete(job.storage_key)


def _import_file(
    file, job: _Job, worker: str, transaction: Transaction, clock, today, should_stop, pause, cpu, ahead
) -> bool:
    """Import the file's rows after the last settled one; False when stopped (and the import released)."""
    found = cpu(roster.open_roster, file, today=today)
    rows = found.rows(job.last_row)

    def read_batch() -> list[roster.RosterRow]:
        return list(islice(rows, BATCH_ROWS))

    next_batch = ahead(read_batch)
    try:
        with transaction(**job.context) as session:
            _hold(session, job.id, worker, clock())
            session.execute(
                update(RosterImport)
                .where(RosterImport.id == job.id)
                .values(format=found.format, total=found.total, warnings=found.warnings)
            )
        while batch := next_batch():
            next_batch = ahead(read_batch)
            if should_stop():
                with transaction() as session:
                    release(session, job.id, worker)
                return False
            _settle(job, worker, batch, transaction, clock)
            pause()
        return True
    finally:
        _finish_reading(next_batch)
        rows.close()
        found.close()


def _finish_reading(next_batch: Callable[[], list]) -> None:
    """Wait for the batch being read ahead before the file is closed under it; its error, if any, is either
    the one already raised where the batch was asked for or of a batch this run will not import."""
    try:
        next_batch()
    except Exception:
        log.debug("the batch read ahead of a stopped import is dropped", exc_info=True)


def _hold(session: Session, import_id: str, worker: str, now: datetime) -> None:
    """Renew this process's lease on the import, locking its row for the transaction; LeaseLost if it lost it."""
    held = session.execute(
        update(RosterImport)
        .where(RosterImport.id == import_id, RosterImport.worker == worker, RosterImport.state == "running")
        .values(lease_until=now + LEASE)
    ).rowcount
    if not held:
        raise LeaseLost(import_id)


def _settle(job: _Job, worker: str, batch: list[roster.RosterRow], transaction: Transaction, clock) -> None:
    """Import a batch and record its rejected rows and the progress in one transaction, which renews the lease
    last (LeaseLost, and nothing of the batch kept, when another process took the import over meanwhile); a
    member another import or a person added meanwhile breaks the phones' uniqueness, and the batch is tried
    again, finding it."""
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            with transaction(**job.context) as session:
                outcomes = import_rows(session, job.id, batch, job.scope_paths, job.password_hash)
                _record(session, job.id, worker, batch, outcomes, clock())
            return
        except IntegrityError:
            if attempt == BATCH_ATTEMPTS:
                raise


def _end(transaction: Transaction, import_id: str, worker: str, now: datetime, error: dict | None) -> None:
    with transaction() as session:
        _hold(session, import_id, worker, now)
        session.execute(
            update(RosterImport)
            .where(RosterImport.id == import_id)
            .values(
                state="failed" if error else "done",
                error=error,
                finished_at=now,
                worker=None,
                lease_until=None,
                total=func.coalesce(RosterImport.total, RosterImport.rows_read)
                if error is None
                else RosterImport.total,
            )
        )


def import_rows(
    session: Session,
    import_id: str,
    rows: list[roster.RosterRow],
    scope_paths: list[str] | None,
    default_password_hash: str | None,
) -> list[dict]:
    """Create the members of a batch's valid rows within `scope_paths` (None: anywhere), announce them in one
    `members_imported`, and answer every row's outcome in order: `accepted`, `unchanged` (its phone already
    belongs to the same person in the same branch) or `rejected` with its reasons."""
    valid = [row.values for row in rows if row.valid]
    branches = {
        org.code: org
        for org in session.execute(
            select(Org.code, Org.id, Org.path, Org.level).where(
                Org.code.in_({values["branch_code"] for values in valid})
            )
        )
    }
    existing = {
        member.phone: member
        for member in session.execute(
            select_by_keys(
                session,
                Member.phone,
                [values["phone"] for values in valid],
                Member.phone,
                Member.id,
                Member.name,
                Member.branch_id,
            )
        )
    }
    in_scope = {
        code: scope_paths is None or any(home.path.startswith(scope) for scope in scope_paths)
        for code, home in branches.items()
    }
    member_ids = iter(uuid4_hexes(len(valid)))
    now = utcnow()
    outcomes, created, joined, by_branch = [], [], [], Counter()
    for row in rows:
        outcome = {"row": row.row, "status": "rejected", "reasons": row.reasons}
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
        elif not in_scope[values["branch_code"]]:
            outcome["reasons"] = ["OUT_OF_SCOPE"]
        elif current is not None and (current.name, current.branch_id) == (values["name"], home.id):
            outcome["status"] = "unchanged"
        elif current is not None:
            outcome["reasons"] = ["PHONE_TAKEN"]
        else:
            member = {
                "id": next(member_ids),
                "name": values["name"],
                "phone": values["phone"],
                "branch_id": home.id,
                "probationary": values["probationary"],
                "mobile": values["mobile"],
                "lost_contact": values["lost_contact"],
                "active": True,
                "created_at": now,
                "joined_on": date.fromisoformat(values["joined_on"]) if values["joined_on"] else None,
                "password_hash": hash_password(values["password"]) if values["password"] else default_password_hash,
            }
            member["must_change_password"] = member["password_hash"] is not None
            created.append(member)
            joined.append(
                {
                    "member_id": member["id"],
                    "name": member["name"],
                    "branch_id": home.id,
                    "branch_path": home.path,
                    "mobile": member["mobile"],
                    "probationary": member["probationary"],
                    "lost_contact": member["lost_contact"],
                    "active": True,
                    "joined_on": values["joined_on"],
                }
            )
            by_branch[home.path] += 1
            outcome["status"] = "accepted"
    if created:
        bulk_insert(session, Member.__table__, created)
        # The members are written JSON-ready (the date as ISO text): checked against the contract, not dumped again.
        announced = {"import_id": import_id, "members": joined}
        MembersImported.model_validate(announced)
        emit(session, "members_imported", announced)
        for path, accepted in sorted(by_branch.items()):
            audit.record(session, "member.import", "roster", import_id, path, {"accepted": accepted, "rows": len(rows)})
    return outcomes


def uuid4_hexes(count: int) -> list[str]:
    """`count` random UUIDs (version 4) as `uuid.uuid4().hex` writes them, from one read of the system's
    randomness: a uuid4 per member read it a thousand times a batch, a tenth of the directory's time in a
    city's import."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes(byte & 0x0F | 0x40 for byte in raw[6::16])
    raw[8::16] = bytes(byte & 0x3F | 0x80 for byte in raw[8::16])
    text = raw.hex()
    return [text[start : start + 32] for start in range(0, 32 * count, 32)]


def _record(
    session: Session, import_id: str, worker: str, batch: list[roster.RosterRow], outcomes: list[dict], now: datetime
) -> None:
    """The batch's rejected rows and the import's progress, with this process's lease renewed (LeaseLost if it
    lost it: the caller's transaction then keeps nothing of the batch)."""
    bulk_insert(
        session,
        RosterImportRejection.__table__,
        [
            {"import_id": import_id, "row": outcome["row"], "reasons": outcome["reasons"]}
            for outcome in outcomes
            if outcome["status"] == "rejected"
        ],
    )
    counts = {
        status: sum(outcome["status"] == status for outcome in outcomes)
        for status in ("accepted", "unchanged", "rejected")
    }
    held = session.execute(
        update(RosterImport)
        .where(RosterImport.id == import_id, RosterImport.worker == worker, RosterImport.state == "running")
        .values(
            lease_until=now + LEASE,
            rows_read=RosterImport.rows_read + len(batch),
            last_row=batch[-1].row,
            **{status: getattr(RosterImport, status) + count for status, count in counts.items()},
        )
    ).rowcount
    if not held:
        raise LeaseLost(import_id)
