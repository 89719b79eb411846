"""Development tooling: the local stack (`partyday-dev run`), its migrations and demo data. Never a runtime
dependency: it may import every service, and no service or the gateway imports it."""
