"""Config comes from defaults, then TOML, then the environment, and bad values name their key."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.config import SCHEMA, ConfigError, load

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_sets_every_setting_there_is():
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    for section, keys in SCHEMA.items():
        assert set(example.get(section, {})) == set(keys), f"[{section}] in config.example.toml"


def test_the_example_config_is_valid():
    config = load(ROOT / "config.example.toml", environ={})
    assert config["wechat"]["api_base_url"].startswith("https://")


def test_every_setting_in_the_example_has_a_comment():
    lines = (ROOT / "config.example.toml").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            assert lines[number - 1].lstrip().startswith("#"), f"line {number + 1} has no comment: {line}"


def test_the_file_overrides_defaults_and_the_environment_overrides_the_file(tmp_path):
    path = write(tmp_path, '[wechat]\ntoken = "from-file"\n[server]\nreply_deadline_seconds = 2\n')
    config = load(path, environ={"FANZHA_WECHAT__TOKEN": "from-env"})
    assert config["wechat"]["token"] == "from-env"
    assert config["server"]["reply_deadline_seconds"] == 2.0
    assert config["server"]["max_body_bytes"] == 65536


def test_environment_values_are_typed(tmp_path):
    config = load(None, environ={"FANZHA_CONSOLE__SECURE_COOKIES": "false",
                                 "FANZHA_SERVER__MAX_BODY_BYTES": "1024"})
    assert config["console"]["secure_cookies"] is False
    assert config["server"]["max_body_bytes"] == 1024


@pytest.mark.parametrize("text,named", [
    ('[wechat]\ntokne = "x"\n', "wechat.tokne"),
    ('[wechat]\naccount_type = "enterprise"\n', "wechat.account_type"),
    ('[wechat]\nencoding_aes_key = "short"\n', "wechat.encoding_aes_key"),
    ('[wechat]\napi_base_url = "ftp://x"\n', "wechat.api_base_url"),
    ('[server]\nmax_body_bytes = "big"\n', "server.max_body_bytes"),
    ('[server]\nmax_body_bytes = -1\n', "server.max_body_bytes"),
    ('[nonsense]\nx = 1\n', "[nonsense]"),
    ('[storage]\ndatabase = true\n', "storage.database"),
])
def test_a_bad_setting_is_refused_with_its_name(tmp_path, text, named):
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load(write(tmp_path, text), environ={})


def test_a_bad_environment_value_names_the_variable():
    with pytest.raises(ConfigError, match="FANZHA_SERVER__MAX_BODY_BYTES"):
        load(None, environ={"FANZHA_SERVER__MAX_BODY_BYTES": "lots"})
    with pytest.raises(ConfigError, match="FANZHA_WECHAT__NOPE"):
        load(None, environ={"FANZHA_WECHAT__NOPE": "1"})


def test_malformed_toml_is_refused_with_the_file_name(tmp_path):
    path = write(tmp_path, "[wechat\ntoken = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(path, environ={})


def run_fanzha(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, timeout=60, cwd=ROOT)


def test_a_missing_config_file_exits_2_with_one_clear_line(tmp_path):
    result = run_fanzha("serve", "--config", str(tmp_path / "absent.toml"))
    assert result.returncode == 2
    assert "config file not found" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_malformed_config_exits_2_naming_the_key(tmp_path):
    path = write(tmp_path, '[server]\nreply_deadline_seconds = "soon"\n')
    result = run_fanzha("--config", str(path), "setup")
    assert result.returncode == 2
    assert "server.reply_deadline_seconds" in result.stderr
    assert "Traceback" not in result.stderr


def test_serving_without_a_token_exits_2(tmp_path):
    path = write(tmp_path, f'[storage]\ndatabase = "{tmp_path / "db.sqlite"}"\n')
    result = run_fanzha("serve", "--config", str(path))
    assert result.returncode == 2
    assert "wechat.token" in result.stderr
