"""Paging arguments, checked the same way everywhere."""

from partyday_common.errors import invalid

MAX_PAGE_SIZE = 500
MAX_PAGE = 100_000


def page_bounds(page: int, page_size: int) -> tuple[int, int]:
    """(offset, limit) for a 1-based page; bad values are a client error."""
    if not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise invalid("PAGE_INVALID", f"page must be a whole number from 1 to {MAX_PAGE}", page=page)
    if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise invalid("PAGE_SIZE_INVALID", f"page_size must be from 1 to {MAX_PAGE_SIZE}", page_size=page_size)
    return (page - 1) * page_size, page_size
