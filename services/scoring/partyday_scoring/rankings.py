"""Rankings of branches (or of a node's children) by score over a month, a quarter or a year."""

from collections import defaultdict
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.errors import invalid
from partyday_common.pagination import page_bounds
from partyday_common.vocabulary import DOMAINS, Kind
from partyday_scoring import formula, tree
from partyday_scoring.models import ScoredActivity

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
    the mean of their branches, ordered by score.

    A branch's score for a period is the mean total of its scored activities in it; branches with
    none are counted in `unscored`, not ranked.
    """
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
    branches = tree.branches_under(session, node["path"], domain, kind)
    totals = defaultdict(list)
    for branch_id, total, rate in session.execute(
        select(ScoredActivity.branch_id, ScoredActivity.total, ScoredActivity.sign_in_rate).where(
            ScoredActivity.month.in_(formula.period_months(period)),
            ScoredActivity.total.is_not(None),
            ScoredActivity.branch_path.startswith(node["path"], autoescape=True),
        )
    ):
        if branch_id in branches:
            totals[branch_id].append((total, rate))
    rows = [
        {
            "org_id": branch_id,
            "name": branches[branch_id]["name"],
            "code": branches[branch_id]["code"],
            "domain": branches[branch_id]["domain"],
            "path": branches[branch_id]["path"],
            "score": round(sum(t for t, _ in values) / len(values), 2),
            "sign_in_rate": _mean([r for _, r in values if r is not None]),
            "activities": len(values),
        }
        for branch_id, values in totals.items()
    ]
    if group == "children":
        rows = _by_child(session, node, rows)
    for row in rows:
        row.pop("path", None)
    return {
        "org_id": org_id,
        "name": node["name"],
        "period": period,
        "domain": domain,
        "kind": kind,
        "group": group,
        "items": formula.rank(rows),
        "unscored": len(branches) - len(totals),
    }


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
    """One page of the ranking, `total` ranked in all. Ranks are over the whole ranking, whatever the page: a
    branch's place comes from the means of its scores rounded as shown, so every branch is ranked before the
    page is cut."""
    offset, limit = page_bounds(page, page_size)
    found = ranking(session, org_id, period, domain, group, kind)
    return {
        **found,
        "items": found["items"][offset : offset + limit],
        "total": len(found["items"]),
        "page": page,
        "page_size": page_size,
    }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _by_child(session: Session, node, rows: list[dict]) -> list[dict]:
    grouped = []
    for child in tree.children(session, node["org_id"]):
        inside = [row for row in rows if row["path"].startswith(child["path"])]
        if inside:
            grouped.append(
                {
                    "org_id": child["org_id"],
                    "name": child["name"],
                    "code": child["code"],
                    "domain": child["domain"],
                    "score": round(sum(r["score"] for r in inside) / len(inside), 2),
                    "sign_in_rate": _mean([r["sign_in_rate"] for r in inside if r["sign_in_rate"] is not None]),
                    "activities": sum(r["activities"] for r in inside),
                    "branches": len(inside),
                }
            )
    return grouped
