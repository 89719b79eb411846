from sqlalchemy import MetaData

from partyday_common.orgtree import add_org_projection
from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
org_nodes = add_org_projection(metadata)
