"""The services as the gateway tests fake them: one `FakeRpc` that records every call and answers per
(service, method)."""

from collections.abc import Callable
from typing import Any, NamedTuple

# The gateway's own questions about the caller and the tree, answered from `caller` and `nodes`, and kept out of
# `calls` so that a test reads only what a route asked of the services.
GATEWAYS_OWN = frozenset({("directory", "auth_context"), ("directory", "org_paths")})


class Call(NamedTuple):
    service: str
    method: str
    args: tuple
    kwargs: dict


class NoAnswer(AssertionError):
    """The test gave no answer for a call the gateway made."""


class FakeRpc:
    """Stands in for `NamekoRpcClient`.

    `answer(service, method, *outcomes)` says what a method answers: a value is returned, an exception raised, and
    a callable is called with the call's arguments for its answer; several outcomes are taken in turn, the last one
    for good. A method without an answer takes `default` when one is given, and fails the test otherwise. The
    caller's `auth_context` is `caller`; `org_paths` finds each asked node with `nodes` (a mapping, or a function of
    the org id; an unknown node is left out). `calls` lists the calls to the services in order, `all_calls` those
    and the gateway's own questions."""

    ready = True
    _NO_DEFAULT = object()

    def __init__(
        self,
        caller: dict | None = None,
        nodes: dict | Callable[[str], dict | None] | None = None,
        default: Any = _NO_DEFAULT,
    ):
        self.caller = caller
        self.nodes = nodes if nodes is not None else {}
        self.default = default
        self.all_calls: list[Call] = []
        self.subscriptions: list = []
        self._answers: dict[tuple[str, str], list] = {}

    def answer(self, service: str, method: str, *outcomes) -> "FakeRpc":
        self._answers[(service, method)] = list(outcomes)
        return self

    @property
    def calls(self) -> list[Call]:
        return [call for call in self.all_calls if (call.service, call.method) not in GATEWAYS_OWN]

    def called(self, method: str) -> list[Call]:
        """The calls to `method` of any service."""
        return [call for call in self.calls if call.method == method]

    def subscribe(self, subscription) -> None:
        self.subscriptions.append(subscription)

    async def call(self, service: str, method: str, *args, timeout: float | None = None, **kwargs):
        self.all_calls.append(Call(service, method, args, kwargs))
        return _outcome(self._next(service, method), args, kwargs)

    async def close(self) -> None:
        pass

    def _next(self, service: str, method: str):
        outcomes = self._answers.get((service, method))
        if outcomes:
            return outcomes.pop(0) if len(outcomes) > 1 else outcomes[0]
        if (service, method) == ("directory", "auth_context") and self.caller is not None:
            return self.caller
        if (service, method) == ("directory", "org_paths"):
            return self._org_paths
        if self.default is not self._NO_DEFAULT:
            return self.default
        raise NoAnswer(f"no answer for {service}.{method}")

    def _org_paths(self, org_ids: list[str]) -> dict:
        find = self.nodes if callable(self.nodes) else self.nodes.get
        return {org_id: node for org_id in org_ids if (node := find(org_id)) is not None}


def _outcome(outcome, args: tuple, kwargs: dict):
    if isinstance(outcome, BaseException):
        raise outcome
    if callable(outcome):
        return outcome(*args, **kwargs)
    return outcome


def under_root(level: str) -> Callable[[str], dict]:
    """Every node exists, right under the root, at `level`."""
    return lambda org_id: {"path": f"/root/{org_id}/", "level": level, "name": "x"}


def context(roles=(), org_id="b1", kind="member", member_id="m1", org_path=None, name="x") -> dict:
    """The directory's `auth_context` of a live session: `roles` as (role, org_id, org_path)."""
    return {
        "session_active": True,
        "kind": kind,
        "subject": member_id or "p1",
        "member_id": member_id,
        "name": name,
        "org_id": org_id,
        "org_path": org_path,
        "roles": [{"role": role, "org_id": node, "org_path": path, "grant_id": "g"} for role, node, path in roles],
    }
