"""The messages, per kind and language: a title and a body, with the event's parameters put in. Chinese is
the default; English for members who chose it. A text message carries the kind as its template id and the
same parameters, for the SMS gateway's own registered templates."""

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "plan_published": {
        "zh": (
            "{occasion}安排：{theme}",
            "{branch}将于{starts_at}在{venue}开展{occasion}“{theme}”。须完成：{actions}。",
        ),
        "en": (
            "Planned: {theme}",
            "{branch} holds its {occasion} “{theme}” at {starts_at} in {venue}. To do: {actions}.",
        ),
    },
    "plan_returned": {
        "zh": ("{month}主题党日计划被退回", "{branch}{month}的主题党日计划被退回，意见：{comment}。请修改后重新提交。"),
        "en": (
            "{month} plan returned",
            "{branch}'s plan for {month} was returned: {comment}. Please revise and resubmit.",
        ),
    },
    "plan_overdue": {
        "zh": ("{month}主题党日计划逾期", "{branch}{month}的主题党日计划未在{deadline}前提交，请尽快提交。"),
        "en": ("{month} plan overdue", "{branch} has not submitted its plan for {month} by {deadline}."),
    },
    "summary_overdue": {
        "zh": ("{month}活动总结逾期", "{branch}{month}的主题党日活动总结未在{deadline}前提交，请尽快提交。"),
        "en": ("{month} summary overdue", "{branch} has not submitted its summary for {month} by {deadline}."),
    },
    "rectification_issued": {
        "zh": ("整改通知", "{branch}收到整改通知：{issue}。请于{due_on}前完成整改。"),
        "en": ("Rectification notice", "{branch} is asked to rectify: {issue}. Due on {due_on}."),
    },
    "rectification_answered": {
        "zh": ("整改已答复", "{branch}已答复整改通知“{issue}”，请审核后关闭或退回。"),
        "en": ("Rectification answered", "{branch} answered the notice “{issue}”: close it or reopen it."),
    },
    "rectification_reopened": {
        "zh": ("整改被退回", "{branch}对整改通知“{issue}”的答复未通过，请于{due_on}前继续整改。"),
        "en": ("Rectification reopened", "{branch}'s answer to “{issue}” was not accepted. Due on {due_on}."),
    },
    "rectification_overdue": {
        "zh": ("整改逾期", "{branch}的整改通知“{issue}”已超过{due_on}的期限仍未完成，请尽快整改。"),
        "en": ("Rectification overdue", "{branch} has not completed “{issue}”, due on {due_on}."),
    },
    "absence_flagged": {
        "zh": ("党员连续缺席提醒", "{member}已连续{count}次未参加主题党日，请及时谈心谈话。"),
        "en": ("Repeated absence", "{member} has missed {count} party days in a row."),
    },
    "makeup_assigned": {
        "zh": ("补学任务", "您未参加{starts_at}的主题党日“{theme}”，请于{due_at}前学习当天材料并提交学习心得。"),
        "en": (
            "Make-up study",
            "You missed the party day “{theme}” on {starts_at}: study its materials and write a reflection "
            "by {due_at}.",
        ),
    },
    "leave_decided": {
        "zh": ("请假审批结果", "您的主题党日请假申请已{decision}。"),
        "en": ("Leave request decided", "Your leave request for the party day was {decision}."),
    },
    "upload_rejected": {
        "zh": ("上传的材料未通过审核", "您上传的“{filename}”未通过审核，原因：{reason}。"),
        "en": ("Upload rejected", "Your upload “{filename}” was rejected: {reason}."),
    },
    "comment_hidden": {
        "zh": ("您的评论已被隐藏", "您的评论被{reports}人举报，已暂时隐藏，等待审核。"),
        "en": ("Your comment is hidden", "Your comment was reported {reports} times and is hidden until reviewed."),
    },
    "comment_moderated": {
        "zh": ("评论审核结果", "您被举报的评论经审核已{decision}。"),
        "en": ("Comment reviewed", "Your reported comment was {decision} by a moderator."),
    },
    "evaluation_published": {
        "zh": ("评选结果公布", "{period}评选结果已公布，{branch}的主题党日获评“{award}”。"),
        "en": ("Evaluation results", "The {period} results are out: {branch}'s party day was rated “{award}”."),
    },
    "campaign_opened": {
        "zh": ("投票开始：{title}", "“{title}”已于{opens_at}开始投票，截止时间为{closes_at}，欢迎参与。"),
        "en": ("Voting open: {title}", "Voting for “{title}” opened at {opens_at} and runs until {closes_at}."),
    },
    "political_birthdays": {
        "zh": ("本月政治生日", "{month}过政治生日的党员：{members}。可在{starts_at}的主题党日上为他们过政治生日。"),
        "en": (
            "Political birthdays this month",
            "Political birthdays (the day they joined the Party) in {month}: {members}. Mark them on {starts_at}.",
        ),
    },
    "reminder_day_before": {
        "zh": ("明天{occasion}", "明天{starts_at}在{venue}开展{occasion}“{theme}”，请准时参加。"),
        "en": (
            "Tomorrow: {theme}",
            "Tomorrow at {starts_at}, in {venue}: the {occasion} “{theme}”. Please be on time.",
        ),
    },
    "reminder_hour_before": {
        "zh": ("{occasion}一小时后开始", "{occasion}“{theme}”将于{starts_at}在{venue}开始。"),
        "en": ("In an hour: {theme}", "The {occasion} “{theme}” starts at {starts_at} in {venue}."),
    },
    "volunteer_request_submitted": {
        "zh": (
            "新的志愿服务需求",
            "居民向{branch}提出志愿服务需求：{what}（地点：{where}，希望{wanted_by}前完成），请于{accept_by}前受理。",
        ),
        "en": (
            "New volunteer request",
            "A resident asks {branch} for help: {what} (at {where}, wanted by {wanted_by}). Take it in by {accept_by}.",
        ),
    },
    "volunteer_request_dispatched": {
        "zh": (
            "志愿服务需求待认领",
            "{branch}派发志愿服务需求：{what}（地点：{where}，希望{wanted_by}前完成），请在手机上认领。",
        ),
        "en": (
            "Volunteer request to claim",
            "{branch} asks you to help: {what} (at {where}, wanted by {wanted_by}). Claim it on your phone.",
        ),
    },
}
WORDS = {
    "approved": {"zh": "批准", "en": "approved"},
    "rejected": {"zh": "驳回", "en": "rejected"},
    "restored": {"zh": "恢复显示", "en": "restored"},
    "removed": {"zh": "删除", "en": "removed"},
    "best": {"zh": "最佳", "en": "best"},
    "excellent": {"zh": "优秀", "en": "excellent"},
    "theme_day": {"zh": "主题党日", "en": "party day"},
    "members_meeting": {"zh": "党员大会", "en": "members' meeting"},
    "branch_committee": {"zh": "支委会", "en": "branch committee meeting"},
    "group_meeting": {"zh": "党小组会", "en": "party group meeting"},
    "party_lecture": {"zh": "党课", "en": "party lecture"},
}
LANGUAGES = ("zh", "en")


def render(kind: str, language: str, parameters: dict) -> tuple[str, str]:
    """(title, body) of a kind in a language (Chinese when it has none), the parameters put in; words the
    events carry in English (`approved`, `removed`...) said in that language."""
    language = language if language in LANGUAGES else "zh"
    values = {
        key: WORDS.get(value, {}).get(language, value) if isinstance(value, str) else value
        for key, value in parameters.items()
    }
    title, body = TEMPLATES[kind][language]
    return title.format(**values), body.format(**values)
