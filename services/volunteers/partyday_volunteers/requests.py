"""A resident's request through its states, each step kept in its history, announced and, for the branch's
administrative acts, put on record; the lists a branch, a member and a resident read, paged in SQL."""

import hashlib
import secrets
import uuid
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from partyday_common.audit import record
from partyday_common.db import emit
from partyday_common.errors import DomainError, not_found
from partyday_common.orgtree import get_node
from partyday_common.pagination import page_bounds
from partyday_volunteers import rules
from partyday_volunteers.models import Dispatch, RequestStep, Volunteer, VolunteerRequest, org_nodes

RESIDENT = "resident"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def view(found: VolunteerRequest, session: Session, for_branch: bool = True) -> dict:
    """A request as answered: the branch sees the resident's phone, the resident's follow page a masked one."""
    claimer = session.get(Volunteer, found.claimed_by) if found.claimed_by else None
    branch = get_node(session, org_nodes, found.branch_id)
    dispatched_to = session.scalars(
        select(Dispatch.member_id).where(Dispatch.request_id == found.id).order_by(Dispatch.member_id)
    ).all()
    return {
        "request_id": found.id,
        "branch_id": found.branch_id,
        "branch_name": branch["name"] if branch else "",
        "what": found.what,
        "where": found.where,
        "wanted_by": found.wanted_by.isoformat(),
        "resident_name": found.resident_name,
        "resident_phone": found.resident_phone if for_branch else masked(found.resident_phone),
        "state": found.state,
        "submitted_at": found.submitted_at.isoformat(),
        "accept_by": found.accept_by.isoformat(),
        "decline_reason": found.decline_reason,
        "dispatched_to": list(dispatched_to),
        "claimed_by": found.claimed_by,
        "claimed_by_name": claimer.name if claimer else None,
        "claimed_at": found.claimed_at.isoformat() if found.claimed_at else None,
        "completed_at": found.completed_at.isoformat() if found.completed_at else None,
        "completion_note": found.completion_note,
        "has_photo": found.photo_key is not None,
        "rating": found.rating,
        "rating_comment": found.rating_comment,
        "confirmed_at": found.confirmed_at.isoformat() if found.confirmed_at else None,
    }


def with_history(found: VolunteerRequest, session: Session, for_branch: bool = True) -> dict:
    steps = session.scalars(
        select(RequestStep).where(RequestStep.request_id == found.id).order_by(RequestStep.at, RequestStep.id)
    )
    history = [
        {
            "action": step.action,
            "from_state": step.from_state,
            "to_state": step.to_state,
            "actor": step.actor if for_branch or step.actor == RESIDENT else "branch",
            "details": step.details if for_branch else {},
            "at": step.at.isoformat(),
        }
        for step in steps
    ]
    return {**view(found, session, for_branch), "history": history}


def get(session: Session, request_id: str, lock: bool = False) -> VolunteerRequest:
    found = session.get(VolunteerRequest, request_id, with_for_update=lock)
    if found is None:
        raise not_found("request", request_id)
    return found


def by_token(session: Session, token: str, lock: bool = False) -> VolunteerRequest:
    query = select(VolunteerRequest).where(VolunteerRequest.token_hash == token_digest(token))
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise DomainError("REQUEST_NOT_FOUND", "no request has this follow link", 404)
    return found


def _step(session: Session, found: VolunteerRequest, action: str, actor: str, now: datetime, **details) -> None:
    to_state = rules.next_state(found.state, action)
    session.add(
        RequestStep(
            request_id=found.id,
            action=action,
            from_state=found.state,
            to_state=to_state,
            actor=actor,
            details=details,
            at=now,
        )
    )
    found.state = to_state
    found.updated_at = now


def _announced(found: VolunteerRequest) -> dict:
    return {
        "request_id": found.id,
        "branch_id": found.branch_id,
        "branch_path": found.branch_path,
        "what": found.what,
        "where": found.where,
        "wanted_by": found.wanted_by.isoformat(),
    }


