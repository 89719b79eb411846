"""Plans reads its own settings class: the shared keys and its own PARTYDAY_PLANS_ ones."""

from partyday_plans.settings import PlansSettings


def test_the_deadline_timer_interval_comes_from_its_environment_variable(monkeypatch):
    monkeypatch.delenv("PARTYDAY_PLANS_TIMER_INTERVAL_S", raising=False)
    assert PlansSettings().plans_timer_interval_s == 60.0
    monkeypatch.setenv("PARTYDAY_PLANS_TIMER_INTERVAL_S", "3600")
    assert PlansSettings().plans_timer_interval_s == 3600.0
