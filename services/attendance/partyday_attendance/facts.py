"""What a sign-in judges an activity by (its windows and fence), kept in memory by each service process.

These facts never change once the sheet is opened (`open_sheet` keeps the first `plan_approved`), so the
party day's sign-ins judge them without reading the activity again; whether it has closed is not among
them and is always read with the scan.
"""
from collections import OrderedDict
from dataclasses import dataclass

from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session

from partyday_attendance import rules, sheet
from partyday_attendance.models import Activity

KEPT = 50_000


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

    def get(self, session_factory, activity_id: str) -> ActivityFacts | None:
        """The activity's facts, read once through a session from `session_factory`; None if it does not exist."""
        facts = self._facts.get(activity_id)
        if facts is not None:
            self._facts.move_to_end(activity_id)
            return facts
        with session_factory() as session:
            facts = load(session, activity_id)
        if facts is not None:
            self._facts[activity_id] = facts
            if len(self._facts) > self.kept:
                self._facts.popitem(last=False)
        return facts


def load(session: Session, activity_id: str) -> ActivityFacts | None:
    act = session.get(Activity, activity_id)
    if act is None:
        return None
    return ActivityFacts(activity_id=act.id, venue_lat=act.venue_lat, venue_lon=act.venue_lon, radius_m=act.radius_m,
                         windows=sheet.windows_of(act))


class ActivityFactsProvider(DependencyProvider):
    """One cache per service container, shared by its workers."""

    def setup(self):
        self.cache = ActivityFactsCache()

    def get_dependency(self, worker_ctx):
        return self.cache
