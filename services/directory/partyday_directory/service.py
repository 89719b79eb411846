import uuid

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from partyday_common.db import Database, emit, utcnow
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.idempotency import previous_response, remember_response
from partyday_common.pagination import page_bounds
from partyday_common.service import PartydayService, rpc
from partyday_directory import orgs
from partyday_directory.models import Org, metadata
from partyday_directory.schemas import OrgCreate, OrgCreated, OrgView


def org_view(org: Org) -> dict:
    return OrgView(org_id=org.id, code=org.code, name=org.name, parent_id=org.parent_id,
                   level=org.level, domain=org.domain, kind=org.kind, path=org.path).model_dump()


class DirectoryService(PartydayService):
    name = "directory"
    db = Database(metadata)

    @rpc
    def create_org(self, payload: dict, idempotency_key: str | None = None) -> dict:
        """Add a node to the tree and announce `org_created`; a repeated key gets the first answer."""
        try:
            request = OrgCreate.model_validate(payload)
        except ValidationError as exc:
            raise invalid("VALIDATION_FAILED", "the organisation is malformed",
                          errors=exc.errors(include_url=False, include_context=False))
        with self.db.transaction() as session:
            previous = previous_response(session, "create_org", idempotency_key, payload)
            if previous is not None:
                return previous
            parent = session.get(Org, request.parent_id) if request.parent_id else None
            if request.parent_id and parent is None:
                raise not_found("org", request.parent_id)
            orgs.check_placement(request.level, parent.level if parent else None)
            org_id = uuid.uuid4().hex
            code = request.code or org_id[:12]
            if session.scalar(select(Org.id).where(Org.code == code)):
                raise DomainError("ORG_CODE_TAKEN", f"the code {code} is already used", 409,
                                  {"code": code})
            org = Org(id=org_id, code=code, name=request.name, parent_id=request.parent_id,
                      level=request.level, domain=request.domain, kind=request.kind,
                      path=orgs.child_path(parent.path if parent else None, org_id),
                      created_at=utcnow())
            session.add(org)
            try:
                session.flush()
            except IntegrityError:
                raise DomainError("ORG_CODE_TAKEN", f"the code {code} is already used", 409, {"code": code})
            view = org_view(org)
            emit(session, "org_created", OrgCreated(**view).model_dump())
            remember_response(session, "create_org", idempotency_key, payload, view)
        return view

    @rpc
    def get_org(self, org_id: str) -> dict:
        """One node of the tree."""
        with self.db.transaction() as session:
            org = session.get(Org, org_id)
            if org is None:
                raise not_found("org", org_id)
            return org_view(org)

    @rpc
    def list_children(self, org_id: str, page: int = 1, page_size: int = 50) -> dict:
        """The direct children of a node, by name, a page at a time."""
        offset, limit = page_bounds(page, page_size)
        with self.db.transaction() as session:
            if session.get(Org, org_id) is None:
                raise not_found("org", org_id)
            total = session.scalar(select(func.count()).select_from(Org).where(Org.parent_id == org_id))
            children = session.scalars(
                select(Org).where(Org.parent_id == org_id).order_by(Org.name, Org.id)
                .offset(offset).limit(limit)
            ).all()
            return {"items": [org_view(o) for o in children], "total": total,
                    "page": page, "page_size": page_size}

    @rpc
    def find_org_by_code(self, code: str) -> dict | None:
        """The node with this code, or None."""
        with self.db.transaction() as session:
            org = session.scalar(select(Org).where(Org.code == code))
            return org_view(org) if org else None
