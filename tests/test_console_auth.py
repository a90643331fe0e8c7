"""Console authentication, sessions, roles, CSRF and login throttling."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from bot import db as store
from bot.cli import main as cli
from bot.db import console as console_db
from tests.console_fixtures import Console, csrf_from


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


def test_login_page_is_open_and_in_chinese(client):
    page = client.get("/admin/login").get_data(as_text=True)
    assert "操作员登录" in page and 'name="csrf_token"' in page


def test_operator_logs_in_and_sees_the_dashboard(console):
    assert console.login("viewer").status_code == 302
    page = console.get("/admin/").get_data(as_text=True)
    assert "数据看板" in page and "viewer" in page


def test_wrong_password_is_refused(console):
    response = console.login("viewer", "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert console.get("/admin/").status_code == 302


def test_passwords_are_stored_hashed(app, operators, config):
    db = store.connect(config["storage"]["database"])
    row = console_db.operator_by_name(db, "admin")
    assert operators["admin"] not in row["password_hash"]
    assert row["password_hash"].startswith(("scrypt:", "pbkdf2:"))


def test_logout_ends_the_session(admin):
    assert admin.post("/admin/logout").status_code == 302
    assert admin.get("/admin/").status_code == 302


def test_session_expires_after_idle_minutes(admin):
    with admin.client.session_transaction() as session:
        session["op_seen"] = time.time() - 121 * 60
    response = admin.get("/admin/")
    assert response.status_code == 302
    assert "登录已过期" in admin.get("/admin/login").get_data(as_text=True)
    assert admin.get("/admin/").status_code == 302


def test_disabled_operator_loses_an_open_session(admin, editor, config):
    editor_id = console_db.operator_by_name(store.connect(config["storage"]["database"]), "editor")["id"]
    assert admin.post(f"/admin/operators/{editor_id}", {"active": "0"}).status_code == 302
    assert editor.get("/admin/").status_code == 302
    assert editor.login("editor").status_code == 401


def test_password_reset_ends_other_sessions(admin, editor, config):
    editor_id = console_db.operator_by_name(store.connect(config["storage"]["database"]), "editor")["id"]
    admin.post(f"/admin/operators/{editor_id}", {"password": "a-brand-new-pass"})
    assert editor.get("/admin/").status_code == 302
    assert editor.login("editor", "a-brand-new-pass").status_code == 302


def test_open_redirect_after_login_is_refused(console):
    page = console.get("/admin/login")
    response = console.client.post("/admin/login?next=https://evil.example/", data={
        "name": "viewer", "password": "viewer-pass-123", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.headers["Location"].endswith("/admin/")


# --- CSRF --------------------------------------------------------------------

def test_login_without_csrf_token_is_refused(console):
    console.get("/admin/login")
    response = console.client.post("/admin/login", data={"name": "admin", "password": "admin-pass-123"})
    assert response.status_code == 400


def test_console_post_without_token_is_refused(admin):
    response = admin.client.post("/admin/operators/", data={"name": "x", "role": "viewer",
                                                              "password": "long-enough-1"})
    assert response.status_code == 400
    assert admin.client.post("/admin/logout").status_code == 400


def test_refusals_are_explained_in_chinese(admin, viewer):
    assert "表单已过期" in admin.client.post("/admin/logout").get_data(as_text=True)
    assert "没有权限" in viewer.get("/admin/operators/").get_data(as_text=True)
    assert "没有找到" in viewer.get("/admin/kb/entry/no-such-entry").get_data(as_text=True)


def test_console_post_with_a_wrong_token_is_refused(admin):
    response = admin.client.post("/admin/operators/", data={
        "name": "x", "role": "viewer", "password": "long-enough-1", "csrf_token": "forged"})
    assert response.status_code == 400


def test_token_changes_at_login(app, operators):
    console = Console(app.test_client())
    before = csrf_from(console.get("/admin/login").get_data(as_text=True))
    console.login("viewer")
    assert console.token != before


def test_every_console_form_carries_the_token(admin):
    for path in ("/admin/", "/admin/operators/", "/admin/inbox/", "/admin/audit/"):
        html = admin.get(path).get_data(as_text=True)
        forms = html.count("<form")
        assert html.count('name="csrf_token"') >= forms - html.count('method="get"'), path


# --- throttling ----------------------------------------------------------------

def test_login_is_throttled_after_repeated_failures(console):
    for _ in range(5):
        assert console.login("editor", "wrong-password").status_code == 401
    response = console.login("editor")
    assert response.status_code == 429
    assert "分钟后再试" in response.get_data(as_text=True)


def test_throttling_ends_after_the_lockout(console, config):
    for _ in range(5):
        console.login("editor", "wrong-password")
    db = store.connect(config["storage"]["database"])
    db.execute("UPDATE login_attempts SET at = at - ?", [16 * 60])
    assert console.login("editor").status_code == 302


def test_a_success_resets_the_failure_count(console):
    for _ in range(4):
        console.login("editor", "wrong-password")
    assert console.login("editor").status_code == 302
    console.post("/admin/logout")
    for _ in range(4):
        assert console.login("editor", "wrong-password").status_code == 401


# --- roles ----------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [("viewer", 403), ("editor", 403), ("admin", 200)])
def test_only_admins_manage_operators(request, who, status):
    session = request.getfixturevalue(who)
    assert session.get("/admin/operators/").status_code == status


def test_viewer_cannot_create_an_operator(viewer):
    response = viewer.post("/admin/operators/", {"name": "x", "role": "admin", "password": "long-enough-1"})
    assert response.status_code == 403


def test_nav_shows_only_what_the_role_may_open(viewer, admin):
    assert "操作员" not in viewer.get("/admin/").get_data(as_text=True).split("<main>")[0]
    assert "操作员" in admin.get("/admin/").get_data(as_text=True).split("<main>")[0]


def test_the_last_admin_cannot_be_demoted(admin, config):
    admin_id = console_db.operator_by_name(store.connect(config["storage"]["database"]), "admin")["id"]
    admin.post(f"/admin/operators/{admin_id}", {"role": "viewer"})
    db = store.connect(config["storage"]["database"])
    assert console_db.operator_by_name(db, "admin")["role"] == "admin"


# --- secure cookies ---------------------------------------------------------------

def test_cookies_are_secure_in_production(tmp_path):
    from bot import create_app
    from bot.cli.server import run_setup
    from tests.conftest import make_config

    config = make_config(tmp_path, console={"secure_cookies": True})
    run_setup(config, echo=lambda _line: None)
    app = create_app(config)
    cookie = app.test_client().get("/admin/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_console_pages_forbid_scripts_and_framing(client):
    headers = client.get("/admin/login").headers
    assert "script-src" not in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


# --- CLI --------------------------------------------------------------------------

def test_create_operator_command_hashes_and_stores(config, tmp_path, monkeypatch):
    monkeypatch.setenv("FANZHA_STORAGE__DATABASE", config["storage"]["database"])
    result = CliRunner().invoke(cli, ["create-operator", "zhang", "--role", "editor"],
                                input="secret-pass-1\nsecret-pass-1\n")
    assert result.exit_code == 0, result.output
    db = store.connect(config["storage"]["database"])
    row = console_db.operator_by_name(db, "zhang")
    assert row["role"] == "editor" and "secret-pass-1" not in row["password_hash"]
    audit = console_db.audit_entries(db)[0]
    assert (audit["operator"], audit["action"], audit["after"]["role"]) == ("cli", "operator.create", "editor")


def test_create_operator_reads_the_password_from_the_environment(config, monkeypatch):
    monkeypatch.setenv("FANZHA_STORAGE__DATABASE", config["storage"]["database"])
    monkeypatch.setenv("FANZHA_OPERATOR_PASSWORD", "from-env-pass")
    result = CliRunner().invoke(cli, ["create-operator", "li", "--role", "admin"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args,message", [
    (["wang", "--role", "admin", "--password", "short"], "至少需要 8 个字符"),
    (["wang", "--role", "boss", "--password", "long-enough"], "Invalid value"),
])
def test_create_operator_refuses_bad_input(config, monkeypatch, args, message):
    monkeypatch.setenv("FANZHA_STORAGE__DATABASE", config["storage"]["database"])
    result = CliRunner().invoke(cli, ["create-operator", *args])
    assert result.exit_code != 0 and message in result.output


def test_create_operator_refuses_a_taken_name(config, monkeypatch):
    monkeypatch.setenv("FANZHA_STORAGE__DATABASE", config["storage"]["database"])
    CliRunner().invoke(cli, ["create-operator", "chen", "--password", "long-enough"])
    result = CliRunner().invoke(cli, ["create-operator", "chen", "--password", "long-enough"])
    assert result.exit_code == 1 and "已存在" in result.output
