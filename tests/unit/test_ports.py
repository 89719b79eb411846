"""Ports for a test's or a benchmark's processes: picked before anything listens on them, yet never twice."""

from partyday_dev.ports import LISTENING_PORTS, free_port


def test_ports_picked_before_anything_listens_are_all_different():
    picked = [free_port() for _ in range(500)]
    assert len(set(picked)) == len(picked)
    assert all(port in LISTENING_PORTS for port in picked)
