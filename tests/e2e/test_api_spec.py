"""The OpenAPI document tells the truth: schemathesis sends generated requests, valid and invalid, to every operation
of the running stack as the city admin, first with generated ids and then with the ids of records that exist, and
every answer is a documented status with a documented content type, never a server error."""

from datetime import datetime, timedelta, timezone

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from partyday_common.settings import DEVELOPMENT_ADMIN_PASSWORD as ADMIN_PASSWORD
from partyday_common.settings import DEVELOPMENT_ADMIN_PHONE as ADMIN_PHONE
from tests.fixtures import media_corpus

# Few examples per operation keep the run over the whole API within a few minutes.
EXAMPLES_PER_OPERATION = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]
# Ending a session ends it for every later request: logout is sent with a session of its own.
OWN_SESSION = {"/api/v1/auth/logout"}
VENUE = {"name": "会议室", "lat": 33.07, "lon": 107.03, "radius_m": 200}


@pytest.fixture(scope="module")
def records(stack):
    """Ids of records that exist, by the names of the parameters that take them."""
    root = stack.http.get("/api/v1/orgs", params={"code": "HZ"}, headers=stack.admin).json()
    county = stack.create_org(root["org_id"], "county", "区委")
    township = stack.create_org(county, "township", "街道")
    branch = stack.create_org(township, "branch", "第一支部")
    member = stack.create_member(branch, "spec-pass-1")
    now = datetime.now(timezone.utc)
    activity = stack.approved_activity(
        branch, now - timedelta(hours=2), now - timedelta(hours=1), theme="主题党日", venue=VENUE
    )
    photo = stack.http.post(
        f"/api/v1/activities/{activity}/media",
        headers=stack.admin,
        files={"file": ("photo.jpg", media_corpus.jpeg(), "image/jpeg")},
    )
    assert photo.status_code == 201, photo.text
    plan = stack.http.get(f"/api/v1/activities/{activity}", headers=stack.admin).json()["plan"]
    return {
        "org_id": root["org_id"],
        "branch_id": branch,
        "member_id": member["member_id"],
        "activity_id": activity,
        "plan_id": plan["plan_id"],
        "media_id": photo.json()["media_id"],
        "month": plan["month"],
        "year": plan["month"][:4],
    }


def _explore(stack, operation, known: dict | None) -> list[str]:
    """What went wrong in a few generated calls of one operation (with the ids in `known` instead of generated
    ones, when given), one line each."""
    found = []
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        if known:
            case.path_parameters = {
                name: known.get(name, value) for name, value in (case.path_parameters or {}).items()
            }
            if case.query:
                case.query = {name: known.get(name, value) for name, value in case.query.items()}
        headers = stack.login(ADMIN_PHONE, ADMIN_PASSWORD) if case.path in OWN_SESSION else stack.admin
        response = case.call(base_url=stack.base_url, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as failures:
            for failure in failures.exceptions:
                found.append(
                    f"{operation.method.upper()} {operation.path} -> {response.status_code} "
                    f"{response.headers.get('content-type')}: {failure.title} {response.text[:300]!r}"
                )

    call()
    return found


def test_every_answer_is_documented_and_none_is_a_server_error(stack, records):
    schema = schemathesis.openapi.from_url(f"{stack.base_url}/openapi.json")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        failures += _explore(stack, operation, None)
        failures += _explore(stack, operation, records)
    unique = sorted(set(failures))
    assert not unique, f"{len(unique)} answers break the OpenAPI document:\n" + "\n".join(unique)
