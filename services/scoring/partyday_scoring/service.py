from sqlalchemy import select

from partyday_common.db import Database
from partyday_common.errors import invalid, not_found
from partyday_common.orgtree import OrgTreeProjection, count_branches_under, get_node
from partyday_common.service import PartydayService, rpc
from partyday_common.vocabulary import DOMAINS
from partyday_scoring.models import metadata, org_nodes


class ScoringService(OrgTreeProjection, PartydayService):
    name = "scoring"
    db = Database(metadata)
    org_nodes = org_nodes

    @rpc
    def progress(self, org_id: str, domain: str | None = None) -> dict:
        """For each child of `org_id`, how many branches its subtree holds (of `domain`, if given)."""
        if domain is not None and domain not in DOMAINS:
            raise invalid("DOMAIN_INVALID", "unknown domain", domain=domain, allowed=sorted(DOMAINS))
        with self.db.transaction() as session:
            node = get_node(session, org_nodes, org_id)
            if node is None:
                raise not_found("org", org_id)
            children = session.execute(
                select(org_nodes).where(org_nodes.c.parent_id == org_id)
                .order_by(org_nodes.c.name, org_nodes.c.org_id)
            ).mappings().all()
            rows = [{
                "org_id": child["org_id"], "name": child["name"], "level": child["level"],
                "domain": child["domain"],
                "branches": count_branches_under(session, org_nodes, child["path"], domain),
            } for child in children]
        return {"org_id": org_id, "domain": domain, "children": rows}
