"""The progress dashboard: for a node and each child, how many branches planned, were approved, held,
documented and scored in a month."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from partyday_common.errors import invalid
from partyday_scoring import formula, plan_progress, rankings, tree
from partyday_scoring.settings import get_settings

STAGES = ("planned", "approved", "held", "documented", "scored")


def current_month(now: datetime) -> str:
    """The month `now` falls in, in PARTYDAY_SCORING_TIME_ZONE."""
    return now.astimezone(ZoneInfo(get_settings().scoring_time_zone)).strftime("%Y-%m")


def progress(session: Session, org_id: str, month: str, domain: str | None = None) -> dict:
    """For the node and each child: branches, and how many planned, were approved, held, documented
    (a summary was submitted, or media reported a detail score above 0) and scored their theme day, with their
    rates; and per other kind of meeting (`meetings`), how many branches planned and held one in the month."""
    if not isinstance(month, str) or not formula.MONTH.match(month):
        raise invalid("MONTH_INVALID", "month is like 2026-12", month=month)
    rankings.check_domain(domain)
    node = tree.find_node(session, org_id)
    branches = tree.branches_under(session, node["path"], domain)
    reached = plan_progress.stages_by_branch(session, node["path"], month, branches)
    meetings = plan_progress.meetings_by_branch(session, node["path"], month, branches)

    def tally(path: str) -> dict:
        inside = [branch_id for branch_id, branch in branches.items() if branch["path"].startswith(path)]
        counts = {stage: sum(1 for b in inside if reached.get(b, {}).get(stage)) for stage in STAGES}
        rates = {stage: round(count / len(inside), 4) if inside else None for stage, count in counts.items()}
        held_meetings = {
            kind: {
                stage: sum(1 for b in inside if meetings.get(b, {}).get(kind, {}).get(stage))
                for stage in ("planned", "held")
            }
            for kind in plan_progress.MEETING_KINDS
        }
        return {"branches": len(inside), **counts, "rates": rates, "meetings": held_meetings}

    return {
        "org_id": org_id,
        "name": node["name"],
        "month": month,
        "domain": domain,
        **tally(node["path"]),
        "children": [
            {
                "org_id": child["org_id"],
                "name": child["name"],
                "level": child["level"],
                "domain": child["domain"],
                **tally(child["path"]),
            }
            for child in tree.children(session, org_id, ordered=True)
        ],
    }
