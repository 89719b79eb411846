"""The written summary of a report, in Chinese, from the figures scoring answers: how many branches and how far
they went, the best and the weakest, and the change since the previous period (which scoring computes too)."""

QUARTERS = "一二三四"
THIS = {"inspection": "本月", "bulletin": "本季度", "assessment": "本年度"}
BEFORE = {"inspection": "上月", "bulletin": "上季度", "assessment": "上年度"}
# At most this many names of branches sharing the best or the weakest score; the rest are counted.
NAMED = 3


def period_label(period: str) -> str:
    """2026-12 → 2026年12月, 2026-Q4 → 2026年第四季度, 2026 → 2026年度."""
    if len(period) == 4:
        return f"{period}年度"
    if "-Q" in period:
        return f"{period[:4]}年第{QUARTERS[int(period[-1]) - 1]}季度"
    return f"{period[:4]}年{int(period[5:])}月"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def points(score: float) -> str:
    return f"{score:.2f}分"


def _names(branches: list[dict]) -> str:
    named = "、".join(branch["name"] for branch in branches[:NAMED])
    return named if len(branches) <= NAMED else f"{named}等{len(branches)}个支部"


def _place(branches: list[dict]) -> str:
    tied = "并列，" if len(branches) > 1 else ""
    return f"{_names(branches)}（{tied}{points(branches[0]['score'])}）"


def _change(difference: float, unit: str) -> str:
    if abs(difference) < 0.005:
        return "持平"
    return f"{'提高' if difference > 0 else '下降'}{abs(difference):.{1 if unit == '个百分点' else 2}f}{unit}"


def _branch_overview(report: dict) -> str:
    """A branch's own report speaks of its party days, not of a count of branches."""
    figures, label, name = report["summary"], period_label(report["period"]), report["name"]
    if report["kind"] == "inspection":
        steps = [
            ("planned", "已报送方案", "未报送方案"),
            ("approved", "已通过审批", "未通过审批"),
            ("held", "已开展", "未开展"),
            ("documented", "已归档图文", "未归档图文"),
            ("scored", "已评分", "未评分"),
        ]
        return f"{label}，{name}的主题党日" + "，".join(yes if figures[key] else no for key, yes, no in steps) + "。"
    return (
        f"{label}，{name}{figures['months']}个月中报送方案{figures['planned']}次，已开展主题党日{figures['held']}次，"
        f"开展率{percent(figures['held_rate'])}；已归档图文{figures['documented']}次，已评分{figures['scored']}次。"
    )


def overview(report: dict) -> str:
    figures, label, name = report["summary"], period_label(report["period"]), report["name"]
    if report.get("level") == "branch":
        return _branch_overview(report)
    if not figures["branches"]:
        return f"{label}，{name}下尚无党支部，{THIS[report['kind']]}没有可督查的主题党日。"
    if report["kind"] == "inspection":
        return (
            f"{label}，{name}共有{figures['branches']}个党支部，已报送方案{figures['planned']}个，"
            f"审批通过{figures['approved']}个，已开展主题党日{figures['held']}个，开展率{percent(figures['held_rate'])}；"
            f"已归档图文{figures['documented']}个，已评分{figures['scored']}个。"
        )
    return (
        f"{label}，{name}共有{figures['branches']}个党支部，{figures['months']}个月累计应开展主题党日"
        f"{figures['branch_months']}次，已报送方案{figures['planned']}次，审批通过{figures['approved']}次，"
        f"已开展{figures['held']}次，开展率{percent(figures['held_rate'])}；已归档图文{figures['documented']}次，"
        f"已评分{figures['scored']}次。"
    )


def scores(report: dict) -> str:
    figures, this = report["summary"], THIS[report["kind"]]
    unscored = f"另有{figures['unscored']}个支部{this}尚无得分。" if figures["unscored"] else ""
    if report.get("level") == "branch":
        scored = figures["best"]
        return f"{this}综合得分{points(scored[0]['score'])}。" if scored else f"{this}尚无得分。"
    if not figures["scored_branches"]:
        return f"{this}尚无支部得分。"
    if figures["scored_branches"] == 1:
        [only] = figures["best"]
        return f"{this}仅{only['name']}有得分，为{points(only['score'])}。{unscored}"
    if figures["best"][0]["score"] == figures["weakest"][0]["score"]:
        return (
            f"{this}{figures['scored_branches']}个支部有得分，得分相同，均为{points(figures['best'][0]['score'])}。"
            f"{unscored}"
        )
    return (
        f"{this}{figures['scored_branches']}个支部有得分，平均{points(figures['mean_score'])}；"
        f"得分最高的是{_place(figures['best'])}，最低的是{_place(figures['weakest'])}。{unscored}"
    )


def comparison(report: dict) -> str:
    figures, previous = report["summary"], report["summary"]["previous"]
    before = BEFORE[report["kind"]]
    if previous is None:
        return f"{before}没有可比的数据，暂不作比较。"
    changes = []
    if figures["held_rate"] is not None and previous["held_rate"] is not None:
        changes.append(f"开展率{_change((figures['held_rate'] - previous['held_rate']) * 100, '个百分点')}")
    if figures["mean_score"] is not None and previous["mean_score"] is not None:
        changes.append(f"平均得分{_change(figures['mean_score'] - previous['mean_score'], '分')}")
    if figures["branches"] != previous["branches"] and report.get("level") != "branch":
        changes.append(f"党支部由{previous['branches']}个变为{figures['branches']}个")
    said = "，".join(changes) if changes else "开展率和得分都无从比较"
    return f"与{before}（{period_label(previous['period'])}）相比，{said}。"


def paragraphs(report: dict) -> list[str]:
    """The summary's paragraphs: the overview, the scores, and the comparison with the previous period (none
    for a node without branches)."""
    if not report["summary"]["branches"]:
        return [overview(report)]
    return [overview(report), scores(report), comparison(report)]
