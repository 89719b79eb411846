"""Rankings of branches (or of a node's children) by score over a month, a quarter or a year."""

from typing import get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partyday_common.errors import invalid
from partyday_common.orgtree import subtree_filter
from partyday_common.pagination import page_bounds
from partyday_common.vocabulary import DOMAINS, Kind
from partyday_scoring import formula, tree
from partyday_scoring.models import ScoredActivity, org_nodes
from partyday_scoring.shown import number, rounded

GROUPS = ("branches", "children")
KINDS = frozenset(get_args(Kind))


def check_domain(domain: str | None) -> None:
    if domain is not None and domain not in DOMAINS:
        raise invalid("DOMAIN_INVALID", "unknown domain", domain=domain, allowed=sorted(DOMAINS))


def ranking(
    session: Session,
    org_id: str,
    period: str,
    domain: str | None = None,
    group: str = "branches",
    kind: str | None = None,
) -> dict:
    """Branches of the subtree (of a domain, of a kind: regular, joint, mobile), or the node's children by
    the mean of their branches, ordered by score, every one of them.

    A branch's score for a period is the mean total of its scored activities in it; branches with
    none are counted in `unscored`, not ranked.
    """
    node, ranked, unscored = _ranked(session, org_id, period, domain, group, kind)
    rows = session.execute(select(ranked).order_by(ranked.c.rank)).mappings().all()
    return _answer(node, period, domain, kind, group, rows, unscored)


def ranking_page(
    session: Session,
    org_id: str,
    period: str,
    domain: str | None,
    group: str,
    kind: str | None,
    page: int,
    page_size: int,
) -> dict:
    """One page of the ranking, `total` ranked in all; ranks are over the whole ranking, whatever the page.
    The database ranks and cuts the page, so a citywide ranking reads one page's rows."""
    offset, limit = page_bounds(page, page_size)
    node, ranked, unscored = _ranked(session, org_id, period, domain, group, kind)
    rows = session.execute(select(ranked).order_by(ranked.c.rank).offset(offset).limit(limit)).mappings().all()
    total = session.scalar(select(func.count()).select_from(ranked))
    return {
        **_answer(node, period, domain, kind, group, rows, unscored),
        "total": total,
        "page": page,
        "page_size": page_size,
    }


def _ranked(session: Session, org_id: str, period: str, domain: str | None, group: str, kind: str | None):
    """The node, the ranking as a subquery numbered by `rank`, and how many branches have no score."""
    if not isinstance(period, str) or not formula.PERIOD.match(period):
        raise invalid(
            "PERIOD_INVALID", "period is a month (2026-12), a quarter (2026-Q4) or a year (2026)", period=period
        )
    if group not in GROUPS:
        raise invalid("GROUP_INVALID", "group is branches or children", group=group, allowed=list(GROUPS))
    check_domain(domain)
    if kind is not None and kind not in KINDS:
        raise invalid("KIND_INVALID", "unknown kind", kind=kind, allowed=sorted(KINDS))
    node = tree.find_node(session, org_id)
    branches = select(org_nodes).where(subtree_filter(org_nodes, node["path"]), org_nodes.c.level == "branch")
    if domain is not None:
        branches = branches.where(org_nodes.c.domain == domain)
    if kind is not None:
        branches = branches.where(org_nodes.c.kind == kind)
    branches = branches.subquery("branch")
    scored = _branch_scores(node["path"], formula.period_months(period), branches)
    ranked = _by_child(node["org_id"], scored) if group == "children" else scored
    unscored = session.scalar(select(func.count()).select_from(branches)) - session.scalar(
        select(func.count()).select_from(scored)
    )
    return node, _numbered(ranked), unscored


def _branch_scores(path: str, months: list[str], branches):
    """Each branch's mean total and mean sign-in rate over the months, as shown (two decimals for a score,
    four for a rate), with its activities' count: a branch's place comes from the score as shown."""
    return (
        select(
            branches.c.org_id,
            branches.c.name,
            branches.c.code,
            branches.c.domain,
            branches.c.path,
            rounded(func.avg(ScoredActivity.total), 2).label("score"),
            rounded(func.avg(ScoredActivity.sign_in_rate), 4).label("sign_in_rate"),
            func.count().label("activities"),
        )
        .join(branches, branches.c.org_id == ScoredActivity.branch_id)
        .where(
            ScoredActivity.month.in_(months),
            ScoredActivity.total.is_not(None),
            ScoredActivity.branch_path.startswith(path, autoescape=True),
        )
        .group_by(branches.c.org_id, branches.c.name, branches.c.code, branches.c.domain, branches.c.path)
        .subquery("scored")
    )


def _by_child(node_id: str, scored):
    """The node's children with a scored branch, each by the mean of its branches' shown scores and rates."""
    child = org_nodes.alias("child")
    inside = func.substr(scored.c.path, 1, func.length(child.c.path)) == child.c.path
    return (
        select(
            child.c.org_id,
            child.c.name,
            child.c.code,
            child.c.domain,
            rounded(func.avg(scored.c.score), 2).label("score"),
            rounded(func.avg(scored.c.sign_in_rate), 4).label("sign_in_rate"),
            func.sum(scored.c.activities).label("activities"),
            func.count().label("branches"),
        )
        .join(scored, inside)
        .where(child.c.parent_id == node_id)
        .group_by(child.c.org_id, child.c.name, child.c.code, child.c.domain)
        .subquery("grouped")
    )


def _numbered(rows):
    """Best first, ties broken by the higher sign-in rate (none counts as 0), then the code, then the id, so
    the same data always gives the same order; equal scores still share no rank number."""
    order = (rows.c.score.desc(), func.coalesce(rows.c.sign_in_rate, 0).desc(), rows.c.code, rows.c.org_id)
    columns = [column for column in rows.c if column.name != "path"]
    return select(*columns, func.row_number().over(order_by=order).label("rank")).subquery("ranked")


def _answer(node, period: str, domain: str | None, kind: str | None, group: str, rows, unscored: int) -> dict:
    return {
        "org_id": node["org_id"],
        "name": node["name"],
        "period": period,
        "domain": domain,
        "kind": kind,
        "group": group,
        "items": [_item(row) for row in rows],
        "unscored": unscored,
    }


def _item(row) -> dict:
    item = dict(row)
    item["score"], item["sign_in_rate"] = number(item["score"]), number(item["sign_in_rate"])
    item["activities"] = int(item["activities"])
    return item
