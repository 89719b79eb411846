"""The scoring service's settings: the shared ones, and the keys only scoring reads (same PARTYDAY_* names)."""

from functools import cached_property, lru_cache

from pydantic import Field, field_validator

from partyday_common.settings import Settings
from partyday_scoring import formula


class ScoringSettings(Settings):
    service = "scoring"

    scoring_weights: str = Field(
        "70,10,10,5,5", description="weights of sign_in_rate, mobile_like_rate, upload_detail, comments, superior_score"
    )
    scoring_quiz_weight: float = Field(
        0.0,
        ge=0,
        description="weight of the sixth indicator, the branch's quiz participation in the month (0: not counted)",
    )
    scoring_grace_days: int = Field(10, ge=0, le=365, description="days after its month that a score still changes")
    scoring_time_zone: str = Field("Asia/Shanghai", description="the time zone in which a month ends for scores")
    comment_reports_to_hide: int = Field(3, ge=1, description="reports that hide a comment for moderation")
    campaign_opening_interval_s: float = Field(
        30, gt=0, description="how often scoring looks for campaigns whose voting has opened, to announce them"
    )
    votes_per_account_per_minute: int = Field(
        30, ge=1, description="vote attempts per voter per minute, counted by scoring for every gateway"
    )
    votes_per_address_per_minute: int = Field(
        120, ge=1, description="vote attempts per client address per minute, counted by scoring for every gateway"
    )

    @field_validator("scoring_weights")
    @classmethod
    def _weights_parse(cls, text: str) -> str:
        formula.parse_weights(text)
        return text

    @cached_property
    def weights(self) -> dict[str, float]:
        """The weights of PARTYDAY_SCORING_WEIGHTS by indicator, and PARTYDAY_SCORING_QUIZ_WEIGHT's when above 0."""
        weights = formula.parse_weights(self.scoring_weights)
        if self.scoring_quiz_weight > 0:
            weights[formula.QUIZ_PARTICIPATION] = self.scoring_quiz_weight
        return weights

    @property
    def vote_limits(self) -> dict[str, int]:
        """Vote attempts allowed per minute, per account and per client address."""
        return {"account": self.votes_per_account_per_minute, "address": self.votes_per_address_per_minute}


@lru_cache
def get_settings() -> ScoringSettings:
    """The settings, read once; a bad value (such as unusable weights) stops the service at start."""
    settings = ScoringSettings()
    settings.check_production_safety()
    return settings
