"""The Teams notifier against a fake Teams that follows the Workflows and connector contracts:
an Adaptive Card in the message envelope, Workflows' 202, a connector's "200 with an error
body", throttling, the 28 KB limit, and each answer turned into Herald's typed errors."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from teams_fake_server import FakeTeamsServer, failed

from herald.plugins import Notification, PermanentError, RateLimited, TransientError
from herald_notify_teams import TeamsNotifier
from herald_notify_teams.settings import SETTINGS


def notifier(fake_teams: FakeTeamsServer, kind: str = "workflow", *, language: str = "en",
             **overrides: Any) -> tuple[TeamsNotifier, str]:
    path = fake_teams.fake.add_workflow("ops") if kind == "workflow" else fake_teams.fake.add_connector("ops")
    settings = SETTINGS.validate({
        "channels": [{"name": "ops", "org_units": ["unit_coffee"], "kinds": ["*"], "language": language}],
        "webhook_urls": {"ops": fake_teams.url + path}, "timeout_seconds": 2, **overrides})
    teams = TeamsNotifier("tenant_acme", settings)
    teams.slept = []  # type: ignore[attr-defined]
    teams.sleep = teams.slept.append  # type: ignore[method-assign]
    return teams, path


def note(kind: str = "approval.due", title: str = "Review Launch", body: str = "Fresh coffee today",
         **extra: Any) -> Notification:
    values = {"page_url": "https://herald.example/console/posts/post_1", "destination": "ops", **extra}
    return Notification("tenant_acme", "user_1", "ann@acme.test", kind, title, body, **values)


def card_of(message: dict[str, Any]) -> dict[str, Any]:
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    return attachment["content"]


def test_a_workflow_takes_the_approval_card_with_202(fake_teams):
    teams, path = notifier(fake_teams)
    teams.notify(note())
    [message] = fake_teams.fake.hook(path).received
    assert message["type"] == "message"
    card = card_of(message)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.2"
    assert [b["text"] for b in card["body"]] == ["Approval requested", "Review Launch", "Fresh coffee today"]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Review and decide",
                                "url": "https://herald.example/console/posts/post_1"}]


def test_a_connector_delivery_succeeds_on_its_body_1(fake_teams):
    teams, path = notifier(fake_teams, "connector")
    teams.notify(note("publication.failed", page_url=None))
    [message] = fake_teams.fake.hook(path).received
    card = card_of(message)
    assert card["body"][0]["text"] == "Publication failed" and "actions" not in card


def test_a_card_speaks_the_channels_language(fake_teams):
    teams, path = notifier(fake_teams, language="fa")
    teams.notify(note("sla.at_risk"))
    card = card_of(fake_teams.fake.hook(path).received[0])
    assert card["body"][0]["text"] == "توافق سطح خدمت در خطر است"
    assert card["actions"][0]["title"] == "باز کردن در Herald"


def test_text_people_wrote_cannot_become_a_link_on_the_card(fake_teams):
    teams, path = notifier(fake_teams)
    teams.notify(note(body="[your bank](https://evil.example) **now**"))
    text = card_of(fake_teams.fake.hook(path).received[0])["body"][2]["text"]
    assert text == r"\[your bank\](https://evil.example) \*\*now\*\*"


def test_a_huge_notification_is_shortened_to_fit_teams_28_kb(fake_teams):
    teams, path = notifier(fake_teams, "connector")
    teams.notify(note(body="ش" * 40_000))
    [message] = fake_teams.fake.hook(path).received
    assert len(json.dumps(message, ensure_ascii=False).encode()) <= 28 * 1024
    assert card_of(message)["body"][2]["text"].endswith("…")


@pytest.mark.parametrize(("answer", "error", "code"), [
    (failed(500), TransientError, "http_500"),
    (failed(413), PermanentError, "http_413"),
    (failed(400), PermanentError, "http_400"),
    ("Webhook message delivery failed with error: unexpected", PermanentError, "http_400"),
])
def test_a_connector_that_answers_200_with_a_failure_body_has_failed(fake_teams, answer, error, code):
    teams, path = notifier(fake_teams, "connector")
    fake_teams.fake.answer_next(path, 200, answer)
    with pytest.raises(error) as caught:
        teams.notify(note())
    assert caught.value.code == code
    assert "ContextId" not in caught.value.message and "s3cr3t" not in caught.value.message


def test_a_throttled_connector_is_waited_for_and_the_card_posted_once(fake_teams):
    teams, path = notifier(fake_teams, "connector")
    fake_teams.fake.answer_next(path, 200, failed(429))
    teams.notify(note())
    assert len(fake_teams.fake.hook(path).received) == 1 and teams.slept[0] == 1.0  # type: ignore[attr-defined]


def test_a_rate_limited_workflow_waits_for_retry_after(fake_teams):
    teams, path = notifier(fake_teams)
    fake_teams.fake.answer_next(path, 429, '{"error":{"code":"TooManyRequests"}}', {"Retry-After": "7"})
    teams.notify(note())
    assert len(fake_teams.fake.hook(path).received) == 1 and 7.0 in teams.slept  # type: ignore[attr-defined]


def test_a_wait_longer_than_allowed_is_left_to_the_queue(fake_teams):
    teams, path = notifier(fake_teams, max_wait_seconds=2)
    fake_teams.fake.answer_next(path, 429, "", {"Retry-After": "600"})
    with pytest.raises(RateLimited):
        teams.notify(note())
    assert fake_teams.fake.hook(path).received == []


def test_messages_to_one_webhook_are_spaced_so_teams_never_throttles(fake_teams):
    fake_teams.fake.min_gap = 0.15
    teams, path = notifier(fake_teams, "connector", min_interval_seconds=0.25)
    teams.sleep = time.sleep  # type: ignore[method-assign]
    for _ in range(3):
        teams.notify(note())
    assert len(fake_teams.fake.hook(path).received) == 3 and fake_teams.fake.hook(path).throttled == 0


@pytest.mark.parametrize(("status", "body", "error"), [
    (400, "Bad payload received by generic incoming webhook.", PermanentError),
    (404, "", PermanentError),
    (401, '{"error":{"code":"DirectApiAuthorizationRequired"}}', PermanentError),
    (502, "", TransientError),
])
def test_teams_http_errors_are_typed(fake_teams, status, body, error):
    teams, path = notifier(fake_teams)
    fake_teams.fake.answer_next(path, status, body)
    with pytest.raises(error) as caught:
        teams.notify(note())
    assert caught.value.status == status and "s1g" not in caught.value.message


def test_a_workflow_url_with_the_wrong_signature_is_refused_for_good(fake_teams):
    teams, path = notifier(fake_teams)
    teams.settings = {**teams.settings, "webhook_urls": {"ops": fake_teams.url + path.replace("s1gops", "forged")}}
    with pytest.raises(PermanentError) as caught:
        teams.notify(note())
    assert caught.value.status == 401


def test_teams_that_does_not_answer_in_time_is_transient(fake_teams):
    teams, path = notifier(fake_teams, timeout_seconds=0.5)
    fake_teams.fake.answer_next(path, 202, "", delay=1.5)
    with pytest.raises(TransientError) as caught:
        teams.notify(note())
    assert caught.value.code == "timeout"


def test_a_webhook_on_an_internal_address_is_refused_without_connecting(fake_teams):
    teams, _ = notifier(fake_teams)
    teams.settings = {**teams.settings, "webhook_urls": {"ops": "http://169.254.169.254/workflows/x?sig=s1gx"}}
    with pytest.raises(PermanentError) as caught:
        teams.notify(note())
    assert caught.value.code == "outbound_refused" and "s1gx" not in caught.value.message


def test_a_retry_after_too_large_for_a_date_is_still_a_typed_rate_limit(fake_teams):
    teams, path = notifier(fake_teams, max_wait_seconds=0)
    fake_teams.fake.answer_next(path, 429, "", {"Retry-After": "99999999999999999999"})
    with pytest.raises(RateLimited) as caught:
        teams.notify(note())
    assert caught.value.reset_at is not None
