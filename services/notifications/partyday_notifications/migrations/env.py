from partyday_common.migrations import run_env
from partyday_notifications.models import metadata

run_env(metadata)
