"""The custom menu in knowledge/menu.toml: load, check WeChat's limits, build the menu/create body."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

MAX_BUTTONS, MAX_SUB_BUTTONS = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES, URL_BYTES = 16, 60, 128, 1024
TYPES = {"click", "view"}


class MenuError(Exception):
    """The menu breaks one of WeChat's limits; the message names the button and the limit."""


def load(knowledge_path: str | Path) -> dict[str, Any]:
    """The validated menu/create body from knowledge/menu.toml."""
    path = Path(knowledge_path) / "menu.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MenuError(f"{path}: {error}") from None
    return validate(data)


def validate(data: dict[str, Any]) -> dict[str, Any]:
    """Check counts, byte lengths, types and unique keys; return the body WeChat expects."""
    buttons = data.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise MenuError(f"the menu needs 1 to {MAX_BUTTONS} top-level buttons, "
                        f"found {len(buttons) if isinstance(buttons, list) else 0}")
    body = {"button": [_top_button(button, f"button[{i + 1}]") for i, button in enumerate(buttons)]}
    keys = [b["key"] for top in body["button"] for b in [top, *top.get("sub_button", [])] if "key" in b]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise MenuError(f"menu keys must be unique; repeated: {', '.join(duplicates)}")
    return body


def _top_button(button: dict[str, Any], where: str) -> dict[str, Any]:
    _check_name(button, where, TOP_NAME_BYTES)
    subs = button.get("sub_button")
    if subs is None:
        return _leaf(button, where, TOP_NAME_BYTES)
    if not isinstance(subs, list) or not 1 <= len(subs) <= MAX_SUB_BUTTONS:
        raise MenuError(f"{where} ({button['name']}) needs 1 to {MAX_SUB_BUTTONS} sub-buttons, "
                        f"found {len(subs) if isinstance(subs, list) else 0}")
    return {"name": button["name"],
            "sub_button": [_leaf(sub, f"{where}.sub_button[{j + 1}]", SUB_NAME_BYTES) for j, sub in enumerate(subs)]}


def _leaf(button: dict[str, Any], where: str, name_limit: int) -> dict[str, Any]:
    _check_name(button, where, name_limit)
    kind = button.get("type")
    if kind not in TYPES:
        raise MenuError(f"{where} ({button['name']}): type must be one of {', '.join(sorted(TYPES))}")
    if kind == "click":
        return {"type": "click", "name": button["name"], "key": _checked(button, "key", where, KEY_BYTES)}
    url = _checked(button, "url", where, URL_BYTES)
    if not url.startswith(("http://", "https://")):
        raise MenuError(f"{where} ({button['name']}): url must start with http:// or https://")
    return {"type": "view", "name": button["name"], "url": url}


def _check_name(button: Any, where: str, limit: int) -> None:
    if not isinstance(button, dict):
        raise MenuError(f"{where} must be a table")
    _checked(button, "name", where, limit)


def _checked(button: dict[str, Any], field: str, where: str, limit: int) -> str:
    value = button.get(field)
    if not isinstance(value, str) or not value.strip():
        raise MenuError(f"{where}: {field} is missing")
    size = len(value.encode("utf-8"))
    if size > limit:
        raise MenuError(f"{where}: {field} {value!r} is {size} bytes; WeChat allows {limit}")
    return value
