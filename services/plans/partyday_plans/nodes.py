"""The organisations plans works on, read from its projection of the directory's tree (`org_nodes`)."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.orgtree import get_node, subtree_filter
from partyday_plans.models import org_nodes

MAX_SAMPLE = 50


def node(session: Session, org_id: str):
    """A node of the tree, or 404."""
    found = get_node(session, org_nodes, org_id)
    if found is None:
        raise not_found("org", org_id)
    return found


def branch(session: Session, org_id: str):
    """A node that must be a branch: plans, task lists and rectifications belong to one."""
    found = node(session, org_id)
    if found["level"] != "branch":
        raise DomainError("BRANCH_REQUIRED", "plans belong to a branch", 422, {"org_id": org_id})
    return found


def ancestors(path: str) -> list[str]:
    """The ids on a materialised path, root first."""
    return [part for part in path.strip("/").split("/") if part]


def branches_under(org_path: str):
    """A query of the id, name, parent and path of every branch of the subtree at `org_path`."""
    return select(org_nodes.c.org_id, org_nodes.c.name, org_nodes.c.parent_id, org_nodes.c.path).where(
        subtree_filter(org_nodes, org_path), org_nodes.c.level == "branch"
    )


def sample_branches(session: Session, org_id: str, size: int) -> list[str]:
    """The ids of a random sample of the branches under a node, for a spot check."""
    if not isinstance(size, int) or not 1 <= size <= MAX_SAMPLE:
        raise invalid("SAMPLE_SIZE_INVALID", f"a sample holds 1 to {MAX_SAMPLE} branches")
    sample = branches_under(node(session, org_id)["path"]).order_by(func.random()).limit(size)
    return [row.org_id for row in session.execute(sample)]
