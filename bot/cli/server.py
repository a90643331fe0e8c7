"""Commands that set up and serve the account: setup, serve, dev-config, dev-run."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import click

from bot import db as store
from bot.cli import ConfigProblem, Settings, config_option, pass_settings
from bot.config import ConfigError, require_for_serving

# Each step takes (config, echo) and brings one part of the store up to date; features append theirs.
SETUP_STEPS: list = []


def _seed_knowledge(db, config: dict, echo) -> None:
    """Seed the live knowledge base from knowledge/ when the database holds none yet."""
    from bot.livekb import seed_step

    seed_step(db, config, echo)


SETUP_STEPS.append(_seed_knowledge)


def register(main: click.Group) -> None:
    for command in (setup, serve, dev_config, dev_run):
        main.add_command(command)


def run_setup(config: dict, echo=click.echo) -> None:
    """Create the database, apply migrations, then every feature's setup step. Idempotent."""
    db = store.connect(config["storage"]["database"])
    try:
        applied = store.migrate(db)
        echo(f"database {config['storage']['database']}: "
             + (f"applied {len(applied)} migrations" if applied else "up to date"))
        for step in SETUP_STEPS:
            step(db, config, echo)
    finally:
        db.conn.close()


@click.command()
@config_option
@pass_settings
def setup(settings: Settings) -> None:
    """Create or upgrade the database and seed it. Safe to run again."""
    run_setup(settings.config)


def build_app(settings: Settings):
    from bot import create_app

    config = settings.config
    try:
        require_for_serving(config)
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None
    run_setup(config, echo=lambda _line: None)
    return create_app(config)


@click.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@pass_settings
def serve(settings: Settings, host: str, port: int) -> None:
    """Serve the webhook and console (development server; use gunicorn in production)."""
    from werkzeug.serving import run_simple

    run_simple(host, port, build_app(settings), threaded=True, use_reloader=False)


@click.command("dev-config")
@click.argument("path", type=click.Path(dir_okay=False))
def dev_config(path: str) -> None:
    """Write a development config with fresh secrets, unless PATH exists already."""
    target = Path(path)
    if target.exists():
        click.echo(f"{target} exists; keeping it")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_dev_config_text(target.parent), encoding="utf-8")
    click.echo(f"wrote {target}")


def _dev_config_text(folder: Path) -> str:
    aes_key = base64.b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
    return f"""# Development config written by `fanzha dev-config`. Not for production.
[wechat]
token = "{secrets.token_hex(16)}"
app_id = "wxdev{secrets.token_hex(6)}"
app_secret = "{secrets.token_hex(16)}"
encoding_aes_key = "{aes_key}"
account_id = "gh_devaccount"
api_base_url = "http://127.0.0.1:8001/cgi-bin/"

[storage]
database = "{folder / 'fanzha.db'}"

[server]
secret_key = "{secrets.token_hex(32)}"

[console]
secure_cookies = false
"""


DEV_ADMIN = "admin"


def ensure_dev_admin(config: dict) -> tuple[str, str]:
    """A development console login, created once; its password is kept beside the dev database."""
    from bot.admin.auth import create_operator
    from bot.db import console as console_db

    secret_file = Path(config["storage"]["database"]).parent / "dev-admin.txt"
    db = store.connect(config["storage"]["database"])
    try:
        if console_db.operator_by_name(db, DEV_ADMIN) is None:
            password = secrets.token_urlsafe(12)
            create_operator(db, DEV_ADMIN, password, "admin")
            secret_file.write_text(password + "\n", encoding="utf-8")
            secret_file.chmod(0o600)
    finally:
        db.conn.close()
    if not secret_file.exists():
        return DEV_ADMIN, f"(unknown: {secret_file} was removed)"
    return DEV_ADMIN, secret_file.read_text(encoding="utf-8").strip()


@click.command("dev-run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@pass_settings
def dev_run(settings: Settings, host: str, port: int) -> None:
    """Serve the account locally and print what a WeChat test client needs."""
    from werkzeug.serving import run_simple

    app = build_app(settings)
    wechat = settings.config["wechat"]
    admin_name, admin_password = ensure_dev_admin(settings.config)
    click.echo(f"""
反诈助手 is running locally.
  webhook URL       http://{host}:{port}/wechat
  token             {wechat['token']}
  EncodingAESKey    {wechat['encoding_aes_key']}
  AppID             {wechat['app_id']}
  console           http://{host}:{port}/admin/   login {admin_name} / {admin_password}
Try it:  .venv/bin/fanzha --config {settings.path} chat --url http://{host}:{port}/wechat
""")
    from bot.cli.alerts import start_dev_companions, stop_dev_companions

    children = start_dev_companions(settings, host, port)  # the fake WeChat API and the alert worker
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        stop_dev_companions(children)
