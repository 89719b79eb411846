"""The rules of telling: channels per kind and choice, quiet hours, backoff, superiors, and the templates."""

from datetime import datetime, timedelta, timezone

import pytest

from partyday_common.rpc import RpcTimeout
from partyday_common.sms import signature
from partyday_notifications import delivery, rules
from partyday_notifications.templates import TEMPLATES, render
from partyday_notifications_contracts.rpc import KINDS

SHANGHAI = timezone(timedelta(hours=8))


def test_a_kind_goes_by_its_channels_unless_the_member_chose_fewer_and_email_needs_an_address():
    assert rules.channels_for("plan_returned", None, has_email=True) == ["inbox", "sms", "email"]
    assert rules.channels_for("plan_returned", None, has_email=False) == ["inbox", "sms"]
    assert rules.channels_for("plan_returned", {"plan_returned": ["email"]}, has_email=True) == ["inbox", "email"]
    assert rules.channels_for("plan_returned", {"plan_returned": []}, has_email=True) == ["inbox"]
    assert rules.channels_for("plan_published", {"plan_published": ["sms"]}, has_email=True) == ["inbox"], (
        "a member cannot ask for a channel the kind does not go by"
    )


def test_what_the_organisation_requires_is_kept_whatever_the_member_chooses():
    assert rules.channels_for("plan_overdue", {"plan_overdue": []}, has_email=False) == ["inbox", "sms"]


@pytest.mark.parametrize(
    "local, until",
    [
        (datetime(2026, 12, 7, 23, 30, tzinfo=SHANGHAI), datetime(2026, 12, 8, 7, 0, tzinfo=SHANGHAI)),
        (datetime(2026, 12, 8, 3, 0, tzinfo=SHANGHAI), datetime(2026, 12, 8, 7, 0, tzinfo=SHANGHAI)),
        (datetime(2026, 12, 8, 7, 0, tzinfo=SHANGHAI), None),
        (datetime(2026, 12, 8, 21, 59, tzinfo=SHANGHAI), None),
    ],
)
def test_no_text_message_in_the_quiet_hours(local, until):
    found = rules.quiet_until(local.astimezone(timezone.utc), "Asia/Shanghai", 22, 7)
    assert found == until


def test_quiet_hours_within_a_day_and_none_at_all():
    noon = datetime(2026, 12, 8, 12, 30, tzinfo=SHANGHAI)
    assert rules.quiet_until(noon, "Asia/Shanghai", 12, 14) == datetime(2026, 12, 8, 14, 0, tzinfo=SHANGHAI)
    assert rules.quiet_until(noon, "Asia/Shanghai", 7, 7) is None


def test_the_pause_before_another_try_doubles_up_to_an_hour():
    now = datetime(2026, 12, 8, tzinfo=timezone.utc)
    assert [rules.retry_at(now, attempts, 30) - now for attempts in (1, 2, 3)] == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
    ]
    assert rules.retry_at(now, 20, 30) - now == timedelta(hours=1)


def test_the_ancestors_of_a_branch_nearest_first():
    assert rules.ancestors("/city/county/town/branch/") == ["town", "county", "city"]
    assert rules.ancestors("/city/") == []


def test_every_kind_has_a_template_in_chinese_and_english_and_goes_by_the_inbox():
    assert set(TEMPLATES) == set(KINDS) == set(rules.DEFAULT_CHANNELS)
    assert all(set(languages) == {"zh", "en"} for languages in TEMPLATES.values())
    assert all("inbox" in channels for channels in rules.DEFAULT_CHANNELS.values())


def test_a_message_is_rendered_in_the_members_language_with_its_words_translated():
    parameters = {"decision": "approved"}
    assert render("leave_decided", "zh", parameters) == ("请假审批结果", "您的主题党日请假申请已批准。")
    assert render("leave_decided", "en", parameters)[1] == "Your leave request for the party day was approved."
    assert render("leave_decided", "fr", parameters)[0] == "请假审批结果", "Chinese when the language is unknown"
    makeup = {"theme": "学习二十大精神", "starts_at": "2026-12-06 09:00", "due_at": "2026-12-20 12:00"}
    assert render("makeup_assigned", "zh", makeup)[1].startswith("您未参加2026-12-06 09:00的主题党日“学习二十大精神”")
    assert "by 2026-12-20 12:00" in render("makeup_assigned", "en", makeup)[1]


def test_the_sms_signature_is_the_hmac_of_the_body():
    assert (
        signature("s3cret", b'{"phone": "1"}')
        == "sha256=feb31b98e95966097c1425213a3866dab30abd217a10eb89939307a089cc655a"
    )


def test_phones_are_asked_a_thousand_at_a_time_and_a_silent_directory_leaves_the_texts_for_later():
    asked = []

    def phones_of(member_ids):
        asked.append(len(member_ids))
        return {member_id: "139" for member_id in member_ids}

    members = [f"m{number}" for number in range(2500)]
    assert len(delivery.phones_for(phones_of, members)) == 2500 and asked == [1000, 1000, 500]

    def silent(member_ids):
        raise RpcTimeout("directory did not answer")

    assert delivery.phones_for(silent, members) is None
