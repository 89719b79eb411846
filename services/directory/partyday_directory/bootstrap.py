"""The first start: the city (the root of the tree) and its admin account, made once."""

import logging
import uuid

from nameko.extensions import DependencyProvider
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from partyday_common.db import make_engine, utcnow
from partyday_directory import access, grants, orgs
from partyday_directory.models import Member, Org, metadata
from partyday_directory.passwords import hash_password
from partyday_directory.settings import get_settings
from partyday_directory_contracts.rpc import OrgCreate

log = logging.getLogger(__name__)


def ensure_city_admin(session: Session, phone: str, password: str, city_name: str, city_code: str) -> None:
    """The city (the root) and its admin account with the city_admin role, created once."""
    city = session.scalar(select(Org).where(Org.level == "city"))
    if city is None:
        created = orgs.create(session, OrgCreate(name=city_name, level="city", code=city_code, domain="government"))
        city = session.get(Org, created["org_id"])
    admin = session.scalar(select(Member).where(Member.phone == phone))
    if admin is None:
        admin = Member(
            id=uuid.uuid4().hex,
            name="组织部管理员",
            phone=phone,
            branch_id=None,
            probationary=False,
            mobile=False,
            lost_contact=False,
            active=True,
            password_hash=hash_password(password),
            created_at=utcnow(),
        )
        session.add(admin)
        session.flush()
    if not grants.holds(session, admin.id, "city_admin", city.id):
        grants.grant(session, admin.id, "city_admin", city.id)


class AdminBootstrap(DependencyProvider):
    """On start, makes sure the city and the city admin named by PARTYDAY_ADMIN_PHONE exist; `done` once they
    do. Nameko starts every extension at once, so RPCs are answered meanwhile: readiness waits for `done`."""

    def setup(self):
        self.done = False

    def get_dependency(self, worker_ctx):
        return self

    def start(self):
        self._ensure_city_admin()
        self.done = True

    def _ensure_city_admin(self):
        settings = get_settings()
        if not (settings.admin_phone and settings.admin_password):
            log.warning("no PARTYDAY_ADMIN_PHONE and PARTYDAY_ADMIN_PASSWORD: no city admin was created")
            return
        engine = make_engine(self.container.config.get("DATABASE_URL") or settings.database_url("directory"))
        try:
            with Session(engine) as session:
                session.info.update(
                    service="directory",
                    outbox_table=metadata.tables["outbox_messages"],
                    metadata=metadata,
                    actor_id=access.BOOTSTRAP_ACTOR,
                )
                ensure_city_admin(
                    session,
                    access.phone_of(settings.admin_phone),
                    settings.admin_password,
                    settings.city_name,
                    settings.city_code,
                )
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
        finally:
            engine.dispose()
