from sqlalchemy import DateTime, ForeignKey, Index, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from partyday_common.tables import add_bus_tables

metadata = MetaData()
add_bus_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Org(Base):
    """A node of the organisation tree; `path` is '/root-id/.../own-id/'."""

    __tablename__ = "orgs"
    __table_args__ = (Index("ix_orgs_path", "path"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    level: Mapped[str] = mapped_column(String(32))
    domain: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(1000))
    created_at = mapped_column(DateTime(timezone=True), nullable=False)
