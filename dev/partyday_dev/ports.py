"""Ports for the processes a test or a benchmark starts."""

import random
import socket

LISTENING_PORTS = range(20000, 32768)


def free_port() -> int:
    """A port nothing listens on, below the kernel's ephemeral range (32768 and up): a port picked by binding to 0
    comes from that range, and the stack's own connections to the database and the broker could take it before
    the process meant to listen there starts (seen: a service's metrics port, taken while the stack migrated)."""
    for port in random.sample(LISTENING_PORTS, 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")
