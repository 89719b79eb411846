"""The other meetings of a branch's organisational life (三会一课): the members' meeting, the branch committee, the
party group meeting and the party lecture, planned on the theme day's loop (`plans.py`, `review.py`).

Each organisation may set, per kind and for its subtree, whether a plan of the kind waits for a superior's
approval and how often a branch must hold one (its cadence, `cadence.py`); a branch follows the nearest node on
its path with a setting for the kind, or `DEFAULTS`. The theme day always waits for approval and has its own
deadlines (`overdue.py`). A branch that held no meeting of a kind in a completed period of its cadence is overdue
for it: the list is found, counted and paged by one query."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, literal, or_, select, union_all
from sqlalchemy.orm import Session

from partyday_common import audit
from partyday_common.db import utcnow
from partyday_common.errors import invalid
from partyday_common.pagination import page_bounds
from partyday_plans import cadence, deadlines
from partyday_plans.models import MeetingSetting, Plan, org_nodes
from partyday_plans.nodes import ancestors, branches_under, node
from partyday_plans.paging import counted_page
from partyday_plans.schedules import schedule_for
from partyday_plans_contracts.rpc import MeetingSettingsSet

THEME_DAY = "theme_day"
MEETING_KINDS = ("members_meeting", "branch_committee", "group_meeting", "party_lecture")
# A meeting counts as held once its time has passed (held), and after its minutes (summarized, archived).
HELD = ("held", "summarized", "archived")


@dataclass(frozen=True)
class Setting:
    requires_approval: bool
    cadence: str


DEFAULTS = {
    "members_meeting": Setting(False, cadence.QUARTERLY),
    "branch_committee": Setting(False, cadence.MONTHLY),
    "group_meeting": Setting(False, cadence.MONTHLY),
    "party_lecture": Setting(False, cadence.QUARTERLY),
}


def _own_on_path(session: Session, path: str) -> dict[tuple[str, str], MeetingSetting]:
    ids = ancestors(path)
    return {
        (s.org_id, s.kind): s for s in session.scalars(select(MeetingSetting).where(MeetingSetting.org_id.in_(ids)))
    }


def _resolved(path: str, own: dict[tuple[str, str], MeetingSetting], kind: str) -> tuple[Setting, str | None]:
    """The setting of `kind` for the node at `path` and the node it comes from (None for the defaults)."""
    for org_id in reversed(ancestors(path)):
        found = own.get((org_id, kind))
        if found is not None:
            return Setting(found.requires_approval, found.cadence), org_id
    return DEFAULTS[kind], None


def requires_approval(session: Session, branch_path: str, kind: str) -> bool:
    """Whether a plan of `kind` of the branch at `branch_path` waits for a superior's approval."""
    if kind == THEME_DAY:
        return True
    setting, _ = _resolved(branch_path, _own_on_path(session, branch_path), kind)
    return setting.requires_approval


def get_settings(session: Session, org_id: str) -> dict:
    """An organisation's meeting settings as they stand, per kind: its own (`own`), or the ones it follows
    (`from_org_id`, None for the defaults)."""
    target = node(session, org_id)
    own = _own_on_path(session, target["path"])
    kinds = {}
    for kind in MEETING_KINDS:
        setting, source = _resolved(target["path"], own, kind)
        kinds[kind] = {
            "requires_approval": setting.requires_approval,
            "cadence": setting.cadence,
            "own": source == org_id,
            "from_org_id": source,
        }
    return {"org_id": org_id, "kinds": kinds}


def set_settings(session: Session, org_id: str, request: MeetingSettingsSet) -> dict:
    """Set an organisation's own settings of the kinds the request names, for its subtree."""
    target = node(session, org_id)
    for kind, setting in request.kinds.items():
        row = session.get(MeetingSetting, (org_id, kind)) or MeetingSetting(org_id=org_id, kind=kind)
        row.requires_approval, row.cadence = setting.requires_approval, setting.cadence
        row.updated_at = utcnow()
        session.add(row)
    audit.record(
        session, "meeting_settings.set", "meeting_settings", org_id, target["path"], request.model_dump(mode="json")
    )
    session.flush()
    return get_settings(session, org_id)


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in MEETING_KINDS:
        raise invalid("MEETING_KIND_INVALID", f"kind is one of {', '.join(MEETING_KINDS)}", kind=kind)


