"""Console fixtures: operators of every role and a logged-in test client."""

from __future__ import annotations

import re

import pytest

from bot import db as store
from bot.admin.auth import create_operator

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
