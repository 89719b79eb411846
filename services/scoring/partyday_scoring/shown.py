"""Means as the pages show them, computed by the database so that lists are ranked and paged there: rounded
half away from zero at the decimals shown, the same on PostgreSQL and SQLite. An order taken from a shown mean
(a ranking's score, a candidate's judged total) is the order a reader can check against the page."""

from sqlalchemy import Numeric, cast, func


def rounded(value, decimals: int):
    """`value` (an SQL expression) rounded to `decimals` places, half away from zero."""
    return func.round(cast(value, Numeric), decimals)


def number(value) -> float | None:
    """A rounded mean as read back (a Decimal on PostgreSQL, a float on SQLite), as the answer's float."""
    return None if value is None else float(value)
