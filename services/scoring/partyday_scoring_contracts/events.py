"""The events scoring emits: one model per event type (the envelope's `data`), `EVENTS` by type, and
`SUBSCRIBED`, those of them that some service consumes (notifications tells people of comments, evaluations
and campaigns; the directory keeps the acts in its audit log; the gateway and people read scores over RPC)."""

from pydantic import AwareDatetime, BaseModel

from partyday_common.acts import ACT_EVENT, AdministrativeAct


class ScoreChanged(BaseModel):
    """`score_changed`, version 1: an activity's score was computed or changed."""

    activity_id: str
    branch_id: str
    branch_path: str
    month: str
    total: float
    indicators: dict[str, float | None]
    weights: dict[str, float]
    not_applicable: list[str]


class ScoresRecomputed(BaseModel):
    """`scores_recomputed`, version 1: many scores were computed again at once (`rescore_all`); read them anew."""

    months: list[str]
    activities: int
    changed: int
    at: AwareDatetime


class CommentHidden(BaseModel):
    """`comment_hidden`, version 1: enough reports hid a comment; its author is told, a moderator decides."""

    comment_id: str
    activity_id: str
    author_id: str
    reports: int
    at: AwareDatetime


class CommentModerated(BaseModel):
    """`comment_moderated`, version 1: a moderator restored or removed a hidden comment; its author is told."""

    comment_id: str
    activity_id: str
    author_id: str
    decision: str
    at: AwareDatetime


class EvaluationPublished(BaseModel):
    """`evaluation_published`, version 1: the winners of a month's selection or a quarter's golden ideas."""

    evaluation_id: str
    org_id: str
    kind: str
    period: str
    best: list[str]
    excellent: list[str]


class CampaignCreated(BaseModel):
    """`campaign_created`, version 1: a month's campaign takes votes between `opens_at` and `closes_at` from the
    members under `org_path`."""

    campaign_id: str
    org_id: str
    org_path: str
    month: str
    title: str
    opens_at: AwareDatetime
    closes_at: AwareDatetime


class CampaignOpened(CampaignCreated):
    """`campaign_opened`, version 1: the campaign's voting window has opened (announced once, by scoring's opening
    timer, once `opens_at` has passed and before `closes_at`); the members under `org_path` are told."""


EVENTS: dict[str, type[BaseModel]] = {
    "score_changed": ScoreChanged,
    "scores_recomputed": ScoresRecomputed,
    "comment_hidden": CommentHidden,
    "comment_moderated": CommentModerated,
    "evaluation_published": EvaluationPublished,
    "campaign_created": CampaignCreated,
    "campaign_opened": CampaignOpened,
    ACT_EVENT: AdministrativeAct,
}

SUBSCRIBED: frozenset[str] = frozenset(
    {"comment_hidden", "comment_moderated", "evaluation_published", "campaign_opened", ACT_EVENT}
)