def _cadence_of_branches(session: Session, root_path: str, kind: str):
    """A SQL expression over `org_nodes`: the cadence of `kind` each branch of the subtree follows."""
    above = _own_on_path(session, root_path)
    fallback, _ = _resolved(root_path, above, kind)
    # Settings are kept by organisation id; where each organisation now stands is the tree projection's.
    inside = session.execute(
        select(org_nodes.c.path, MeetingSetting.cadence)
        .join(org_nodes, org_nodes.c.org_id == MeetingSetting.org_id)
        .where(MeetingSetting.kind == kind, org_nodes.c.path.startswith(root_path, autoescape=True))
    ).all()
    nearest_first = sorted(inside, key=lambda row: len(row.path), reverse=True)
    if not nearest_first:
        return literal(fallback.cadence)
    return case(
        *[(org_nodes.c.path.startswith(row.path, autoescape=True), row.cadence) for row in nearest_first],
        else_=fallback.cadence,
    )


def _overdue_of_kind(session: Session, root_path: str, kind: str, month: str, now: datetime, time_zone: str):
    follows = _cadence_of_branches(session, root_path, kind)
    missed = []
    for name in cadence.CADENCES:
        period = cadence.period_of(name, month)
        if not cadence.completed(period, now, time_zone):
            continue
        held = exists().where(
            Plan.branch_id == org_nodes.c.org_id,
            Plan.kind == kind,
            Plan.month.in_(period.months),
            Plan.status.in_(HELD),
        )
        missed.append(and_(follows == name, ~held))
    if not missed:
        return None
    return (
        branches_under(root_path).add_columns(literal(kind).label("kind"), follows.label("cadence")).where(or_(*missed))
    )


def overdue_page(
    session: Session, org_id: str, month: str, kind: str | None, page: int, page_size: int, now: datetime
) -> dict:
    """The subtree's branches that held no meeting of a kind (each, or `kind`) in the completed period of their
    cadence that `month` falls in, by name: a month for a monthly kind, its quarter for a quarterly one (listed
    once the quarter has ended)."""
    deadlines.parse_month(month)
    check_kind(kind)
    offset, limit = page_bounds(page, page_size)
    root = node(session, org_id)
    time_zone = schedule_for(session, root["path"], []).time_zone
    queries = [
        query
        for each in ([kind] if kind else MEETING_KINDS)
        if (query := _overdue_of_kind(session, root["path"], each, month, now, time_zone)) is not None
    ]
    answer = {"org_id": org_id, "month": month, "kind": kind, "page": page, "page_size": page_size}
    if not queries:
        return {**answer, "total": 0, "items": []}
    rows = union_all(*queries).subquery()
    query = select(rows).order_by(rows.c.name, rows.c.org_id, rows.c.kind)
    total, found = counted_page(session, query, offset, limit)
    items = [
        {
            "branch_id": row.org_id,
            "name": row.name,
            "parent_id": row.parent_id,
            "kind": row.kind,
            "cadence": row.cadence,
            "period": cadence.period_of(row.cadence, month).label,
        }
        for row in found
    ]
    return {**answer, "total": total, "items": items}


def held_counts(session: Session, branch_ids: list[str], month: str) -> dict[str, dict[str, int]]:
    """Per branch, how many meetings of each kind it held in `month` (every kind, 0 when none)."""
    counts = {branch_id: dict.fromkeys(MEETING_KINDS, 0) for branch_id in branch_ids}
    for branch_id, kind in session.execute(
        select(Plan.branch_id, Plan.kind).where(
            Plan.branch_id.in_(branch_ids), Plan.month == month, Plan.kind != THEME_DAY, Plan.status.in_(HELD)
        )
    ):
        counts[branch_id][kind] += 1
    return counts
