"""Every operation of the API that a person uses is reached from a page: the console, the phone, the voting page or
the venue's screen names its path with its method (a call, a link, an image, a download). The operations no page
names are listed here with the reason: those whose address the API itself answers to a page that follows it, and
those no person needs. A new operation that no page reaches, or a listed one that a page now names, fails the test.

The pages' scripts are read as they are written: string and template literals that start with `/` (or `/api/v1/`),
each `${…}` standing for anything within one path segment, what follows `?` or a `${query(…)}` dropped, and the
method the `method: '…'` written after the literal and before the next path says (GET without one). A literal made
of `${…}` alone names nothing."""

import re
from pathlib import Path

from partyday_gateway.app import create_app

WEB = Path(__file__).resolve().parents[2] / "services" / "gateway" / "partyday_gateway" / "web"
API = "/api/v1"
# Operations whose address an answer of the API carries, which a page then follows; where.
FOLLOWED_FROM_ANSWERS = {
    "GET /api/v1/campaigns/{campaign_id}/photos/{media_id}": "a campaign's candidates answer each photo's "
    "`thumbnail_url` and `web_url`, which the voting pages show (campaign.js)",
    "GET /api/v1/study-materials/{material_id}": "a month's and a directive's materials answer each one's `url`, "
    "which the phone's month (month.js) and the console's study view (console/study.js) open",
    "GET /api/v1/study-notes/{note_id}": "the six-haves archive answers each study note as a link, which the "
    "console's archive (console/archive.js) opens beside the list",
    "GET /api/v1/plans/{plan_id}": "the six-haves archive answers the month's plan as a link, which the console's "
    "archive opens; the plan pages read a plan within its branch's month (GET /branches/{id}/months/{month})",
}
# Operations no page needs, and why.
API_ONLY = {
    "GET /api/v1/orgs": "the one organisation with an exact code, for integrations; the pages search by name or "
    "code instead (GET /api/v1/orgs/search)",
    "GET /api/v1/rectifications/{rectification_id}": "one notice, for integrations: every list the pages show "
    "answers each notice whole, with its history",
    "GET /api/v1/media/{media_id}/details": "one upload, for integrations: the review queue, the galleries and the "
    "archive answer every upload whole",
    "GET /api/v1/lost-members/{entry_id}": "one entry of the lost-contact register, for integrations: the register's "
    "list (console/lost-members.js) answers every entry whole, with its steps",
}
LITERAL = re.compile(r"`(/[^`]*)`|'(/[^']*)'|\"(/[^\"]*)\"")
QUERY_CALL = re.compile(r"\$\{query\([^`]*?\)\}")
PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
QUERY_STRING = re.compile(r"[?&].*$")
ROUTE_PARAMETER = re.compile(r"\{[^}]+\}")
METHOD = re.compile(r"method:\s*'([A-Z]+)'")


def _page_operations() -> set[tuple[str, str]]:
    """The operations the pages name: their method and path relative to the API's root, each `${…}` as `{}`."""
    found = set()
    for source in [*WEB.glob("*.html"), *WEB.glob("static/**/*.js")]:
        text = source.read_text(encoding="utf-8")
        literals = list(LITERAL.finditer(text))
        for match, following in zip(literals, [*literals[1:], None]):
            literal = next(group for group in match.groups() if group is not None)
            method = METHOD.search(text, match.end(), following.start() if following else len(text))
            for written in _choices(QUERY_CALL.sub("", literal)):
                path = QUERY_STRING.sub("", PLACEHOLDER.sub("{}", written)).removeprefix(API) or "/"
                if path.strip("/{}"):
                    found.add((method.group(1) if method else "GET", path))
    return found


def _choices(literal: str) -> list[str]:
    """The literal once per path its first `${…}` that chooses between quoted words may give (`${kind ===
    'sign_in' ? 'check-in' : 'check-out'}`: both; a comparison's operand is not a choice), each expanded again."""
    for placeholder in PLACEHOLDER.finditer(literal):
        words = re.findall(r"\?\s*'([^']*)'\s*:\s*'([^']*)'", placeholder.group())
        if words:
            head, tail = literal[: placeholder.start()], literal[placeholder.end() :]
            return [path for word in words[0] for path in _choices(head + word + tail)]
    return [literal]


def _segment_matches(page_segment: str, route_segment: str) -> bool:
    """Whether a page's path segment may be the route's: the route's parameters match anything, and a `${…}`
    of the page anything too (a query string built ahead, `/rankings${params}`, or a choice of paths)."""
    parts = ROUTE_PARAMETER.split(route_segment)
    if re.fullmatch(r"(?:[^/]+|\{\})".join(re.escape(part) for part in parts), page_segment):
        return True
    written = "(?:.*)".join(re.escape(part) for part in page_segment.split("{}"))
    return re.fullmatch(written, route_segment) is not None


def _reached(operation: str, page_operations: set[tuple[str, str]]) -> bool:
    method, route = operation.split(" ", 1)
    route_segments = route.removeprefix(API).strip("/").split("/")
    return any(
        named == method
        and len(segments) == len(route_segments)
        and all(map(_segment_matches, segments, route_segments))
        for named, segments in ((named, path.strip("/").split("/")) for named, path in page_operations)
    )


def _api_operations() -> set[str]:
    """The API's operations as its OpenAPI document names them: `METHOD /api/v1/...`."""
    paths = create_app().openapi()["paths"]
    return {
        f"{method.upper()} {path}"
        for path, methods in paths.items()
        if path.startswith(API + "/")
        for method in methods
    }


def test_every_operation_a_person_uses_is_reached_from_a_page():
    page_operations = _page_operations()
    listed = set(API_ONLY) | set(FOLLOWED_FROM_ANSWERS)
    unreached = sorted(op for op in _api_operations() - listed if not _reached(op, page_operations))
    assert unreached == [], "operations no page reaches (add the control, or list the operation here with why)"


def test_every_listed_operation_exists_and_no_page_names_it():
    page_operations = _page_operations()
    listed = set(API_ONLY) | set(FOLLOWED_FROM_ANSWERS)
    assert sorted(listed - _api_operations()) == [], "listed operations the gateway no longer has"
    assert sorted(op for op in listed if _reached(op, page_operations)) == [], "listed operations a page names"
    assert not set(API_ONLY) & set(FOLLOWED_FROM_ANSWERS)
