"""The organisation tree as scoring follows and reads it: a moved node takes its stored paths along.

Scores, plans' progress, comments, campaigns and evaluations keep the materialised path of their branch or
organisation, so that rankings and lists over a subtree are one indexed prefix match. When the directory moves a
node it announces `org_updated` for every node of the moved subtree, each with its new path; each announcement
rewrites the paths stored for that one node, so they may arrive in any order across nodes. For one node, an
announcement older (`occurred_at`) than the one applied last is stale and ignored.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from partyday_common.envelope import Envelope
from partyday_common.errors import not_found
from partyday_common.orgtree import get_node, record_org, subtree_filter
from partyday_scoring.models import (
    Campaign,
    Comment,
    Evaluation,
    GoldenIdea,
    PlanProgress,
    ScoredActivity,
    org_nodes,
)


def node_changed(session: Session, event: Envelope) -> bool:
    """Apply `org_created` or `org_updated` to the tree projection and, if the node's path changed, to every path
    stored for it; False for a stale announcement, which changes nothing."""
    known = session.scalar(select(org_nodes.c.path).where(org_nodes.c.org_id == event.data["org_id"]).with_for_update())
    if not record_org(session, org_nodes, event):
        return False
    if known != event.data["path"]:
        _follow(session, event.data["org_id"], event.data["path"])
    return True


def _follow(session: Session, org_id: str, path: str) -> None:
    activities = select(ScoredActivity.activity_id).where(ScoredActivity.branch_id == org_id)
    for statement in (
        update(ScoredActivity).where(ScoredActivity.branch_id == org_id).values(branch_path=path),
        update(PlanProgress).where(PlanProgress.branch_id == org_id).values(branch_path=path),
        update(Comment).where(Comment.activity_id.in_(activities)).values(branch_path=path),
        update(Campaign).where(Campaign.org_id == org_id).values(org_path=path),
        update(Evaluation).where(Evaluation.org_id == org_id).values(org_path=path),
        update(GoldenIdea).where(GoldenIdea.branch_id == org_id).values(branch_path=path),
    ):
        session.execute(statement.execution_options(synchronize_session=False))


def current_path(session: Session, org_id: str, reported: str) -> str:
    """The node's path as the tree projection knows it now, else the one an event reported: a plan or attendance
    event about a branch that has moved since its producer looked may carry the old path."""
    known = session.scalar(select(org_nodes.c.path).where(org_nodes.c.org_id == org_id))
    return known or reported


def find_node(session: Session, org_id: str):
    """The node (404 ORG_NOT_FOUND for one scoring does not know)."""
    node = get_node(session, org_nodes, org_id)
    if node is None:
        raise not_found("org", org_id)
    return node


def branches_under(session: Session, path: str, domain: str | None, kind: str | None = None) -> dict[str, dict]:
    """The branches of the subtree at `path` (of one domain and one kind, if given), by id."""
    query = select(org_nodes.c.org_id, org_nodes.c.name, org_nodes.c.code, org_nodes.c.domain, org_nodes.c.path).where(
        subtree_filter(org_nodes, path), org_nodes.c.level == "branch"
    )
    if domain is not None:
        query = query.where(org_nodes.c.domain == domain)
    if kind is not None:
        query = query.where(org_nodes.c.kind == kind)
    return {row["org_id"]: dict(row) for row in session.execute(query).mappings()}


def children(session: Session, org_id: str, ordered: bool = False) -> list:
    """The node's children; by name, then id, if `ordered`."""
    query = select(org_nodes).where(org_nodes.c.parent_id == org_id)
    if ordered:
        query = query.order_by(org_nodes.c.name, org_nodes.c.org_id)
    return session.execute(query).mappings().all()
