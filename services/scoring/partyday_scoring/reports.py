"""The data of the monthly inspection (一月一督查), quarterly bulletin (一季一通报) and annual assessment
(一年一考核) of a subtree; the gateway lays them out as XLSX and PDF."""

import re
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_common.errors import invalid
from partyday_scoring import dashboard, formula, plan_progress, rankings, tree
from partyday_scoring.models import Evaluation, GoldenIdea, ScoredActivity
from partyday_scoring_contracts.rpc import STAGE_ZH

PERIODS = {
    "inspection": re.compile(r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"),
    "bulletin": re.compile(r"^[1-9]\d{3}-Q[1-4]$"),
    "assessment": re.compile(r"^[1-9]\d{3}$"),
}
TITLES = {"inspection": "主题党日月度督查", "bulletin": "主题党日季度通报", "assessment": "主题党日年度考核"}


def report(session: Session, org_id: str, kind: str, period: str) -> dict:
    """Headline figures, then one table: every branch's stages (inspection), or the branches ranked
    over the quarter or year with what they were awarded (bulletin, assessment)."""
    if kind not in PERIODS:
        raise invalid(
            "REPORT_KIND_INVALID", "a report is inspection, bulletin or assessment", kind=kind, allowed=list(PERIODS)
        )
    if not isinstance(period, str) or not PERIODS[kind].match(period):
        raise invalid(
            "PERIOD_INVALID",
            "inspection takes a month (2026-12), bulletin a quarter (2026-Q4), assessment a year (2026)",
            period=period,
        )
    progress = [dashboard.progress(session, org_id, month) for month in formula.period_months(period)]
    headline = [
        {"month": p["month"], "branches": p["branches"], **{stage: p[stage] for stage in STAGE_ZH}} for p in progress
    ]
    base = {
        "org_id": org_id,
        "name": progress[0]["name"],
        "kind": kind,
        "title": TITLES[kind],
        "period": period,
        "months": headline,
    }
    if kind == "inspection":
        return {**base, "columns": ["name", "code", *STAGE_ZH, "score"], "rows": _inspection(session, org_id, period)}
    ranked = rankings.ranking(session, org_id, period)
    awards = _awards(session, org_id, period)
    rows = [
        {
            "rank": item["rank"],
            "name": item["name"],
            "code": item["code"],
            "score": item["score"],
            "sign_in_rate": item["sign_in_rate"],
            "activities": item["activities"],
            "awards": "、".join(awards.get(item["org_id"], [])),
        }
        for item in ranked["items"]
    ]
    return {
        **base,
        "columns": ["rank", "name", "code", "score", "sign_in_rate", "activities", "awards"],
        "rows": rows,
        "unscored": ranked["unscored"],
    }


def _inspection(session: Session, org_id: str, month: str) -> list[dict]:
    node = tree.find_node(session, org_id)
    branches = tree.branches_under(session, node["path"], None)
    stages = plan_progress.stages_by_branch(session, node["path"], month, branches)
    scores = {item["org_id"]: item["score"] for item in rankings.ranking(session, org_id, month)["items"]}
    return sorted(
        (
            {
                "name": b["name"],
                "code": b["code"],
                **{stage: bool(stages.get(branch_id, {}).get(stage)) for stage in STAGE_ZH},
                "score": scores.get(branch_id),
            }
            for branch_id, b in branches.items()
        ),
        key=lambda row: row["code"],
    )


def _awards(session: Session, org_id: str, period: str) -> dict[str, list[str]]:
    """Per branch, the published awards of the period's evaluations of this organisation."""
    months = formula.period_months(period)
    quarters = sorted({f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}" for m in months})
    published = session.scalars(
        select(Evaluation).where(
            Evaluation.org_id == org_id, Evaluation.stage == "published", Evaluation.period.in_(months + quarters)
        )
    ).all()
    won: dict[str, Counter] = {}
    for evaluation in published:
        labels = (
            (("金点子", evaluation.best),)
            if evaluation.kind == "golden_ideas"
            else (("最佳", evaluation.best), ("优秀", evaluation.excellent))
        )
        for label, candidate_ids in labels:
            activities = select(ScoredActivity.branch_id).where(ScoredActivity.activity_id.in_(candidate_ids))
            ideas = select(GoldenIdea.branch_id).where(GoldenIdea.id.in_(candidate_ids))
            for branch_id in [*session.scalars(activities), *session.scalars(ideas)]:
                won.setdefault(branch_id, Counter())[label] += 1
    return {
        branch_id: [f"{label}×{count}" if count > 1 else label for label, count in sorted(counts.items())]
        for branch_id, counts in won.items()
    }
