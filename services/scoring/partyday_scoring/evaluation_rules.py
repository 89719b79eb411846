"""The best / excellent theme party day (最佳/优秀主题党日) and the quarter's golden ideas (金点子), as rules.

Judges score each candidate on five criteria, 0–20 each; a working group shortlists (first review),
the committee picks the winners from the shortlist with the votes shown beside (second review),
and the winners are published.
"""

from partyday_common.errors import DomainError

CRITERIA = ("theme", "content", "form", "organisation", "effect")
STAGES = ("judging", "second_review", "decided", "published")
GOLDEN_IDEAS = 20


def expect_stage(stage: str, *allowed: str) -> None:
    if stage not in allowed:
        raise DomainError(
            "EVALUATION_STAGE",
            f"this step needs the evaluation to be {' or '.join(allowed)}",
            409,
            {"stage": stage, "allowed": list(allowed)},
        )


def check_shortlist(shortlist: list[str], candidates: set[str]) -> None:
    unknown = sorted(set(shortlist) - candidates)
    if unknown:
        raise DomainError(
            "NOT_A_CANDIDATE", "the shortlist names activities that are not candidates", 422, {"activity_ids": unknown}
        )
    if not shortlist or len(set(shortlist)) != len(shortlist):
        raise DomainError("SHORTLIST_INVALID", "a shortlist names at least one candidate, each once", 422)


def check_winners(
    kind: str, best: list[str], excellent: list[str], shortlist: list[str], best_slots: int, excellent_slots: int
) -> None:
    """Winners come from the shortlist, each once; at most the slots (20 golden ideas a quarter)."""
    chosen = best + excellent
    if len(set(chosen)) != len(chosen):
        raise DomainError("WINNERS_INVALID", "an activity can win only once", 422)
    outside = sorted(set(chosen) - set(shortlist))
    if outside:
        raise DomainError(
            "NOT_SHORTLISTED", "winners come from the working group's shortlist", 422, {"activity_ids": outside}
        )
    if kind == "golden_ideas":
        if excellent or not 0 < len(best) <= GOLDEN_IDEAS:
            raise DomainError("WINNERS_INVALID", f"a quarter has 1 to {GOLDEN_IDEAS} golden ideas, in `best`", 422)
        return
    if not best or len(best) > best_slots or len(excellent) > excellent_slots:
        raise DomainError(
            "WINNERS_INVALID",
            f"1 to {best_slots} best and at most {excellent_slots} excellent",
            422,
            {"best_slots": best_slots, "excellent_slots": excellent_slots},
        )
