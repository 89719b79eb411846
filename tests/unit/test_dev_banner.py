"""The banner of `make run` names the addresses and ports the stack actually uses."""

from pathlib import Path

from partyday_dev import devstack

READINESS = {"services": {"directory": {"status": "ok"}, "plans": {"status": "ok"}}}


def test_the_banner_prints_the_ports_in_use(monkeypatch, capsys):
    monkeypatch.setenv("PARTYDAY_GATEWAY_METRICS_PORT", "19100")
    monkeypatch.setenv("PARTYDAY_PLANS_METRICS_PORT", "19102")
    monkeypatch.setenv("PARTYDAY_SCORING_METRICS_PORT", "0")
    monkeypatch.delenv("PARTYDAY_MEDIA_METRICS_PORT", raising=False)
    devstack._print_banner("http://127.0.0.1:8123", READINESS, 1.5, 0, Path("var/logs"))
    banner = capsys.readouterr().out
    assert "http://127.0.0.1:8123/docs" in banner and "/metrics of gateway :19100" in banner
    assert "8123/metrics" not in banner, "the gateway's metrics are on their own port, not the API's"
    assert "plans :19102" in banner and "media :9104" in banner and "scoring off" in banner
    assert "9105" not in banner, "a service whose metrics are off has no port to show"
