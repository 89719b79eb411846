"""What a sign-in judges an activity by (its windows and fence), kept in memory by each service process.

These facts never change once the sheet is opened (`open_sheet` keeps the first `plan_approved`), so the
party day's sign-ins judge them without reading the activity again; whether it has closed is not among
them: the sign-in's own statement finds it on the sheet (see `at_once.SIGN_IN_AT_ONCE`).
"""

from collections import OrderedDict
from dataclasses import dataclass

from nameko.extensions import DependencyProvider

from partyday_attendance import rules
from partyday_common.db import PreparedStatement

KEPT = 50_000
ACTIVITY_FACTS = PreparedStatement(
    "partyday_activity_facts",
    {"activity_id": "text"},
    """
SELECT venue_lat, venue_lon, radius_m, starts_at, ends_at, rules FROM activities WHERE id = %(activity_id)s
""",
)


@dataclass(frozen=True)
class ActivityFacts:
    activity_id: str
    venue_lat: float
    venue_lon: float
    radius_m: float
    windows: rules.Windows


class ActivityFactsCache:
    """The facts of the most recently scanned activities (at most `kept`), loaded on first use."""

    def __init__(self, kept: int = KEPT):
        self.kept = kept
        self._facts: OrderedDict[str, ActivityFacts] = OrderedDict()

    def get(self, run_alone, activity_id: str) -> ActivityFacts | None:
        """The activity's facts, read once with `run_alone` (`WorkerDatabase.run_alone`); None if it does
        not exist."""
        facts = self._facts.get(activity_id)
        if facts is not None:
            self._facts.move_to_end(activity_id)
            return facts
        facts = load(run_alone, activity_id)
        if facts is not None:
            self._facts[activity_id] = facts
            if len(self._facts) > self.kept:
                self._facts.popitem(last=False)
        return facts


def load(run_alone, activity_id: str) -> ActivityFacts | None:
    found = run_alone(ACTIVITY_FACTS, {"activity_id": activity_id})
    if found is None:
        return None
    venue_lat, venue_lon, radius_m, starts_at, ends_at, activity_rules = found
    return ActivityFacts(
        activity_id=activity_id,
        venue_lat=venue_lat,
        venue_lon=venue_lon,
        radius_m=radius_m,
        windows=rules.windows(starts_at, ends_at, activity_rules),
    )


class ActivityFactsProvider(DependencyProvider):
    """One cache per service container, shared by its workers."""

    def setup(self):
        self.cache = ActivityFactsCache()

    def get_dependency(self, worker_ctx):
        return self.cache
