"""Every word a Slack message is framed with exists in every language a channel may choose, and
every kind of notification Herald sends has a heading of its own."""

from __future__ import annotations

import pytest

from herald.plugins.notification_channels import LANGUAGES
from herald_notify_slack.i18n import DECIDE, HEADINGS, OPEN, OTHER, catalogue

MESSAGES = [*HEADINGS.values(), OTHER, DECIDE, OPEN]


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_every_heading_and_button_is_translated(language):
    words = catalogue(language)
    untranslated = [m for m in MESSAGES if words.gettext(m) == m]
    assert not untranslated, f"{language}: {untranslated}"


def test_every_kind_herald_sends_has_a_heading_of_its_own(seed, api):
    tenant = seed.tenant("acme")
    _, token = seed.user(tenant, "ann@acme.test")
    kinds = {k["key"] for k in api(token).get("me/notification-preferences").get_json()["kinds"]}
    assert kinds and kinds <= set(HEADINGS), sorted(kinds - set(HEADINGS))
