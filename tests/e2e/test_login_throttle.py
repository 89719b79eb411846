"""Login attempts from one address are limited, whatever the phone numbers tried."""

STACK_ENVIRONMENT = {"PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "8"}


def test_too_many_login_attempts_from_one_address_are_429_with_retry_after(stack):
    answers = [
        stack.http.post("/api/v1/auth/login", json={"phone": f"1370000{n:04d}", "password": "guess-pass"})
        for n in range(10)
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:7] == [401] * 7, "the fixture's own admin login used one attempt"
    assert statuses[7:] == [429, 429, 429]
    limited = answers[-1]
    assert limited.json()["error"]["code"] == "LOGIN_RATE_LIMITED"
    assert 0 < int(limited.headers["Retry-After"]) <= 61
