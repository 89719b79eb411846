"""The data of the monthly inspection (一月一督查), quarterly bulletin (一季一通报) and annual assessment
(一年一考核) of a subtree; the gateway lays them out as XLSX and PDF."""

import re
from collections import Counter
from datetime import datetime

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


def report(session: Session, org_id: str, kind: str, period: str, now: datetime) -> dict:
    """Headline figures, the summary's figures with the previous period's to compare, the ranking (for the
    chart), then one table: every branch's stages (inspection), or the branches ranked over the quarter or year
    with what they were awarded (bulletin, assessment)."""
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
    headline = _headline(session, org_id, period)
    ranked = rankings.ranking(session, org_id, period)
    before = previous_period(period)
    # A quarter or a year under way is summed over its months so far: the months to come owe nothing yet (a period
    # still to come is summed over its first month, its branches known, nothing held).
    elapsed = [month for month in headline if month["month"] <= dashboard.current_month(now)] or headline[:1]
    summary = {
        **figures(elapsed, ranked["items"], ranked["unscored"]),
        "previous": comparable(
            before, figures(_headline(session, org_id, before), rankings.ranking(session, org_id, before)["items"], 0)
        ),
    }
    base = {
        "org_id": org_id,
        "name": ranked["name"],
        "level": tree.find_node(session, org_id)["level"],
        "kind": kind,
        "title": TITLES[kind],
        "period": period,
        "months": headline,
        "summary": summary,
        "ranking": [{"rank": i["rank"], "name": i["name"], "score": i["score"]} for i in ranked["items"]],
    }
    if kind == "inspection":
        return {
            **base,
            "columns": ["name", "code", *STAGE_ZH, "score"],
            "rows": _inspection(session, org_id, period, ranked["items"]),
        }
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


def previous_period(period: str) -> str:
    """The period before: the month, quarter or year before this one."""
    if len(period) == 4:
        return str(int(period) - 1)
    year = int(period[:4])
    if "-Q" in period:
        quarter = int(period[-1])
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    month = int(period[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def figures(months: list[dict], ranked: list[dict], unscored: int) -> dict:
    """A period's figures for the written summary: the branches (those of its last month), every stage counted
    over its branch-months, the share held, the mean of the ranked branches' scores and the branches sharing the
    best and the weakest score (the weakest only when two or more were scored)."""
    counts = {stage: sum(month[stage] for month in months) for stage in STAGE_ZH}
    branch_months = sum(month["branches"] for month in months)
    scores = [item["score"] for item in ranked]
    top, bottom = (max(scores), min(scores)) if scores else (None, None)
    return {
        "branches": months[-1]["branches"] if months else 0,
        "months": len(months),
        "branch_months": branch_months,
        **counts,
        "held_rate": round(counts["held"] / branch_months, 4) if branch_months else None,
        "scored_branches": len(ranked),
        "unscored": unscored,
        "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
        "best": [{"name": i["name"], "score": i["score"]} for i in ranked if i["score"] == top],
        "weakest": [{"name": i["name"], "score": i["score"]} for i in ranked if i["score"] == bottom]
        if len(ranked) > 1
        else [],
    }


def comparable(period: str, before: dict) -> dict | None:
    """The previous period's figures to compare with, or None when nothing was planned nor scored in it."""
    if not before["planned"] and not before["scored_branches"]:
        return None
    keep = ("branches", "branch_months", "planned", "held", "held_rate", "scored_branches", "mean_score")
    return {"period": period, **{key: before[key] for key in keep}}


def _headline(session: Session, org_id: str, period: str) -> list[dict]:
    progress = [dashboard.progress(session, org_id, month) for month in formula.period_months(period)]
    return [
        {"month": p["month"], "branches": p["branches"], **{stage: p[stage] for stage in STAGE_ZH}} for p in progress
    ]


def _inspection(session: Session, org_id: str, month: str, ranked: list[dict]) -> list[dict]:
    node = tree.find_node(session, org_id)
    branches = tree.branches_under(session, node["path"], None)
    stages = plan_progress.stages_by_branch(session, node["path"], month, branches)
    scores = {item["org_id"]: item["score"] for item in ranked}
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
