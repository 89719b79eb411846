"""What the end-to-end and browser tests share beyond the stack."""

import time

import httpx


def wait_for(check, timeout: float = 30, message: str = "condition", interval: float = 0.2):
    """The first truthy answer of `check`, asked every `interval` seconds until `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{message} did not hold within {timeout}s")


def client_from(stack, address: str, base_url: str | None = None) -> httpx.Client:
    """A client of the gateway whose requests come from `address` (a loopback one, 127.0.0.2 and on, stands for
    another client's address)."""
    return httpx.Client(
        base_url=base_url or stack.base_url, transport=httpx.HTTPTransport(local_address=address), timeout=15
    )


def code_sent_to(stack, phone: str) -> str:
    """The latest one-time code the directory sent to `phone` (development delivery writes it to its log)."""

    def latest():
        for line in reversed(stack.log("directory").splitlines()):
            if phone in line and "one_time_code" in line:
                return line.split('"one_time_code": "')[1][:6]
        return None

    return wait_for(latest, timeout=10, message=f"a code was sent to {phone}")
