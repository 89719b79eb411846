from datetime import datetime, timezone

from sqlalchemy import func, select

from partyday_common.db import Database
from partyday_common.errors import invalid, not_found
from partyday_common.orgtree import OrgTreeProjection, get_node, subtree_filter
from partyday_common.pagination import page_bounds
from partyday_common.service import PartydayService, rpc
from partyday_plans import deadlines
from partyday_plans.models import metadata, org_nodes


class PlansService(OrgTreeProjection, PartydayService):
    name = "plans"
    db = Database(metadata)
    org_nodes = org_nodes

    @rpc
    def overdue(self, org_id: str, month: str, page: int = 1, page_size: int = 50,
                now: str | None = None) -> dict:
        """Branches under `org_id` whose plan or summary for `month` is past its deadline."""
        deadlines.parse_month(month)
        offset, limit = page_bounds(page, page_size)
        at = _parse_now(now)
        with self.db.transaction() as session:
            node = get_node(session, org_nodes, org_id)
            if node is None:
                raise not_found("org", org_id)
            missing = deadlines.missing_items(month, at, has_plan=False, has_summary=False)
            branches = (select(org_nodes.c.org_id, org_nodes.c.name, org_nodes.c.parent_id)
                        .where(subtree_filter(org_nodes, node["path"]), org_nodes.c.level == "branch"))
            total = session.scalar(select(func.count()).select_from(branches.subquery())) if missing else 0
            rows = session.execute(
                branches.order_by(org_nodes.c.name, org_nodes.c.org_id).offset(offset).limit(limit)
            ).mappings().all() if missing else []
        return {
            "org_id": org_id, "month": month, "total": total, "page": page, "page_size": page_size,
            "items": [{"branch_id": r["org_id"], "name": r["name"], "parent_id": r["parent_id"],
                       "missing": missing} for r in rows],
        }


def _parse_now(now: str | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(now)
    except ValueError:
        raise invalid("NOW_INVALID", "now must be an ISO 8601 time with an offset", now=now)
    if parsed.tzinfo is None:
        raise invalid("NOW_INVALID", "now must carry a UTC offset", now=now)
    return parsed
