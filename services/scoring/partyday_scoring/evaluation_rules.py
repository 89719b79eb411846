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


def ineligible_because(
    min_sign_in_rate: float, summary_required: bool, sign_in_rate: float | None, summarized: bool
) -> list[dict]:
    """The conditions of the evaluation's eligibility rule an activity fails, each with what it needs and what the
    activity has; empty when it may be shortlisted and win. No sign-in rate (nobody was expected) fails a
    required one."""
    failed = []
    if min_sign_in_rate > 0 and (sign_in_rate is None or sign_in_rate < min_sign_in_rate):
        failed.append({"condition": "sign_in_rate", "required": min_sign_in_rate, "actual": sign_in_rate})
    if summary_required and not summarized:
        failed.append({"condition": "summary", "required": True, "actual": False})
    return failed


def check_eligible(chosen: list[str], candidates: dict[str, dict]) -> None:
    """Every activity shortlisted or named a winner meets the evaluation's eligibility rule; else 422 NOT_ELIGIBLE
    naming each one and the conditions it fails. Proposed ideas are not activities: the rule does not apply."""
    refused = [
        {"activity_id": candidate_id, "failed": candidates[candidate_id]["ineligible_because"]}
        for candidate_id in chosen
        if candidate_id in candidates and candidates[candidate_id]["ineligible_because"]
    ]
    if refused:
        raise DomainError(
            "NOT_ELIGIBLE",
            "an activity below the evaluation's eligibility rule can be neither shortlisted nor a winner",
            422,
            {"activities": refused},
        )


def check_reviewer(review: str, reviewer_id: str, judges: set[str], first_reviewer: str | None) -> None:
    """Judging, the first review and the second review are three different people: whoever judged a candidate
    reviews none of the evaluation, and the second review is not the first reviewer's (403 otherwise)."""
    if reviewer_id in judges:
        raise DomainError("REVIEWER_JUDGED", "who judged the candidates does not review them", 403, {"review": review})
    if review == "second_review" and reviewer_id == first_reviewer:
        raise DomainError(
            "REVIEWER_REVIEWED_FIRST", "the second review is not made by the first reviewer", 403, {"review": review}
        )
