from partyday_common.migrations import run_env
from partyday_quizzes.models import metadata

run_env(metadata)
