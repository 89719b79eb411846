"""Prometheus metrics of notifications: stored (`queued`), `sent`, `failed` (to be tried again), `dead` and
`skipped` (the daily cap), by channel and kind."""

from prometheus_client import Counter

NOTIFICATIONS = Counter(
    "partyday_notifications_total",
    "Notifications by channel, kind and outcome: queued, sent, failed (tried again), dead, skipped (daily cap).",
    ["channel", "kind", "outcome"],
)


def count_stored(kind: str, inbox: int, deliveries: list[dict]) -> None:
    if inbox:
        NOTIFICATIONS.labels("inbox", kind, "sent").inc(inbox)
    for delivery in deliveries:
        outcome = "queued" if delivery["status"] == "queued" else delivery["status"]
        NOTIFICATIONS.labels(delivery["channel"], kind, outcome).inc()


def count(channel: str, kind: str, outcome: str) -> None:
    NOTIFICATIONS.labels(channel, kind, outcome).inc()
