from partyday_common.migrations import run_env
from partyday_volunteers.models import metadata

run_env(metadata)
