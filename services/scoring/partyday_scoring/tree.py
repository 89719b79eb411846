"""The organisation tree as scoring follows it: a moved node takes its stored paths along.

Scores, plans' progress, comments, campaigns and evaluations keep the materialised path of their branch or
organisation, so that rankings and lists over a subtree are one indexed prefix match. When the directory moves a
node it announces `org_updated` for every node of the moved subtree, each with its new path; each announcement
rewrites the paths stored for that one node, so they may arrive in any order across nodes. For one node, an
announcement older (`occurred_at`) than the one applied last is stale and ignored.
"""
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from partyday_common.envelope import Envelope
from partyday_common.orgtree import record_org
from partyday_scoring.models import (
    Campaign,
    Comment,
    Evaluation,
    PlanProgress,
    ScoredActivity,
    org_nodes,
)


def node_changed(session: Session, event: Envelope) -> bool:
    """Apply `org_created` or `org_updated` to the tree projection and, if the node's path changed, to every path
    stored for it; False for a stale announcement, which changes nothing."""
    known = session.scalar(select(org_nodes.c.path).where(org_nodes.c.org_id == event.data["org_id"])
                           .with_for_update())
    if not record_org(session, org_nodes, event):
        return False
    if known != event.data["path"]:
        _follow(session, event.data["org_id"], event.data["path"])
    return True


def _follow(session: Session, org_id: str, path: str) -> None:
    activities = select(ScoredActivity.activity_id).where(ScoredActivity.branch_id == org_id)
    for statement in (update(ScoredActivity).where(ScoredActivity.branch_id == org_id).values(branch_path=path),
                      update(PlanProgress).where(PlanProgress.branch_id == org_id).values(branch_path=path),
                      update(Comment).where(Comment.activity_id.in_(activities)).values(branch_path=path),
                      update(Campaign).where(Campaign.org_id == org_id).values(org_path=path),
                      update(Evaluation).where(Evaluation.org_id == org_id).values(org_path=path)):
        session.execute(statement.execution_options(synchronize_session=False))


def current_path(session: Session, org_id: str, reported: str) -> str:
    """The node's path as the tree projection knows it now, else the one an event reported: a plan or attendance
    event about a branch that has moved since its producer looked may carry the old path."""
    known = session.scalar(select(org_nodes.c.path).where(org_nodes.c.org_id == org_id))
    return known or reported
