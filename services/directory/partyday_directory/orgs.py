"""Rules of the organisation tree, as plain functions."""
from partyday_common.errors import DomainError

LEVEL_DEPTH = {"city": 0, "county": 1, "township": 2, "general_branch": 3, "branch": 4}

ALLOWED_PARENTS = {
    "city": set(),
    "county": {"city"},
    "township": {"county"},
    "general_branch": {"township"},
    "branch": {"township", "general_branch"},
}


def check_placement(level: str, parent_level: str | None) -> None:
    """A node sits under a parent of the level just above it; only the city has none."""
    allowed = ALLOWED_PARENTS[level]
    if parent_level is None:
        if allowed:
            raise DomainError("ORG_PARENT_REQUIRED", f"a {level} needs a parent organisation",
                              422, {"level": level})
        return
    if parent_level not in allowed:
        raise DomainError(
            "ORG_LEVEL_INVALID",
            f"a {level} cannot sit under a {parent_level}",
            422,
            {"level": level, "parent_level": parent_level,
             "allowed_parent_levels": sorted(allowed)},
        )


def child_path(parent_path: str | None, org_id: str) -> str:
    return f"{parent_path or '/'}{org_id}/"
