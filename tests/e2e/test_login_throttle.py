"""Failed login attempts from one address are limited, whatever the phone numbers tried; successful ones are not.

Issue 18 changed this: the limit lives in the directory (shared by every gateway) and counts failures only, so the
fixture's own admin login no longer uses an attempt."""

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE": "8"}


def test_too_many_login_attempts_from_one_address_are_429_with_retry_after(stack):
    answers = [
        stack.http.post("/api/v1/auth/login", json={"phone": f"1370000{n:04d}", "password": "guess-pass"})
        for n in range(10)
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:8] == [401] * 8
    assert statuses[8:] == [429, 429]
    limited = answers[-1]
    assert limited.json()["error"]["code"] == "LOGIN_RATE_LIMITED"
    assert 0 < int(limited.headers["Retry-After"]) <= 61
