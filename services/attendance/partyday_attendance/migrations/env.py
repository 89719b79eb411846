from partyday_attendance.models import metadata
from partyday_common.migrations import run_env

run_env(metadata)
