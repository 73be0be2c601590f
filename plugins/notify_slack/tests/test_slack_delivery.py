"""The Slack notifier against a fake Slack that follows the incoming-webhook contract: Block Kit
messages with a button to decide, the channel's language, Slack's rate limit, and each of
Slack's answers turned into Herald's typed errors."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from slack_fake_server import FakeSlackServer

from herald.plugins import Notification, PermanentError, RateLimited, TransientError
from herald_notify_slack import SlackNotifier
from herald_notify_slack.settings import SETTINGS

UNIT, TEAM = "unit_coffee", "team_care"


def notifier(fake_slack: FakeSlackServer, *, language: str = "en", **overrides: Any) -> tuple[SlackNotifier, str]:
    path = fake_slack.fake.add("approvals")
    settings = SETTINGS.validate({
        "channels": [{"name": "approvals", "org_units": [UNIT], "teams": [TEAM], "kinds": ["*"],
                      "language": language}],
        "webhook_urls": {"approvals": fake_slack.url + path}, "timeout_seconds": 2, **overrides})
    slack = SlackNotifier("tenant_acme", settings)
    slack.slept = []  # type: ignore[attr-defined]
    slack.sleep = slack.slept.append  # type: ignore[method-assign]
    return slack, path


def note(kind: str = "approval.due", title: str = "Review “Launch”", body: str = "Fresh coffee today",
         **extra: Any) -> Notification:
    values = {"page_url": "https://herald.example/console/posts/post_1", "destination": "approvals", **extra}
    return Notification("tenant_acme", "user_1", "ann@acme.test", kind, title, body, **values)


def test_an_approval_request_arrives_as_block_kit_with_a_button_to_decide(fake_slack):
    slack, path = notifier(fake_slack)
    slack.notify(note())
    [message] = fake_slack.fake.webhooks[path].received
    header, section, actions = message["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Approval requested", "emoji": False}}
    assert section["text"] == {"type": "mrkdwn", "text": "*Review “Launch”*\nFresh coffee today"}
    [button] = actions["elements"]
    assert button["url"] == "https://herald.example/console/posts/post_1"
    assert button["text"]["text"] == "Review and decide" and button["style"] == "primary"
    assert message["text"] == "Approval requested: Review “Launch”"


def test_a_notification_without_a_page_has_no_button(fake_slack):
    slack, path = notifier(fake_slack)
    slack.notify(note("sla.breached", page_url=None))
    [message] = fake_slack.fake.webhooks[path].received
    assert [b["type"] for b in message["blocks"]] == ["header", "section"]


def test_a_channel_reads_its_messages_in_its_own_language(fake_slack):
    slack, path = notifier(fake_slack, language="ar")
    slack.notify(note("sla.breached"))
    [message] = fake_slack.fake.webhooks[path].received
    assert message["blocks"][0]["text"]["text"] == "خُرقت اتفاقية مستوى الخدمة"
    assert message["blocks"][2]["elements"][0]["text"]["text"] == "افتح في Herald"


def test_text_people_wrote_can_neither_ping_the_channel_nor_disguise_a_link(fake_slack):
    slack, path = notifier(fake_slack)
    slack.notify(note(title="<!channel> hi", body="see <https://evil.example|your bank> & more"))
    [message] = fake_slack.fake.webhooks[path].received
    text = message["blocks"][1]["text"]["text"]
    assert "<" not in text and ">" not in text
    assert text == "*&lt;!channel&gt; hi*\nsee &lt;https://evil.example|your bank&gt; &amp; more"
    assert "<!channel>" not in message["text"]


def test_a_very_long_body_is_cut_to_what_slack_accepts(fake_slack):
    slack, path = notifier(fake_slack)
    slack.notify(note(title="t" * 500, body="b" * 5000))
    [message] = fake_slack.fake.webhooks[path].received
    assert len(message["blocks"][1]["text"]["text"]) == 3000


def test_a_rate_limited_message_waits_for_retry_after_and_is_posted_once(fake_slack):
    slack, path = notifier(fake_slack)
    fake_slack.fake.answer_next(path, 429, "rate_limited", {"Retry-After": "3"})
    slack.notify(note())
    assert len(fake_slack.fake.webhooks[path].received) == 1
    assert 3.0 in slack.slept  # type: ignore[attr-defined]


def test_a_retry_after_longer_than_a_delivery_may_wait_is_left_to_the_queue(fake_slack):
    slack, path = notifier(fake_slack, max_wait_seconds=5)
    fake_slack.fake.answer_next(path, 429, "rate_limited", {"Retry-After": "120"})
    with pytest.raises(RateLimited) as caught:
        slack.notify(note())
    assert caught.value.reset_at is not None and caught.value.status == 429
    assert fake_slack.fake.webhooks[path].received == [] and 120.0 not in slack.slept  # type: ignore[attr-defined]


def test_messages_to_one_webhook_keep_their_distance_and_are_never_refused_for_rate(fake_slack):
    fake_slack.fake.min_gap = 0.15
    slack, path = notifier(fake_slack, min_interval_seconds=0.3)
    waited: list[float] = []
    slack.sleep = lambda seconds: (waited.append(seconds), time.sleep(seconds))  # type: ignore[method-assign]
    for _ in range(3):
        slack.notify(note())
    assert len(fake_slack.fake.webhooks[path].received) == 3
    assert fake_slack.fake.webhooks[path].rate_limited == 0
    assert len(waited) == 2 and all(0 < s <= 0.3 for s in waited)


@pytest.mark.parametrize(("status", "code"), [
    ("channel_not_found", "channel_not_found"), ("channel_is_archived", "channel_is_archived"),
    ("action_prohibited", "action_prohibited")])
def test_a_channel_slack_refuses_is_a_permanent_failure_with_slacks_code(fake_slack, status, code):
    slack, path = notifier(fake_slack)
    fake_slack.fake.webhooks[path].status = status
    with pytest.raises(PermanentError) as caught:
        slack.notify(note())
    assert caught.value.code == code and "approvals" in caught.value.message


def test_a_removed_webhook_answers_no_service_and_is_not_retried(fake_slack):
    slack, path = notifier(fake_slack)
    del fake_slack.fake.webhooks[path]
    with pytest.raises(PermanentError) as caught:
        slack.notify(note())
    assert caught.value.code == "no_service" and caught.value.status == 404


def test_an_invalid_payload_is_permanent(fake_slack):
    slack, path = notifier(fake_slack)
    fake_slack.fake.answer_next(path, 400, "invalid_payload")
    with pytest.raises(PermanentError) as caught:
        slack.notify(note())
    assert caught.value.code == "invalid_payload" and caught.value.status == 400


def test_a_slack_server_error_is_transient(fake_slack):
    slack, path = notifier(fake_slack)
    fake_slack.fake.answer_next(path, 500, "rollup_error")
    with pytest.raises(TransientError) as caught:
        slack.notify(note())
    assert caught.value.code == "rollup_error"


def test_a_slack_that_does_not_answer_in_time_is_transient(fake_slack):
    slack, path = notifier(fake_slack, timeout_seconds=0.5)
    fake_slack.fake.answer_next(path, 200, "ok", delay=1.5)
    with pytest.raises(TransientError) as caught:
        slack.notify(note())
    assert caught.value.code == "timeout"


def test_an_unknown_answer_is_never_quoted_and_errors_never_show_the_webhook_url(fake_slack):
    slack, path = notifier(fake_slack)
    fake_slack.fake.answer_next(path, 403, "<html>internal proxy 10.1.2.3</html>")
    with pytest.raises(PermanentError) as caught:
        slack.notify(note())
    assert caught.value.code == "http_403"
    assert "10.1.2.3" not in caught.value.message and "s3cr3t" not in caught.value.message


def test_a_webhook_on_an_internal_address_is_refused_without_connecting(fake_slack):
    slack, _ = notifier(fake_slack)
    slack.settings = {**slack.settings, "webhook_urls": {"approvals": "http://10.0.0.7/services/T/B/s3cr3t"}}
    with pytest.raises(PermanentError) as caught:
        slack.notify(note())
    assert caught.value.code == "outbound_refused" and "s3cr3t" not in caught.value.message


@pytest.mark.parametrize("header", ["99999999999999999999", "soon", "-3", ""])
def test_a_retry_after_that_makes_no_sense_is_still_a_typed_rate_limit(fake_slack, header):
    slack, path = notifier(fake_slack, max_wait_seconds=0)
    fake_slack.fake.answer_next(path, 429, "rate_limited", {"Retry-After": header} if header else {})
    with pytest.raises(RateLimited) as caught:
        slack.notify(note())
    assert caught.value.reset_at is not None


def test_a_retry_after_given_as_a_date_is_waited_for(fake_slack):
    from email.utils import format_datetime

    from herald.plugins import utcnow

    slack, path = notifier(fake_slack)
    when = format_datetime(utcnow().replace(microsecond=0) + timedelta(seconds=5), usegmt=True)
    fake_slack.fake.answer_next(path, 429, "rate_limited", {"Retry-After": when})
    slack.notify(note())
    assert 3.0 <= slack.slept[0] <= 5.0  # type: ignore[attr-defined]
