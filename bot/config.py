"""Configuration: code defaults, then a TOML file, then the environment, validated at start.

Every setting is declared once in SCHEMA. An environment variable named
FANZHA_<SECTION>__<KEY> (for example FANZHA_WECHAT__TOKEN) overrides the file.
"""

from __future__ import annotations

import base64
import binascii
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "FANZHA_"


class ConfigError(Exception):
    """A configuration problem, with the key that caused it in the message."""


@dataclass(frozen=True)
class Setting:
    kind: type
    default: Any
    check: Callable[[Any], str | None] | None = None


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return check


def _positive(value: Any) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _aes_key(value: Any) -> str | None:
    if value == "":
        return None
    if len(value) != 43:
        return "must be 43 characters (WeChat's EncodingAESKey)"
    try:
        key = base64.b64decode(value + "=", validate=True)
    except (binascii.Error, ValueError):
        return "must be base64 text"
    return None if len(key) == 32 else "must decode to 32 bytes"


def _http_url(value: Any) -> str | None:
    return None if value.startswith(("http://", "https://")) else "must start with http:// or https://"


SCHEMA: dict[str, dict[str, Setting]] = {
    "wechat": {
        "token": Setting(str, ""),
        "app_id": Setting(str, ""),
        "app_secret": Setting(str, ""),
        "encoding_aes_key": Setting(str, "", _aes_key),
        "api_base_url": Setting(str, "https://api.weixin.qq.com/cgi-bin/", _http_url),
        "account_type": Setting(str, "subscription", _one_of("subscription", "service")),
        "account_id": Setting(str, ""),
    },
    "storage": {
        "database": Setting(str, "instance/fanzha.db"),
    },
    "server": {
        "secret_key": Setting(str, ""),
        "timestamp_tolerance_seconds": Setting(int, 300, _positive),
        "max_body_bytes": Setting(int, 65536, _positive),
        "reply_deadline_seconds": Setting(float, 3.0, _positive),
        "db_busy_timeout_ms": Setting(int, 1500, _positive),
    },
    "knowledge": {
        "path": Setting(str, str(PROJECT_ROOT / "knowledge")),
        "reload_check_seconds": Setting(float, 1.0, _positive),
    },
    "console": {
        "session_minutes": Setting(int, 120, _positive),
        "secure_cookies": Setting(bool, True),
        "max_failed_logins": Setting(int, 5, _positive),
        "lockout_minutes": Setting(int, 15, _positive),
    },
    "alerts": {
        "timezone": Setting(str, "Asia/Shanghai"),
        "api_calls_per_minute": Setting(int, 60, _positive),
        "worker_poll_seconds": Setting(float, 5.0, _positive),
        "lease_seconds": Setting(float, 180.0, _positive),
        "retry_base_seconds": Setting(float, 5.0, _positive),
        "max_attempts": Setting(int, 8, _positive),
        "mass_batch_size": Setting(int, 10000, _positive),
        "ambiguous_custom_send": Setting(str, "resend", _one_of("resend", "hold")),
    },
    "dialogue": {
        "flow_timeout_minutes": Setting(int, 30, _positive),
    },
}

Config = dict[str, dict[str, Any]]


def defaults() -> Config:
    """The code defaults for every setting."""
    return {section: {key: s.default for key, s in keys.items()} for section, keys in SCHEMA.items()}


def load(path: str | os.PathLike | None, environ: dict[str, str] | None = None,
         overrides: Config | None = None) -> Config:
    """Build the validated config from defaults, an optional TOML file, the environment and overrides."""
    config = defaults()
    if path is not None:
        _merge(config, _read_toml(Path(path)), source=str(path))
    _merge(config, _from_environment(os.environ if environ is None else environ), source="environment")
    if overrides:
        _merge(config, overrides, source="overrides")
    _expand_user_paths(config)
    return config


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None


def _from_environment(environ: dict[str, str]) -> dict:
    found: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
        setting = SCHEMA.get(section, {}).get(key)
        if setting is None:
            raise ConfigError(f"unknown setting in environment variable {name}")
        found.setdefault(section, {})[key] = _parse_env_value(name, raw, setting.kind)
    return found


def _parse_env_value(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    if kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    return raw


def _merge(config: Config, incoming: dict, source: str) -> None:
    for section, values in incoming.items():
        if section not in SCHEMA:
            raise ConfigError(f"unknown section [{section}] in {source}")
        if not isinstance(values, dict):
            raise ConfigError(f"[{section}] in {source} must be a table")
        for key, value in values.items():
            config[section][key] = _validated(section, key, value, source)


def _validated(section: str, key: str, value: Any, source: str) -> Any:
    setting = SCHEMA[section].get(key)
    name = f"{section}.{key}"
    if setting is None:
        raise ConfigError(f"unknown setting {name} in {source}")
    if setting.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, setting.kind) or (setting.kind is int and isinstance(value, bool)):
        raise ConfigError(f"{name} in {source} must be {setting.kind.__name__}, got {value!r}")
    problem = setting.check(value) if setting.check else None
    if problem:
        raise ConfigError(f"{name} in {source} {problem}")
    return value


def _expand_user_paths(config: Config) -> None:
    """Relative paths stay relative to the working directory, like any CLI tool's."""
    for section, key in (("storage", "database"), ("knowledge", "path")):
        config[section][key] = str(Path(config[section][key]).expanduser())


def require_for_serving(config: Config) -> None:
    """Settings the webhook and console cannot run without."""
    for section, key in (("wechat", "token"), ("server", "secret_key")):
        if not config[section][key]:
            raise ConfigError(f"{section}.{key} must be set to serve the account")


def wechat_mode_available(config: Config) -> bool:
    """Whether safe (AES) mode can be served: it needs the AES key and the app id."""
    wechat = config["wechat"]
    return bool(wechat["encoding_aes_key"] and wechat["app_id"])
