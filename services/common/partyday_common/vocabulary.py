"""The fixed vocabularies of the glossary, one definition for every service and the gateway."""

from typing import Literal, get_args

Level = Literal["city", "county", "township", "general_branch", "branch"]
Domain = Literal[
    "rural",
    "community",
    "government",
    "institution",
    "state_enterprise",
    "private_enterprise",
    "social_org",
    "school",
    "other",
]
Kind = Literal["regular", "joint", "mobile"]

DOMAINS = frozenset(get_args(Domain))
