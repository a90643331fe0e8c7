"""Console fixtures: operators of every role and a logged-in test client."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import tomli_w

from bot import db as store
from bot.admin.auth import create_operator
from bot.config import PROJECT_ROOT
from tests.conftest import make_config

BUNDLED_KNOWLEDGE = PROJECT_ROOT / "knowledge"

PASSWORDS = {"admin": "admin-pass-123", "editor": "editor-pass-123", "viewer": "viewer-pass-123"}


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered console page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


class Console:
    """An operator's browser session through the Flask test client."""

    def __init__(self, client):
        self.client = client
        self.token = ""

    def login(self, name: str, password: str | None = None):
        page = self.client.get("/admin/login")
        response = self.client.post("/admin/login", data={
            "name": name, "password": password or PASSWORDS[name],
            "csrf_token": csrf_from(page.get_data(as_text=True))})
        if response.status_code == 302:
            self.refresh_token()
        return response

    def refresh_token(self, path: str = "/admin/") -> str:
        self.token = csrf_from(self.client.get(path).get_data(as_text=True))
        return self.token

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs):
        """POST a console form with the session's CSRF token."""
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)


@pytest.fixture
def operators(app, config) -> dict[str, str]:
    """One operator per role, named after the role; returns name -> password."""
    db = store.connect(config["storage"]["database"])
    try:
        for role, password in PASSWORDS.items():
            create_operator(db, role, password, role)
    finally:
        db.conn.close()
    return dict(PASSWORDS)


@pytest.fixture
def console(client, operators) -> Console:
    """A client session not yet logged in (operators exist)."""
    return Console(client)


@pytest.fixture
def admin(app, operators) -> Console:
    session = Console(app.test_client())
    assert session.login("admin").status_code == 302
    return session


@pytest.fixture
def editor(app, operators) -> Console:
    session = Console(app.test_client())
    assert session.login("editor").status_code == 302
    return session


@pytest.fixture
def viewer(app, operators) -> Console:
    session = Console(app.test_client())
    assert session.login("viewer").status_code == 302
    return session


# --- a knowledge base with a known test entry ---------------------------------------------

TEST_ENTRY = {
    "id": "console-test-parcel",
    "category": "冒充电商物流客服",
    "title": "快递丢件理赔（测试条目）",
    "script": "您好，我是快递客服，您的包裹丢失了，我们给您三倍理赔。",
    "why": "正规快递理赔不会让您提供验证码或下载会议软件。",
    "actions": ["挂断电话，通过官方App联系快递公司核实。"],
    "avoid": ["不向陌生人提供验证码。", "不下载陌生人发来的会议软件。"],
    "signals": [{"words": ["蓝莓理赔专员"], "weight": 5, "note": "自称“理赔专员”主动联系"}],
}


def write_knowledge(root: Path, *extra: dict) -> Path:
    """A copy of the bundled knowledge base plus the test entry (and any extra entries)."""
    shutil.copytree(BUNDLED_KNOWLEDGE, root, ignore=shutil.ignore_patterns("entries-disabled"))
    (root / "entries").mkdir(exist_ok=True)
    for document in (TEST_ENTRY, *extra):
        (root / "entries" / f"{document['id']}.toml").write_text(tomli_w.dumps(document), encoding="utf-8")
    return root


def console_config(tmp_path: Path, **sections) -> dict:
    """The test config with the knowledge base from write_knowledge and instant reload checks."""
    knowledge = write_knowledge(tmp_path / "knowledge")
    sections.setdefault("knowledge", {}).update({"path": str(knowledge), "reload_check_seconds": 0.05})
    return make_config(tmp_path, **sections)
