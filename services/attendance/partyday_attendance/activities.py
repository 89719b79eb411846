"""The activities attendance keeps (an approved plan's window, fence and rules): found, described, and the
sign-in code each one prints or shows on a screen."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from partyday_attendance import rules, tokens
from partyday_attendance.models import Activity
from partyday_common.errors import DomainError

ROTATING_LIFETIME = timedelta(seconds=60)


def find(session: Session, activity_id: str) -> Activity:
    found = session.get(Activity, activity_id)
    if found is None:
        raise DomainError("ACTIVITY_NOT_FOUND", f"activity {activity_id} does not exist or is not approved", 404)
    return found


def windows_of(act) -> rules.Windows:
    """The sign-in and sign-out windows of an activity (or of a row with its columns)."""
    return rules.windows(act.starts_at, act.ends_at, act.rules)


def view(act: Activity) -> dict:
    """An activity's windows (sign-in from `sign_in_opens` to `sign_in_closes`, sign-out from `sign_out_opens` to
    `sign_out_closes`, which the phone follows), fence and branch (for scope checks)."""
    window = windows_of(act)
    return {
        "activity_id": act.id,
        "plan_id": act.plan_id,
        "branch_id": act.branch_id,
        "branch_path": act.branch_path,
        "kind": act.kind,
        "theme": act.theme,
        "venue_name": act.venue_name,
        "starts_at": act.starts_at.isoformat(),
        "ends_at": act.ends_at.isoformat(),
        "sign_in_opens": window.sign_in_opens.isoformat(),
        "sign_in_closes": window.sign_in_closes.isoformat(),
        "sign_out_opens": window.sign_out_opens.isoformat(),
        "sign_out_closes": window.sign_out_closes.isoformat(),
        "closed": act.closed_at is not None,
        "counts": act.counts,
    }


def sign_in_code(act: Activity, now: datetime, rotating: bool, keys: dict[str, str], public_url: str) -> dict:
    """The token of the activity's printable code (valid until offline scans are no longer taken), or of a
    screen's code that moves on every 30 s, with the address a phone opens."""
    expires_at = now + ROTATING_LIFETIME if rotating else act.closes_at + rules.OFFLINE_GRACE
    token = tokens.sign(act.id, keys, expires_at, tokens.step_of(now) if rotating else None)
    return {
        "token": token,
        "url": f"{public_url}/m/checkin?activity={act.id}&token={token}",
        "expires_at": expires_at.isoformat(),
    }


def screen_code(act: Activity, now: datetime, keys: dict[str, str], public_url: str) -> dict:
    """What the venue's screen shows: the activity, whether a window is open and until when (or when the next one
    opens), and while one is open the rotating code with the moment the screen should fetch the next one (the
    next 30 s step, well before the code expires)."""
    state, until = rules.screen_state(now, windows_of(act), act.closed_at is not None)
    code = None
    if state in ("sign_in", "sign_out"):
        code = sign_in_code(act, now, True, keys, public_url)
        next_step = datetime.fromtimestamp((tokens.step_of(now) + 1) * tokens.STEP_SECONDS, tz=now.tzinfo)
        code["refresh_at"] = next_step.isoformat()
    return {
        "activity_id": act.id,
        "branch_id": act.branch_id,
        "branch_path": act.branch_path,
        "theme": act.theme,
        "venue_name": act.venue_name,
        "starts_at": act.starts_at.isoformat(),
        "ends_at": act.ends_at.isoformat(),
        "state": state,
        "until": until.isoformat() if until else None,
        "now": now.isoformat(),
        "code": code,
    }
