"""Ports for the processes a test or a benchmark starts."""

import random
import socket

LISTENING_PORTS = range(20000, 32768)
# Ports already handed out by this process: a stack picks a dozen before any of its processes listens, so that
# binding alone cannot tell a port picked a moment ago from a free one (seen: two services given one metrics port).
_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on and not handed out before, below the kernel's ephemeral range (32768 and up): a
    port picked by binding to 0 comes from that range, and the stack's own connections to the database and the
    broker could take it before the process meant to listen there starts (seen: a service's metrics port, taken
    while the stack migrated)."""
    for port in random.sample(LISTENING_PORTS, 200):
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")