def submit(session: Session, body, phone: str, now: datetime, accept_within_h: float) -> dict:
    """A resident's request to a branch, with the token that follows it (answered once, only its hash kept)."""
    branch = get_node(session, org_nodes, body.org_id)
    if branch is None:
        raise not_found("org", body.org_id)
    if branch["level"] != "branch":
        raise DomainError("NOT_A_BRANCH", "a request goes to a branch: choose the community's branch", 422)
    rules.check_wanted_by(body.wanted_by, now)
    token = secrets.token_urlsafe(24)
    found = VolunteerRequest(
        id=uuid.uuid4().hex,
        token_hash=token_digest(token),
        branch_id=branch["org_id"],
        branch_path=branch["path"],
        what=body.what,
        where=body.where,
        wanted_by=body.wanted_by,
        resident_name=body.name,
        resident_phone=phone,
        state="submitted",
        submitted_at=now,
        accept_by=rules.accept_by(now, accept_within_h),
        updated_at=now,
    )
    session.add(found)
    session.flush()
    session.add(
        RequestStep(
            request_id=found.id,
            action="submit",
            from_state=None,
            to_state="submitted",
            actor=RESIDENT,
            details={},
            at=now,
        )
    )
    session.flush()
    emit(session, "volunteer_request_submitted", {**_announced(found), "accept_by": found.accept_by.isoformat()})
    return {"request": view(found, session, for_branch=False), "token": token}


def accept(session: Session, request_id: str, actor_id: str, now: datetime) -> dict:
    """The branch takes the request in."""
    found = get(session, request_id, lock=True)
    _step(session, found, "accept", actor_id, now)
    record(session, "volunteer_request.accept", "volunteer_request", found.id, found.branch_path)
    return with_history(found, session)


def decline(session: Session, request_id: str, actor_id: str, reason: str, now: datetime) -> dict:
    """The branch does not take the request in, and says why."""
    found = get(session, request_id, lock=True)
    _step(session, found, "decline", actor_id, now, reason=reason)
    found.decline_reason = reason
    record(session, "volunteer_request.decline", "volunteer_request", found.id, found.branch_path, {"reason": reason})
    return with_history(found, session)


def dispatch(session: Session, request_id: str, actor_id: str, member_ids: list[str], now: datetime) -> dict:
    """The branch names the members who are to do it: active members of the branch (422 MEMBER_NOT_IN_BRANCH)."""
    found = get(session, request_id, lock=True)
    wanted = sorted(set(member_ids))
    known = set(
        session.scalars(
            select(Volunteer.member_id).where(
                Volunteer.member_id.in_(wanted), Volunteer.branch_id == found.branch_id, Volunteer.active.is_(True)
            )
        )
    )
    if missing := [member_id for member_id in wanted if member_id not in known]:
        raise DomainError(
            "MEMBER_NOT_IN_BRANCH", "dispatch to active members of the request's branch", 422, {"member_ids": missing}
        )
    _step(session, found, "dispatch", actor_id, now, member_ids=wanted)
    _replace_dispatches(session, found.id, wanted)
    record(
        session, "volunteer_request.dispatch", "volunteer_request", found.id, found.branch_path, {"member_ids": wanted}
    )
    emit(session, "volunteer_request_dispatched", {**_announced(found), "published": False, "member_ids": wanted})
    return with_history(found, session)


def publish(session: Session, request_id: str, actor_id: str, now: datetime) -> dict:
    """The branch offers it to every one of its members; the first to claim it does it."""
    found = get(session, request_id, lock=True)
    _step(session, found, "publish", actor_id, now)
    _replace_dispatches(session, found.id, [])
    record(session, "volunteer_request.publish", "volunteer_request", found.id, found.branch_path)
    emit(session, "volunteer_request_dispatched", {**_announced(found), "published": True, "member_ids": []})
    return with_history(found, session)


def _replace_dispatches(session: Session, request_id: str, member_ids: list[str]) -> None:
    for earlier in session.scalars(select(Dispatch).where(Dispatch.request_id == request_id)):
        session.delete(earlier)
    session.flush()
    session.add_all(Dispatch(request_id=request_id, member_id=member_id) for member_id in member_ids)


def claim(session: Session, request_id: str, member_id: str, now: datetime) -> dict:
    """A member takes the work on: one it was dispatched to, or any member of the branch it was published to."""
    found = get(session, request_id, lock=True)
    member = session.get(Volunteer, member_id)
    member_branch = member.branch_id if member is not None and member.active else None
    dispatched_to = session.scalars(select(Dispatch.member_id).where(Dispatch.request_id == found.id)).all()
    rules.may_claim(found.state, list(dispatched_to), member_id, member_branch, found.branch_id)
    _step(session, found, "claim", member_id, now)
    found.claimed_by, found.claimed_at = member_id, now
    return with_history(found, session)


def check_completable(session: Session, request_id: str, member_id: str) -> None:
    """Refuse before a photo is stored: the request must be the member's claimed work."""
    found = get(session, request_id)
    rules.may_complete(found.state, found.claimed_by, member_id)


