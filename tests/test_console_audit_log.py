"""The console's audit log: every action code Herald writes has a translated name, events show
people's and objects' names (ids kept in titles), the page is paged by keyset, and the filtered
log exports as CSV with formula-like cells neutralised — for people with ``audit.view`` only."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

from audit_action_codes import action_codes
from console_world import console_world_fixture, sign_in  # noqa: F401  (the world fixture)

from herald.console.audit_labels import ACTION_LABELS
from herald.console.audit_log import PAGE_SIZE, safe_cell


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


def test_every_action_code_written_anywhere_has_a_label():
    codes, unresolved = action_codes()
    assert not unresolved, f"audit writes whose action code the test cannot read: {sorted(unresolved)}"
    assert len(codes) > 80  # the scan finds the codes (it would pass vacuously otherwise)
    missing = sorted(codes - set(ACTION_LABELS))
    assert not missing, f"action codes without a label in herald.console.audit_labels: {missing}"


def test_the_page_names_actions_people_and_objects_with_the_ids_kept_aside(app, world):
    world.admin.patch(f"tenants/{world.tid}/org-units/{world.unit('tea')}", {"name": "Tea house"})
    admin, _csrf = sign_in(app, world, "admin")
    page = text(admin.get("/console/admin/audit?action=org_unit.updated"))
    row = re.search(r"<tr><td>[^<]*</td>.*?</tr>", page, re.S).group(0)
    assert '<td class="action" data-code="org_unit.updated" title="org_unit.updated">Unit changed</td>' in row
    assert "<bdi>Tea house</bdi>" in row and f'title="org_unit {world.unit("tea")}"' in row
    assert f'title="{world.ids["admin"]}"' in row and "<bdi>" in row.split('class="actor"', 1)[1]
    arabic = text(admin.get("/console/admin/audit?action=org_unit.updated&lang=ar"))
    assert "Unit changed" not in arabic and "عُدّلت الوحدة" in arabic


def test_posts_and_sign_ins_are_named_by_what_people_recognise(app, world):
    creator, csrf = sign_in(app, world, "creator")
    r = creator.post("/console/compose", data={
        "csrf_token": csrf, "org_unit_id": world.unit("coffee"), "title": "", "targets": [world.accounts["longnet"]],
        "variant-0-text": "Our winter blend is back in every shop from Monday morning, with a free pastry",
        "action": "draft"})
    post_id = r.headers["Location"].rsplit("/", 1)[1]
    admin, _csrf = sign_in(app, world, "admin")
    page = text(admin.get(f"/console/admin/audit?object_id={post_id}"))
    # no title: the start of its text names it
    assert "<bdi>Our winter blend is back in every shop from Monday morning,…</bdi>" in page
    signed_in = text(admin.get("/console/admin/audit?action=session.started"))
    assert "<bdi>sign-in of creator</bdi>" in signed_in


def test_every_kind_of_object_is_named_with_a_query_that_runs_on_this_database(herald_runtime, seed):
    from herald.console.audit_objects import NAMERS, object_names

    t = seed.tenant("acme")
    with herald_runtime.db.transaction() as s:
        assert object_names(s, t.id, {kind: {"nothing-1"} for kind in NAMERS}) == {}


def test_the_page_is_paged_by_keyset_newest_first(app, world):
    for i in range(PAGE_SIZE + 5):
        world.admin.patch(f"tenants/{world.tid}/org-units/{world.unit('tea')}", {"name": f"Tea {i}"})
    admin, _csrf = sign_in(app, world, "admin")
    first = text(admin.get("/console/admin/audit?action=org_unit.updated"))
    seqs = [int(n.replace(",", "")) for n in re.findall(r"<tr><td>([\d,]+)</td>", first)]
    assert len(seqs) == PAGE_SIZE and seqs == sorted(seqs, reverse=True)
    older = re.search(r'<a href="([^"]+)" rel="next">', first).group(1)
    assert "action=org_unit.updated" in older  # the filter is kept
    second = text(admin.get(older))
    rest = [int(n.replace(",", "")) for n in re.findall(r"<tr><td>([\d,]+)</td>", second)]
    assert len(rest) == 5 and max(rest) < min(seqs) and 'rel="next"' not in second
    assert "Newest events" in second


def test_a_forged_cursor_is_refused_with_a_message(app, world):
    admin, _csrf = sign_in(app, world, "admin")
    r = admin.get("/console/admin/audit?cursor=not-a-cursor!!")
    assert r.status_code == 400 and "cursor" in text(r)


def test_safe_cell_neutralises_what_a_spreadsheet_would_run():
    for risky in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(risky) == "'" + risky
    assert safe_cell("Coffee") == "Coffee" and safe_cell(None) == "" and safe_cell(12) == "12"


def test_the_csv_export_streams_the_filtered_log_with_names_and_safe_cells(app, world):
    world.admin.patch(f"tenants/{world.tid}/org-units/{world.unit('tea')}", {"name": "=cmd|' /C calc'!A0"})
    admin, _csrf = sign_in(app, world, "admin")
    page = text(admin.get("/console/admin/audit?action=org_unit.updated"))
    link = re.search(r'<a href="([^"]+)" download>', page).group(1)
    assert link.startswith("/console/admin/audit.csv") and "action=org_unit.updated" in link
    r = admin.get(link)
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.is_streamed
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Number", "When (UTC)", "Actor"]
    assert body and {row[5] for row in body} == {"org_unit.updated"}
    assert body[0][4] == "Unit changed" and body[0][7] == "'=cmd|' /C calc'!A0" and body[0][8] == world.unit("tea")
    everything = list(csv.reader(io.StringIO(admin.get("/console/admin/audit.csv").get_data(as_text=True))))
    assert len(everything) > len(rows)


def test_people_without_audit_view_get_neither_the_page_nor_the_export(app, world):
    creator, _csrf = sign_in(app, world, "creator")
    assert 'href="/console/admin/audit"' not in creator.get("/console/").get_data(as_text=True)
    assert creator.get("/console/admin/audit").status_code == 403
    export = creator.get("/console/admin/audit.csv")
    assert export.status_code == 403 and "org_unit" not in export.get_data(as_text=True)
