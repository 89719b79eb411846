"""Refuses, before any route runs, input no service should ever see.

- a body larger than PARTYDAY_MAX_JSON_BYTES (413 `BODY_TOO_LARGE`), except a form sent to one of the
  upload routes, which stream and limit their own bodies;
- a control character other than tab and line breaks in the path, the query or any
  string of a JSON body (400 `INVALID_CHARACTER`): NUL above all, which PostgreSQL
  cannot store and which would otherwise surface as a 500.
"""

import json
import re
from urllib.parse import parse_qsl, unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from partyday_gateway.errors import error_response

FORBIDDEN_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Forms sent to these routes are streamed to them, which check their size and content as they read.
FORM_TYPES = {b"multipart/form-data", b"application/x-www-form-urlencoded"}
UPLOAD_ROUTES = re.compile(r"/api/v1/(activities/[^/]+/media|directives/[^/]+/materials|members/import)")


def find_control_character(value, where: str) -> str | None:
    """Where in `value` a forbidden control character sits, or None."""
    if isinstance(value, str):
        if FORBIDDEN_CONTROLS.search(value):
            return where
    elif isinstance(value, dict):
        for key, item in value.items():
            found = find_control_character(key, where) or find_control_character(item, f"{where}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_control_character(item, f"{where}[{index}]")
            if found:
                return found
    return None


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp, max_json_bytes: int):
        self.app = app
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        where = find_control_character(unquote(scope["path"]), "path") or find_control_character(
            [value for _, value in parse_qsl(query, keep_blank_values=True)], "query"
        )
        if where:
            await self._refuse(scope, receive, send, 400, "INVALID_CHARACTER", where)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type in FORM_TYPES and UPLOAD_ROUTES.fullmatch(scope["path"]):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_json_bytes:
                await self._refuse(scope, receive, send, 413, "BODY_TOO_LARGE", "body")
                return
        try:
            where = find_control_character(json.loads(body), "body") if body else None
        except RecursionError:
            await self._refuse(scope, receive, send, 400, "MALFORMED_JSON", "body")
            return
        except ValueError:
            where = None
        if where:
            await self._refuse(scope, receive, send, 400, "INVALID_CHARACTER", where)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send, status: int, code: str, where: str) -> None:
        if status == 413:
            message = f"a request body may hold at most {self.max_json_bytes} bytes outside the upload routes"
        elif code == "MALFORMED_JSON":
            message = "the request body nests too deeply"
        else:
            message = f"the {where} holds a control character"
        await error_response(status, code, message, {"where": where})(scope, receive, send)
