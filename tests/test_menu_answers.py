"""Every button of the custom menu gets an answer of its own, never the generic default."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

MENU = tomllib.loads((Path(__file__).resolve().parent.parent / "knowledge" / "menu.toml").read_text("utf-8"))
CLICK_KEYS = [sub["key"] for button in MENU["button"] for sub in button.get("sub_button", [button])
              if sub.get("type") == "click"]


def test_the_menu_has_click_buttons():
    assert len(CLICK_KEYS) >= 5


@pytest.mark.parametrize("key", CLICK_KEYS)
def test_each_menu_button_gets_its_own_answer(app, resident, key):
    default = app.extensions["fanzha.live"].texts()["default"]
    answer = resident.does("CLICK", EventKey=key)
    assert answer and answer != default
