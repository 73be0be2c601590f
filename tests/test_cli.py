"""The `herald` command line against the test database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from herald.cli.main import Ctx, cli


@pytest.fixture
def run(herald_runtime):  # type: ignore[no-untyped-def]
    def invoke(*args: str):  # type: ignore[no-untyped-def]
        ctx = Ctx()
        ctx._rt = herald_runtime  # the CLI on this test's database and plugins
        return CliRunner().invoke(cli, list(args), obj=ctx, catch_exceptions=False)
    return invoke


def test_plugins_list_shows_name_version_hook_api_and_what_each_provides(run):
    result = run("plugins", "list")
    assert result.exit_code == 0
    line = next(ln for ln in result.output.splitlines() if ln.startswith("local_auth"))
    assert "0.1.0" in line and "1.0" in line and "built-in" in line and "auth_provider:local" in line


def test_users_disable_revokes_access_at_once_and_is_audited(run, seed, api):
    t = seed.tenant("acme")
    _, token = seed.user(t, "dana@acme.test", [("viewer", "root")])
    _, admin = seed.user(t, "admin@acme.test", [("tenant_admin", "root")])
    assert api(token).get("me").status_code == 200
    result = run("users", "disable", "acme", "Dana@acme.test")
    assert result.exit_code == 0, result.output
    assert api(token).get("me").status_code == 401
    events = api(admin).get(f"tenants/{t.id}/audit-events", query_string={"action": "user.updated"}).get_json()
    assert events["items"][0]["after"]["status"] == "disabled" and events["items"][0]["actor_label"] == "system"


def test_tenants_and_plugins_commands_change_what_the_api_sees(run, seed, api):
    assert run("tenants", "create", "newco", "NewCo").exit_code == 0
    assert "newco" in run("tenants", "list").output
    assert run("users", "create", "newco", "boss@newco.test", "--role", "tenant_admin").exit_code == 0
    assert "tenant_admin" in run("users", "list", "newco").output
    assert run("plugins", "disable", "newco", "local_auth").exit_code == 0
    assert run("tenants", "create", "newco", "Again").exit_code != 0


def test_unknown_tenant_is_a_clear_error(run):
    r = run("users", "list", "nope")
    assert r.exit_code == 1 and "no tenant 'nope'" in r.output
