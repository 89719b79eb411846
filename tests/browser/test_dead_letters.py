"""Dead letters in the console, for operations: a text message whose SMS gateway cannot be reached is given up after
its one attempt, and the city admin sees it listed with its last error, channel, kind and attempts, and counted by
channel and status; a secretary is not shown the view."""

from tests.browser.test_notifications import PASSWORD, returned_plan_for_a_new_secretary
from tests.e2e.conftest import ADMIN_PASSWORD, ADMIN_PHONE, free_port
from tests.e2e.helpers import wait_for

STACK_ENVIRONMENT = {
    "PARTYDAY_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "1000",
    # Nothing listens there: every text message fails, and one attempt makes it dead.
    "PARTYDAY_SMS_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/sms",
    "PARTYDAY_NOTIFICATIONS_MAX_ATTEMPTS": "1",
    "PARTYDAY_NOTIFICATIONS_QUIET_START": "0",
    "PARTYDAY_NOTIFICATIONS_QUIET_END": "0",
}


def dead_letters(stack) -> dict:
    answer = stack.http.get("/api/v1/notifications/dead-letters", headers=stack.admin)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_city_admin_sees_a_dead_text_message_with_its_error_and_the_counts(stack, page):
    secretary = returned_plan_for_a_new_secretary(stack)
    wait_for(lambda: dead_letters(stack)["total"] >= 1, message="the text message given up", timeout=30)
    dead = dead_letters(stack)["items"][0]
    assert (dead["kind"], dead["channel"], dead["recipient_id"], dead["attempts"]) == (
        "plan_returned",
        "sms",
        secretary["member_id"],
        1,
    )

    page.go("/console#/dead-letters")
    page.login(ADMIN_PHONE, ADMIN_PASSWORD)
    page.wait(".sidenav a.active", "投递失败")
    row = page.wait("#dead-letters tbody tr", "方案被退回")
    assert "短信" in row.text and secretary["member_id"] in row.text and dead["last_error"][:20] in row.text
    counts = page.wait("#delivery-counts tbody tr", "短信")
    assert counts.text.split()[4] == str(dead_letters(stack)["counts"]["sms"]["dead"]), "the dead column"
    page.shot("dead-letters")
    page.phone()
    page.js("localStorage.setItem('partyday.lang', 'en')")
    page.driver.refresh()
    page.wait(".sidenav a.active", "Dead letters")
    assert "Text message" in page.wait("#dead-letters tbody tr", "Plan returned").text
    assert page.js("return document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        "no break at a phone's width"
    )
    page.shot("dead-letters-narrow")

    page.desk()
    page.start_over("/console#/dead-letters", secretary["phone"], PASSWORD)
    error = page.wait("#view .alert.error")
    assert error.get_attribute("data-code") == "FORBIDDEN", "the address typed in shows what the API refused"
    assert not [link for link in page.all(".sidenav a") if "投递失败" in link.text], "only operations see the view"
