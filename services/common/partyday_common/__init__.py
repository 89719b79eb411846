"""Conventions every partyday service shares: settings, database, outbox, events, metrics."""
