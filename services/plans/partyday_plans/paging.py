"""A page of a query, counted and cut in SQL."""

from sqlalchemy import Result, func, select
from sqlalchemy.orm import Session


def counted_page(session: Session, query, offset: int, limit: int) -> tuple[int, Result]:
    """The number of rows `query` finds, and the rows from `offset`, at most `limit` of them."""
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    return total, session.execute(query.offset(offset).limit(limit))