def complete(session: Session, request_id: str, member_id: str, photo: dict, note: str | None, now: datetime) -> dict:
    """The member who claimed it records it done, with its photo; announced for the branch's service record."""
    found = get(session, request_id, lock=True)
    rules.may_complete(found.state, found.claimed_by, member_id)
    _step(session, found, "complete", member_id, now, note=note)
    found.completed_at, found.completion_note = now, note
    found.photo_key, found.photo_type = photo["key"], photo["content_type"]
    emit(
        session,
        "volunteer_request_completed",
        {
            "request_id": found.id,
            "branch_id": found.branch_id,
            "branch_path": found.branch_path,
            "member_id": member_id,
            "what": found.what,
            "wanted_by": found.wanted_by.isoformat(),
            "completed_at": now.isoformat(),
            "on_time": rules.on_time(now, found.wanted_by),
            "photo_key": found.photo_key,
        },
    )
    return with_history(found, session)


def confirm(session: Session, token: str, rating: int, comment: str | None, now: datetime) -> dict:
    """The resident confirms the work done and rates it."""
    found = by_token(session, token, lock=True)
    _step(session, found, "confirm", RESIDENT, now, rating=rating)
    found.rating, found.rating_comment, found.confirmed_at = rating, comment, now
    return with_history(found, session, for_branch=False)


def cancel(session: Session, token: str, now: datetime) -> dict:
    """The resident withdraws the request before anyone has claimed it."""
    found = by_token(session, token, lock=True)
    _step(session, found, "cancel", RESIDENT, now)
    _replace_dispatches(session, found.id, [])
    return with_history(found, session, for_branch=False)


def _page(session: Session, query, order, page: int, page_size: int, now: datetime, for_branch: bool = True) -> dict:
    offset, limit = page_bounds(page, page_size)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    found = session.scalars(query.order_by(*order).offset(offset).limit(limit)).all()
    items = [view(item, session, for_branch) for item in found]
    for item, request in zip(items, found):
        item["overdue"] = rules.overdue_reason(request.state, request.accept_by, request.wanted_by, now)
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def under(path: str):
    return VolunteerRequest.branch_path.startswith(path, autoescape=True)


def branch_page(session: Session, path: str, states: list[str], page: int, page_size: int, now: datetime) -> dict:
    """Requests of the branches under `path`, of those states if any are given, newest first."""
    query = select(VolunteerRequest).where(under(path))
    if states:
        query = query.where(VolunteerRequest.state.in_(states))
    return _page(session, query, (VolunteerRequest.submitted_at.desc(), VolunteerRequest.id), page, page_size, now)


def overdue_page(session: Session, path: str, page: int, page_size: int, now: datetime) -> dict:
    """Requests under `path` late at `now`: not taken in within the hours the branch had, or not done by the time
    the resident asked for; the oldest first."""
    late = or_(
        and_(VolunteerRequest.state == "submitted", VolunteerRequest.accept_by < now),
        and_(VolunteerRequest.state.in_(rules.WORK_STATES), VolunteerRequest.wanted_by < now),
    )
    query = select(VolunteerRequest).where(under(path), late)
    return _page(session, query, (VolunteerRequest.submitted_at, VolunteerRequest.id), page, page_size, now)


def open_for_member(session: Session, member_id: str, page: int, page_size: int, now: datetime) -> dict:
    """What a member may claim: published to their branch, or dispatched to them by name; soonest wanted first (the
    resident's phone masked until the member claims the work)."""
    member = session.get(Volunteer, member_id)
    branch_id = member.branch_id if member is not None and member.active else None
    named = select(Dispatch.request_id).where(Dispatch.member_id == member_id)
    query = select(VolunteerRequest).where(
        or_(
            and_(VolunteerRequest.state == "published", VolunteerRequest.branch_id == branch_id),
            and_(VolunteerRequest.state == "dispatched", VolunteerRequest.id.in_(named)),
        )
    )
    return _page(session, query, (VolunteerRequest.wanted_by, VolunteerRequest.id), page, page_size, now, False)


def claimed_by_member(session: Session, member_id: str, page: int, page_size: int, now: datetime) -> dict:
    """A member's claimed work, what is still to do first, then by when it is wanted."""
    query = select(VolunteerRequest).where(VolunteerRequest.claimed_by == member_id)
    still_to_do = (VolunteerRequest.state != "claimed").asc()
    return _page(session, query, (still_to_do, VolunteerRequest.wanted_by, VolunteerRequest.id), page, page_size, now)
