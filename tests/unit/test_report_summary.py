"""The reports' written summary: scoring's figures and previous period (plain functions), and the Chinese
sentences the gateway writes from them, edge cases included (no previous period, ties, no branches)."""

import pytest

from partyday_gateway import report_summary
from partyday_scoring import reports

STAGES = {"planned": 0, "approved": 0, "held": 0, "documented": 0, "scored": 0}


def month(name: str, branches: int, **stages) -> dict:
    return {"month": name, "branches": branches, **STAGES, **stages}


def ranked(*scores: tuple[str, float]) -> list[dict]:
    return [{"rank": i + 1, "name": name, "score": score} for i, (name, score) in enumerate(scores)]


def report(kind: str, period: str, summary: dict, name: str = "汉台区委") -> dict:
    return {"kind": kind, "period": period, "name": name, "summary": summary}


@pytest.mark.parametrize(
    ("period", "before"),
    [("2026-12", "2026-11"), ("2026-01", "2025-12"), ("2026-Q1", "2025-Q4"), ("2026-Q3", "2026-Q2"), ("2026", "2025")],
)
def test_the_previous_period_is_the_month_quarter_or_year_before(period, before):
    assert reports.previous_period(period) == before


def test_figures_count_the_stages_over_the_months_and_find_the_best_and_the_weakest():
    months = [month("2026-10", 4, planned=4, held=3), month("2026-11", 5, planned=5, held=5, scored=4)]
    found = reports.figures(months, ranked(("甲", 90.0), ("乙", 90.0), ("丙", 70.5), ("丁", 70.5)), 1)
    assert (found["branches"], found["months"], found["branch_months"], found["held"]) == (5, 2, 9, 8)
    assert found["held_rate"] == round(8 / 9, 4) and found["mean_score"] == 80.25
    assert [b["name"] for b in found["best"]] == ["甲", "乙"] and [b["name"] for b in found["weakest"]] == ["丙", "丁"]
    assert (found["scored_branches"], found["unscored"]) == (4, 1)


def test_figures_of_an_empty_subtree_and_of_a_single_scored_branch():
    empty = reports.figures([month("2026-12", 0)], [], 0)
    assert (empty["branches"], empty["held_rate"], empty["mean_score"], empty["best"]) == (0, None, None, [])
    single = reports.figures([month("2026-12", 1, planned=1, held=1)], ranked(("甲", 88.0)), 0)
    assert single["best"] == [{"name": "甲", "score": 88.0}] and single["weakest"] == []


def test_a_period_with_nothing_planned_nor_scored_is_not_compared():
    assert reports.comparable("2026-11", reports.figures([month("2026-11", 3)], [], 3)) is None
    before = reports.comparable("2026-11", reports.figures([month("2026-11", 3, planned=2, held=1)], [], 3))
    assert before["period"] == "2026-11" and before["held_rate"] == round(1 / 3, 4) and before["mean_score"] is None


def test_period_labels_read_as_chinese_dates():
    assert report_summary.period_label("2026-12") == "2026年12月"
    assert report_summary.period_label("2026-03") == "2026年3月"
    assert report_summary.period_label("2026-Q4") == "2026年第四季度"
    assert report_summary.period_label("2026") == "2026年度"


def inspection_summary(**changes) -> dict:
    summary = reports.figures(
        [month("2026-12", 12, planned=11, approved=10, held=9, documented=8, scored=8)],
        ranked(("北关社区第一党支部", 95.2), ("北关社区第二党支部", 80.0), ("北关社区第三党支部", 60.0)),
        9,
    )
    previous = reports.figures([month("2026-11", 12, planned=10, held=6)], ranked(("甲", 85.0), ("乙", 76.3)), 10)
    return {**summary, "previous": reports.comparable("2026-11", previous), **changes}


def test_a_monthly_inspection_reads_counts_best_weakest_and_the_change_since_last_month():
    text = report_summary.paragraphs(report("inspection", "2026-12", inspection_summary()))
    assert text == [
        "2026年12月，汉台区委共有12个党支部，已报送方案11个，审批通过10个，已开展主题党日9个，开展率75.0%；"
        "已归档图文8个，已评分8个。",
        "本月3个支部有得分，平均78.40分；得分最高的是北关社区第一党支部（95.20分），"
        "最低的是北关社区第三党支部（60.00分）。另有9个支部本月尚无得分。",
        "与上月（2026年11月）相比，开展率提高25.0个百分点，平均得分下降2.25分。",
    ]


def test_without_a_previous_period_the_summary_says_so():
    text = report_summary.paragraphs(report("inspection", "2026-12", inspection_summary(previous=None)))
    assert text[2] == "上月没有可比的数据，暂不作比较。"


