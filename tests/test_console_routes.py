"""Every console route refuses anonymous visitors; the audit log records every change."""

from __future__ import annotations

import re

import pytest

from bot import db as store
from bot.db import console as console_db

PUBLIC = {"admin.login"}


def _sample_path(rule) -> str:
    """A concrete URL for a rule, filling each variable with a plausible value."""
    path = rule.rule
    for name, converter in rule._converters.items():
        value = "1" if type(converter).__name__ in ("IntegerConverter", "FloatConverter") else "x"
        path = re.sub(rf"<(?:[^>:]+:)?{name}>", value, path)
    return path


def test_every_console_route_refuses_an_anonymous_request(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in PUBLIC:
            continue
        path = _sample_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            refused = response.status_code in (401, 403) or (
                response.status_code == 302 and "/admin/login" in response.headers["Location"])
            assert refused, f"{method} {path} ({rule.endpoint}) answered {response.status_code}"
            checked += 1
    assert checked >= 30, "the console has more routes than this: is the walk broken?"


def test_anonymous_post_with_a_valid_token_is_still_refused(client):
    """A CSRF token alone (from the login page) opens nothing."""
    html = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post("/admin/operators/", data={"csrf_token": token, "name": "x",
                                                       "role": "admin", "password": "long-enough-1"})
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_creating_an_operator_is_audited(admin, config):
    admin.post("/admin/operators/", {"name": "newbie", "role": "viewer", "password": "long-enough-1"})
    rows = console_db.audit_entries(store.connect(config["storage"]["database"]))
    assert rows[0]["operator"] == "admin"
    assert rows[0]["action"] == "operator.create"
    assert rows[0]["before"] is None and rows[0]["after"]["name"] == "newbie"
    assert "password_hash" not in rows[0]["after"]


def test_changing_a_role_records_before_and_after(admin, config):
    db = store.connect(config["storage"]["database"])
    viewer_id = console_db.operator_by_name(db, "viewer")["id"]
    admin.post(f"/admin/operators/{viewer_id}", {"role": "editor"})
    row = console_db.audit_entries(db)[0]
    assert (row["before"]["role"], row["after"]["role"]) == ("viewer", "editor")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row["at"])


def test_audit_page_shows_the_change_escaped(admin, config):
    db = store.connect(config["storage"]["database"])
    console_db.add_audit(db, "2026-01-01 00:00:00", "admin", "kb.entry.update", "<script>x</script>",
                         {"title": "<b>old</b>"}, {"title": "new"})
    page = admin.get("/admin/audit/").get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    audit_id = console_db.audit_entries(db)[0]["id"]
    detail = admin.get(f"/admin/audit/{audit_id}").get_data(as_text=True)
    assert "&lt;b&gt;old&lt;/b&gt;" in detail


@pytest.mark.parametrize("who", ["viewer", "editor", "admin"])
def test_every_role_reads_the_audit_log(request, who):
    assert request.getfixturevalue(who).get("/admin/audit/").status_code == 200


EDITING_BLUEPRINTS = ("admin_kb", "admin_texts", "admin_blacklist", "admin_inbox", "admin_operators")


def test_viewers_cannot_change_anything(app, viewer):
    """Every POST of the knowledge base, texts, blacklist, inbox and operators refuses a viewer."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.split(".")[0] not in EDITING_BLUEPRINTS:
            continue
        response = viewer.post(_sample_path(rule))
        assert response.status_code == 403, f"POST {rule.rule} answered {response.status_code}"
        checked += 1
    assert checked >= 12


def test_editors_cannot_manage_operators(app, editor):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin_operators.") and "POST" in rule.methods:
            assert editor.post(_sample_path(rule)).status_code == 403
