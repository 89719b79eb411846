"""A read model of the organisation tree, kept by services that rank or list over it.

The directory owns the tree; plans, media and scoring keep this projection from its
`org_created` and `org_updated` events, with the materialised path that makes subtree
queries one indexed prefix match. A node's older announcement arriving after a newer
one is ignored.
"""

from sqlalchemy import Column, Index, MetaData, String, Table, func, select
from sqlalchemy.orm import Session

from partyday_common.consumer import event_consumer
from partyday_common.contracts import OrgNodeExpected
from partyday_common.envelope import Envelope
from partyday_common.instants import Instant

PROJECTION = "org_nodes"


def org_projection_columns() -> list:
    return [
        Column("org_id", String(64), primary_key=True),
        Column("parent_id", String(64), index=True),
        Column("path", String(1000), nullable=False),
        Column("code", String(64), nullable=False),
        Column("name", String(200), nullable=False),
        Column("level", String(32), nullable=False),
        Column("domain", String(32), nullable=False),
        Column("kind", String(32), nullable=False),
        Column("updated_at", Instant, nullable=False),
    ]


def add_org_projection(metadata: MetaData) -> Table:
    table = Table(PROJECTION, metadata, *org_projection_columns())
    Index("ix_org_nodes_path", table.c.path)
    return table


def create_org_projection(op) -> None:
    op.create_table(PROJECTION, *org_projection_columns())
    op.create_index("ix_org_nodes_path", PROJECTION, ["path"])


FIELDS = ("parent_id", "path", "code", "name", "level", "domain", "kind")


def record_org(session: Session, table: Table, event: Envelope) -> bool:
    """Insert or update the node an org event describes. `updated_at` is when the directory announced the state
    recorded; an announcement older than that (a move announces every node it carries, and deliveries are not
    ordered) changes nothing and answers False."""
    data, at = event.data, event.occurred
    values = {name: data[name] for name in FIELDS}
    values["updated_at"] = at
    recorded = session.execute(
        select(table.c.updated_at).where(table.c.org_id == data["org_id"]).with_for_update()
    ).first()
    if recorded is None:
        session.execute(table.insert().values(org_id=data["org_id"], **values))
        return True
    if at < recorded.updated_at:
        return False
    session.execute(table.update().where(table.c.org_id == data["org_id"]).values(**values))
    return True


def get_node(session: Session, table: Table, org_id: str):
    return session.execute(select(table).where(table.c.org_id == org_id)).mappings().first()


def subtree_filter(table: Table, path: str):
    return table.c.path.startswith(path, autoescape=True)


def count_branches_under(session: Session, table: Table, path: str, domain: str | None = None) -> int:
    query = select(func.count()).select_from(table).where(subtree_filter(table, path), table.c.level == "branch")
    if domain is not None:
        query = query.where(table.c.domain == domain)
    return session.execute(query).scalar_one()


class OrgTreeProjection:
    """Mixin for a service that keeps the tree projection in its `org_nodes` table."""

    org_nodes: Table

    @event_consumer("directory", "org_created", expects=OrgNodeExpected)
    def on_org_created(self, event, payload: OrgNodeExpected):
        """Record the new node in this service's tree projection."""
        self._project(event)

    @event_consumer("directory", "org_updated", expects=OrgNodeExpected)
    def on_org_updated(self, event, payload: OrgNodeExpected):
        """Follow a renamed, reclassified or moved node (a move announces every node it carries)."""
        self._project(event)

    def _project(self, event):
        with self.db.transaction() as session:
            record_org(session, self.org_nodes, event)