def test_ties_are_named_together_and_many_are_counted():
    summary = reports.figures(
        [month("2026-Q4", 6, planned=6, held=6, scored=6)],
        ranked(("甲", 90.0), ("乙", 90.0), ("丙", 80.0), ("丁", 70.0), ("戊", 70.0), ("己", 70.0), ("庚", 70.0)),
        0,
    )
    text = report_summary.scores(report("bulletin", "2026-Q4", {**summary, "previous": None}))
    assert "得分最高的是甲、乙（并列，90.00分）" in text
    assert "最低的是丁、戊、己等4个支部（并列，70.00分）" in text and "另有" not in text


def test_equal_scores_everywhere_and_a_single_scored_branch():
    same = reports.figures([month("2026-12", 2, planned=2, held=2)], ranked(("甲", 80.0), ("乙", 80.0)), 0)
    assert report_summary.scores(report("inspection", "2026-12", same)) == "本月2个支部有得分，得分相同，均为80.00分。"
    one = reports.figures([month("2026-12", 3, planned=1, held=1)], ranked(("甲", 66.5)), 2)
    assert report_summary.scores(report("inspection", "2026-12", one)) == (
        "本月仅甲有得分，为66.50分。另有2个支部本月尚无得分。"
    )
    none = reports.figures([month("2026-12", 3)], [], 3)
    assert report_summary.scores(report("inspection", "2026-12", none)) == "本月尚无支部得分。"


def test_an_empty_subtree_is_one_sentence():
    summary = {**reports.figures([month("2026-12", 0)], [], 0), "previous": None}
    assert report_summary.paragraphs(report("inspection", "2026-12", summary, name="新建街道")) == [
        "2026年12月，新建街道下尚无党支部，本月没有可督查的主题党日。"
    ]


def test_a_bulletin_counts_branch_months_and_compares_with_the_last_quarter():
    months = [month(m, 4, planned=4, approved=4, held=3, documented=2, scored=2) for m in ("2026-10", "2026-11")]
    months.append(month("2026-12", 5, planned=5, approved=5, held=5, documented=5, scored=5))
    summary = reports.figures(months, ranked(("甲", 91.0), ("乙", 72.0)), 3)
    previous = reports.figures([month("2026-09", 5, planned=5, held=5)], ranked(("甲", 80.0), ("乙", 83.0)), 3)
    summary["previous"] = reports.comparable("2026-Q3", previous)
    overview, _, comparison = report_summary.paragraphs(report("bulletin", "2026-Q4", summary))
    assert overview == (
        "2026年第四季度，汉台区委共有5个党支部，3个月累计应开展主题党日13次，已报送方案13次，审批通过13次，"
        "已开展11次，开展率84.6%；已归档图文9次，已评分9次。"
    )
    assert comparison == "与上季度（2026年第三季度）相比，开展率下降15.4个百分点，平均得分持平。"


def test_an_unchanged_rate_is_level_and_a_changed_tree_is_said():
    summary = reports.figures([month("2026", 10, planned=10, held=5)], [], 10)
    summary["previous"] = reports.comparable("2025", reports.figures([month("2025", 8, planned=8, held=4)], [], 8))
    assert report_summary.comparison(report("assessment", "2026", summary)) == (
        "与上年度（2025年度）相比，开展率持平，党支部由8个变为10个。"
    )


def test_a_branchs_own_report_speaks_of_its_party_days():
    done = reports.figures([month("2026-12", 1, planned=1, approved=1, held=1, scored=1)], ranked(("甲支部", 72.5)), 0)
    done["previous"] = reports.comparable("2026-11", reports.figures([month("2026-11", 1, planned=1)], [], 1))
    text = report_summary.paragraphs({**report("inspection", "2026-12", done, name="甲支部"), "level": "branch"})
    assert text == [
        "2026年12月，甲支部的主题党日已报送方案，已通过审批，已开展，未归档图文，已评分。",
        "本月综合得分72.50分。",
        "与上月（2026年11月）相比，开展率提高100.0个百分点。",
    ]
    quarter = reports.figures([month(m, 1, planned=1, held=1) for m in ("2026-10", "2026-11", "2026-12")], [], 1)
    quarter["previous"] = None
    overview, scores, _ = report_summary.paragraphs(
        {**report("bulletin", "2026-Q4", quarter, name="甲支部"), "level": "branch"}
    )
    assert (
        overview
        == "2026年第四季度，甲支部3个月中报送方案3次，已开展主题党日3次，开展率100.0%；已归档图文0次，已评分0次。"
    )
    assert scores == "本季度尚无得分。"
