"""The plugin page shows operator-owned settings (HERALD_<PLUGIN>__<SETTING>) read-only, with the
variable that sets them, unless the operator lets tenants override them; saving the form keeps
working either way."""

from __future__ import annotations

import re

from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)

from herald.plugin_host.instance import InstanceSettings

PROXY = "https://x-proxy.corp.test"


def _field(html: str, name: str) -> str:
    found = re.search(rf'<input id="setting-{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def test_operator_owned_settings_are_shown_read_only_with_their_variable(app, world, herald_runtime):
    herald_runtime.plugins.instance = InstanceSettings({"HERALD_NETWORK_X__API_BASE_URL": PROXY}, ())
    admin, csrf = sign_in(app, world, "admin")
    html = admin.get("/console/admin/plugins/network_x").get_data(as_text=True)
    api_url = _field(html, "api_base_url")
    assert "readonly" in api_url and f'value="{PROXY}"' in api_url and "name=" not in api_url
    assert "HERALD_NETWORK_X__API_BASE_URL" in html
    assert "readonly" in _field(html, "authorize_url")  # the default, still the operator's
    assert "readonly" not in _field(html, "client_id") and 'name="setting-client_id"' in _field(html, "client_id")
    r = admin.post("/console/admin/plugins/network_x", data={"csrf_token": csrf, "action": "settings",
                                                            "setting-client_id": "cid"})
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    settings = world.admin.get(f"tenants/{world.tid}/plugins/network_x").get_json()["settings"]
    assert settings["client_id"] == "cid" and "api_base_url" not in settings


def test_a_setting_the_operator_lets_tenants_override_is_an_ordinary_field(app, world, herald_runtime):
    herald_runtime.plugins.instance = InstanceSettings({}, ("network_x.api_base_url",))
    admin, _csrf = sign_in(app, world, "admin")
    html = admin.get("/console/admin/plugins/network_x").get_data(as_text=True)
    assert "readonly" not in _field(html, "api_base_url") and "readonly" in _field(html, "authorize_url")
    assert "allows this organisation to override it" in html


def test_the_plugin_page_in_arabic_explains_the_operator_setting(app, world, herald_runtime):
    herald_runtime.plugins.instance = InstanceSettings({}, ())
    admin, _csrf = sign_in(app, world, "admin")
    html = admin.get("/console/admin/plugins/network_x?lang=ar").get_data(as_text=True)
    assert "يضبطه مشغّل خادم Herald" in html
