from sqlalchemy import MetaData

from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)
