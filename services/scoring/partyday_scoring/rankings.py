"""Rankings of branches (or of a node's children) by score over a period, and the progress dashboard."""
import re
from collections import defaultdict
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.errors import invalid, not_found
from partyday_common.orgtree import get_node, subtree_filter
from partyday_common.vocabulary import DOMAINS, Kind
from partyday_scoring import formula
from partyday_scoring.models import PlanProgress, ScoredActivity, org_nodes

PERIOD = re.compile(r"^[1-9]\d{3}(-(0[1-9]|1[0-2])|-Q[1-4])?$")
MONTH = re.compile(r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")
GROUPS = ("branches", "children")
KINDS = frozenset(get_args(Kind))


def check_domain(domain: str | None) -> None:
    if domain is not None and domain not in DOMAINS:
        raise invalid("DOMAIN_INVALID", "unknown domain", domain=domain, allowed=sorted(DOMAINS))


def find_node(session: Session, org_id: str):
    node = get_node(session, org_nodes, org_id)
    if node is None:
        raise not_found("org", org_id)
    return node


def branches_under(session: Session, path: str, domain: str | None, kind: str | None = None) -> dict[str, dict]:
    query = select(org_nodes.c.org_id, org_nodes.c.name, org_nodes.c.code, org_nodes.c.domain,
                   org_nodes.c.path).where(subtree_filter(org_nodes, path), org_nodes.c.level == "branch")
    if domain is not None:
        query = query.where(org_nodes.c.domain == domain)
    if kind is not None:
        query = query.where(org_nodes.c.kind == kind)
    return {row["org_id"]: dict(row) for row in session.execute(query).mappings()}


def ranking(session: Session, org_id: str, period: str, domain: str | None = None,
            group: str = "branches", kind: str | None = None) -> dict:
    """Branches of the subtree (of a domain, of a kind: regular, joint, mobile), or the node's children by
    the mean of their branches, ordered by score.

    A branch's score for a period is the mean total of its scored activities in it; branches with
    none are counted in `unscored`, not ranked.
    """
    if not isinstance(period, str) or not PERIOD.match(period):
        raise invalid("PERIOD_INVALID", "period is a month (2026-12), a quarter (2026-Q4) or a year (2026)",
                      period=period)
    if group not in GROUPS:
        raise invalid("GROUP_INVALID", "group is branches or children", group=group, allowed=list(GROUPS))
    check_domain(domain)
    if kind is not None and kind not in KINDS:
        raise invalid("KIND_INVALID", "unknown kind", kind=kind, allowed=sorted(KINDS))
    node = find_node(session, org_id)
    branches = branches_under(session, node["path"], domain, kind)
    totals = defaultdict(list)
    for branch_id, total, rate in session.execute(
            select(ScoredActivity.branch_id, ScoredActivity.total, ScoredActivity.sign_in_rate)
            .where(ScoredActivity.month.in_(formula.period_months(period)), ScoredActivity.total.is_not(None),
                   ScoredActivity.branch_path.startswith(node["path"], autoescape=True))):
        if branch_id in branches:
            totals[branch_id].append((total, rate))
    rows = [{"org_id": branch_id, "name": branches[branch_id]["name"], "code": branches[branch_id]["code"],
             "domain": branches[branch_id]["domain"], "path": branches[branch_id]["path"],
             "score": round(sum(t for t, _ in values) / len(values), 2),
             "sign_in_rate": _mean([r for _, r in values if r is not None]), "activities": len(values)}
            for branch_id, values in totals.items()]
    if group == "children":
        rows = _by_child(session, node, rows)
    for row in rows:
        row.pop("path", None)
    return {"org_id": org_id, "name": node["name"], "period": period, "domain": domain, "kind": kind,
            "group": group, "items": formula.rank(rows), "unscored": len(branches) - len(totals)}


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _by_child(session: Session, node, rows: list[dict]) -> list[dict]:
    children = session.execute(select(org_nodes).where(org_nodes.c.parent_id == node["org_id"])).mappings().all()
    grouped = []
    for child in children:
        inside = [row for row in rows if row["path"].startswith(child["path"])]
        if inside:
            grouped.append({"org_id": child["org_id"], "name": child["name"], "code": child["code"],
                            "domain": child["domain"], "score": round(sum(r["score"] for r in inside) / len(inside), 2),
                            "sign_in_rate": _mean([r["sign_in_rate"] for r in inside if r["sign_in_rate"] is not None]),
                            "activities": sum(r["activities"] for r in inside), "branches": len(inside)})
    return grouped


STAGES = ("planned", "approved", "held", "documented", "scored")


def stages_by_branch(session: Session, path: str, month: str, branches: dict) -> dict[str, dict[str, bool]]:
    """How far each branch's plan of the month went: planned, approved, held, documented (a summary was
    submitted, or media reported a detail score above 0) and scored."""
    reached = {}
    for plan, detail, total in session.execute(
            select(PlanProgress, ScoredActivity.detail_score, ScoredActivity.total)
            .outerjoin(ScoredActivity, ScoredActivity.activity_id == PlanProgress.activity_id)
            .where(PlanProgress.month == month, PlanProgress.branch_path.startswith(path, autoescape=True))).all():
        if plan.branch_id in branches:
            reached[plan.branch_id] = {"planned": plan.planned, "approved": plan.approved, "held": plan.held,
                                       "documented": plan.summarized or bool(detail), "scored": total is not None}
    return reached


def progress(session: Session, org_id: str, month: str, domain: str | None = None) -> dict:
    """For the node and each child: branches, and how many planned, were approved, held, documented
    (a summary was submitted, or media reported a detail score above 0) and scored, with their rates."""
    if not isinstance(month, str) or not MONTH.match(month):
        raise invalid("MONTH_INVALID", "month is like 2026-12", month=month)
    check_domain(domain)
    node = find_node(session, org_id)
    branches = branches_under(session, node["path"], domain)
    reached = stages_by_branch(session, node["path"], month, branches)
    children = session.execute(select(org_nodes).where(org_nodes.c.parent_id == org_id)
                               .order_by(org_nodes.c.name, org_nodes.c.org_id)).mappings().all()

    def tally(path: str) -> dict:
        inside = [branch_id for branch_id, branch in branches.items() if branch["path"].startswith(path)]
        counts = {stage: sum(1 for b in inside if reached.get(b, {}).get(stage)) for stage in STAGES}
        rates = {stage: round(count / len(inside), 4) if inside else None for stage, count in counts.items()}
        return {"branches": len(inside), **counts, "rates": rates}

    return {"org_id": org_id, "name": node["name"], "month": month, "domain": domain, **tally(node["path"]),
            "children": [{"org_id": child["org_id"], "name": child["name"], "level": child["level"],
                          "domain": child["domain"], **tally(child["path"])} for child in children]}
