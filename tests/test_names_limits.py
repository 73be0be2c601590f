"""Names are trimmed and limited everywhere: the API's schemas read every name with one field
(surrounding whitespace stripped, empty-after-trim and control characters refused, a maximum
length per kind within the database column), and the console shows the refusal next to the
field that caused it."""

from __future__ import annotations

from html import unescape

import pytest
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)
from marshmallow import Schema, ValidationError
from sqlalchemy import String

import herald.models  # noqa: F401  (every table in the metadata)
from herald.api.schemas import content, identity, inbox, library, people, tenancy, workflows
from herald.api.schemas.names import NAME_LIMITS, Name, clean_name
from herald.db.base import Base


def test_a_name_is_stripped_and_nothing_inside_is_collapsed():
    assert clean_name("  Coffee   Shop \u00a0", "unit") == "Coffee   Shop"
    assert clean_name("می\u200cخواهم", "unit") == "می\u200cخواهم"  # a joiner Persian needs stays


@pytest.mark.parametrize("value", ["", "   ", "\t\n", "\u00a0\u2003"])
def test_a_name_of_only_spaces_is_refused(value):
    with pytest.raises(ValidationError, match="may not be empty"):
        clean_name(value, "unit")


@pytest.mark.parametrize("value", ["Coffee\nShop", "Coffee\tShop", "Coffee\x07", "Coffee\u2028Shop", "a\x85b"])
def test_control_characters_inside_a_name_are_refused(value):
    with pytest.raises(ValidationError, match="control characters"):
        clean_name(value, "unit")


def test_each_kind_has_its_maximum_length_and_the_message_gives_both_numbers():
    limit = NAME_LIMITS["unit"]
    assert clean_name("x" * limit, "unit") == "x" * limit
    with pytest.raises(ValidationError) as caught:
        clean_name("x" * 5000, "unit")
    assert caught.value.messages == [f"A name may have at most {limit} characters; this one has 5000."]


def _name_fields() -> list[tuple[str, str, Name]]:
    found = []
    for module in (content, identity, inbox, library, people, tenancy, workflows):
        for schema in vars(module).values():
            if isinstance(schema, type) and issubclass(schema, Schema) and schema is not Schema:
                for field_name, fld in schema._declared_fields.items():
                    if isinstance(fld, Name):
                        found.append((schema.__name__, field_name, fld))
    return found


def _input_schemas(schema: type[Schema]) -> list[type[Schema]]:
    """``schema`` and the schemas nested in it."""
    found = [schema]
    for fld in schema._declared_fields.values():
        inner = getattr(fld, "inner", fld)
        nested = getattr(inner, "nested", None)
        if isinstance(nested, type) and issubclass(nested, Schema):
            found += _input_schemas(nested)
    return found


def test_every_name_like_input_of_the_api_is_read_with_the_name_field(app):
    from herald.api.endpoint import ENDPOINTS

    name_like = {"name", "display_name", "root_unit_name", "token_name", "campaign"}
    bodies = {s for ep in ENDPOINTS for top in (ep.body, ep.form) if top is not None for s in _input_schemas(top)}
    assert len(bodies) > 20
    for schema in bodies:
        for field_name, fld in schema._declared_fields.items():
            if field_name in name_like and not fld.dump_only:
                assert isinstance(fld, Name), f"{schema.__name__}.{field_name}"


def test_no_name_limit_exceeds_its_database_column():
    columns = {(table.name, column.name): column.type.length for table in Base.metadata.tables.values()
               for column in table.columns if isinstance(column.type, String) and column.type.length}
    names = {length for (table, column), length in columns.items() if column in ("name", "display_name")}
    assert names, "the models declare name columns"
    assert max(NAME_LIMITS.values()) <= min(names)
    assert {kind for _schema, _field, kind in ((s, f, fld.kind) for s, f, fld in _name_fields())} >= {
        "unit", "tenant", "team", "role", "workflow", "person", "account", "saved_view", "sla_policy",
        "routing_rule", "campaign"}


# ----------------------------------------------------------------------------- through the API
def test_the_api_refuses_a_unit_named_only_spaces_and_a_5000_character_name_with_precise_messages(world):
    url = f"tenants/{world.tid}/org-units"
    spaces = world.admin.post(url, {"parent_id": world.unit("root"), "name": "    "})
    assert spaces.status_code == 422
    assert spaces.get_json()["errors"]["name"] == ["Enter a name: it may not be empty or only spaces."]
    long = world.admin.post(url, {"parent_id": world.unit("root"), "name": "y" * 5000})
    assert long.status_code == 422
    assert long.get_json()["errors"]["name"] == [
        f"A name may have at most {NAME_LIMITS['unit']} characters; this one has 5000."]
    trimmed = world.admin.post(url, {"parent_id": world.unit("root"), "name": "  Juice bar  "})
    assert trimmed.status_code == 201 and trimmed.get_json()["name"] == "Juice bar"
    renamed = world.admin.patch(f"{url}/{trimmed.get_json()['id']}", {"name": "Juice\nbar"})
    assert renamed.status_code == 422 and "control characters" in renamed.get_json()["errors"]["name"][0]


def test_other_kinds_of_names_are_limited_through_the_api_too(world):
    role = world.admin.post(f"tenants/{world.tid}/roles", {"key": "r1", "name": " ", "permissions": ["posts.view"]})
    assert role.status_code == 422 and "name" in role.get_json()["errors"]
    person = world.admin.patch(f"tenants/{world.tid}/users/{world.ids['viewer']}", {"display_name": "v" * 500})
    assert person.status_code == 422 and "display_name" in person.get_json()["errors"]
    account = world.admin.patch(f"tenants/{world.tid}/social-accounts/{world.accounts['longnet']}",
                                {"display_name": "  "})
    assert account.status_code == 200 and account.get_json()["display_name"] == ""  # may be cleared


# ----------------------------------------------------------------------------- through the console
def test_the_console_shows_the_refusal_next_to_the_unit_name_field_and_writes_nothing(app, world):
    admin, csrf = sign_in(app, world, "admin")
    before = len(world.admin.get(f"tenants/{world.tid}/org-units").get_json()["items"])
    r = admin.post("/console/admin/units", data={"csrf_token": csrf, "name": "     ",
                                                  "parent_id": world.unit("root"), "kind": "team"})
    body = unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert 'id="new-name-problem"' in body and "may not be empty" in body
    assert 'aria-describedby="new-name-problem"' in body
    r = admin.post(f"/console/admin/units/{world.unit('tea')}", data={"csrf_token": csrf, "action": "rename",
                                                                      "name": "t" * 5000})
    body = unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and f'id="name-{world.unit("tea")}-problem"' in body
    assert "this one has 5000" in body
    units = world.admin.get(f"tenants/{world.tid}/org-units").get_json()["items"]
    assert len(units) == before and "tea" in {u["name"] for u in units}
    ok = admin.post("/console/admin/units", data={"csrf_token": csrf, "name": "  Bakery  ",
                                                   "parent_id": world.unit("root"), "kind": "team"})
    assert ok.status_code == 303
    names = {u["name"] for u in world.admin.get(f"tenants/{world.tid}/org-units").get_json()["items"]}
    assert "Bakery" in names


def test_the_organisation_page_title_is_text_only(app, world):
    admin, _csrf = sign_in(app, world, "admin")
    body = admin.get("/console/admin/units").get_data(as_text=True)
    title = body.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "Organisation" in title
    assert body.count("units_drag.js") == 1
