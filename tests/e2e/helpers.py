"""What the end-to-end and browser tests share beyond the stack."""

import time


def wait_for(check, timeout: float = 30, message: str = "condition", interval: float = 0.2):
    """The first truthy answer of `check`, asked every `interval` seconds until `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{message} did not hold within {timeout}s")
