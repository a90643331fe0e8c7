"""Alert commands: `fanzha alert create|list|show|preview|confirm|cancel`, `fanzha worker`,
`fanzha menu push`, and `fanzha fake-wechat` (the fake WeChat API for local runs)."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

import click
from sqlite_utils import Database

from bot import db as store
from bot.alerts import menu as menus
from bot.alerts import service
from bot.alerts.knowledge import AlertTexts, AlertsKnowledgeError, load as load_texts
from bot.alerts.schedule import from_row
from bot.alerts.service import AlertProblem, AlertSpec
from bot.cli import Settings, config_option, pass_settings
from bot.db import alerts as alerts_store
from bot.timeutil import local_text
from bot.wechat.api import WeChatAPI, WeChatError


# The worker is in no hurry: it waits out a busy database longer than a web request would.
WORKER_BUSY_TIMEOUT_MS = 15000


def register(main: click.Group) -> None:
    for command in (alert, worker, menu, fake_wechat):
        main.add_command(command)


@contextmanager
def opened(settings: Settings) -> Iterator[tuple[Database, AlertTexts]]:
    """The migrated database and the alert texts; domain errors become one clear line."""
    config = settings.config
    db = store.connect(config["storage"]["database"])
    try:
        store.migrate(db)
        yield db, load_texts(config["knowledge"]["path"])
    except AlertProblem as problem:
        raise click.ClickException(problem.message) from None
    except AlertsKnowledgeError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.conn.close()


def _tz(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.config["alerts"]["timezone"])


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _wechat_failure(error: WeChatError, texts: AlertTexts) -> click.ClickException:
    return click.ClickException(f"WeChat refused ({error.errcode}): {texts.explain(error.errcode)}")


# --- fanzha alert ----------------------------------------------------------------

@click.group()
def alert() -> None:
    """Create, preview, confirm, list, show and cancel alert broadcasts."""


@alert.command("create")
@config_option
@click.option("--title", required=True, help="For operators; residents do not see it.")
@click.option("--text", "content", help="The alert residents read.")
@click.option("--text-file", type=click.File(encoding="utf-8"), help="Read the alert text from a file.")
@click.option("--audience", type=click.Choice(["all", "tags", "opted_in"]), default="opted_in", show_default=True)
@click.option("--tag", "tags", multiple=True, help="A tag (street, community or group); repeatable.")
@click.option("--channel", type=click.Choice(["mass", "custom"]), default="mass", show_default=True,
              help="mass: 群发; custom: customer-service messages within the 48-hour window.")
@click.option("--schedule", default="now", show_default=True,
              help="now, 'YYYY-MM-DD HH:MM', 'daily HH:MM' or 'every Monday HH:MM' (local time).")
@click.option("--preview-openid", help="Preview on this OpenID right away.")
@click.option("--by", "created_by", default="cli", show_default=True, help="Who creates it (for the record).")
@pass_settings
def create_alert(settings: Settings, title: str, content: str | None, text_file, audience: str,
                 tags: tuple[str, ...], channel: str, schedule: str, preview_openid: str | None,
                 created_by: str) -> None:
    """Create an alert as a draft. It goes out only after `preview` and `confirm`."""
    text = text_file.read() if text_file else (content or "")
    spec = AlertSpec(title, text.strip(), audience, list(tags), channel, schedule, created_by)
    with opened(settings) as (db, texts):
        alert_id = service.create(db, spec, texts, _now(), _tz(settings))
        click.echo(f"alert {alert_id} created as a draft")
        if preview_openid:
            _preview(settings, db, texts, alert_id, preview_openid)


@alert.command("preview")
@config_option
@click.argument("alert_id", type=int)
@click.option("--openid", required=True, help="Your own OpenID: the preview arrives on your phone.")
@pass_settings
def preview_alert(settings: Settings, alert_id: int, openid: str) -> None:
    """Send a draft to your own WeChat (message/mass/preview) before confirming it."""
    with opened(settings) as (db, texts):
        _preview(settings, db, texts, alert_id, openid)


def _preview(settings: Settings, db: Database, texts: AlertTexts, alert_id: int, openid: str) -> None:
    try:
        service.preview(db, WeChatAPI(settings.config, db), alert_id, openid, texts, _now())
    except WeChatError as error:
        raise _wechat_failure(error, texts) from None
    click.echo(f"preview of alert {alert_id} sent to {openid}; check it, then: fanzha alert confirm {alert_id}")


@alert.command("confirm")
@config_option
@click.argument("alert_id", type=int)
@click.option("--yes", is_flag=True, help="Confirm even when a quota warning applies.")
@pass_settings
def confirm_alert(settings: Settings, alert_id: int, yes: bool) -> None:
    """Schedule a previewed draft, after showing WeChat's quota warnings."""
    config = settings.config
    with opened(settings) as (db, texts):
        row = service.get(db, alert_id, texts)
        click.echo(texts.labels[f"account_{config['wechat']['account_type']}"])
        warnings = service.quota_warnings(db, row, config["wechat"]["account_type"], texts, _now(), _tz(settings))
        for warning in warnings:
            click.echo(warning)
        if warnings and not yes and not click.confirm("Schedule it anyway?", default=False):
            raise click.ClickException("not scheduled")
        row = service.confirm(db, alert_id, texts, _now(), _tz(settings))
        click.echo(f"alert {alert_id} scheduled; first run {local_text(row['next_run_at'])} (Beijing time)")


@alert.command("cancel")
@config_option
@click.argument("alert_id", type=int)
@pass_settings
def cancel_alert(settings: Settings, alert_id: int) -> None:
    """Cancel an alert and its runs not yet started."""
    with opened(settings) as (db, texts):
        service.cancel(db, alert_id, texts, _now())
        click.echo(f"alert {alert_id} cancelled")


@alert.command("list")
@config_option
@pass_settings
def list_alerts(settings: Settings) -> None:
    """The latest alerts with their status and next run."""
    with opened(settings) as (db, texts):
        for row in alerts_store.alerts(db):
            schedule = from_row(row, _tz(settings)).describe()
            click.echo(f"{row['id']:>4}  {texts.status_name(row['status']):<10} {row['channel']:<6} "
                       f"{row['audience']:<8} {schedule:<16} next {local_text(row['next_run_at']) or '-':<16} "
                       f"{row['title']}")


@alert.command("show")
@config_option
@click.argument("alert_id", type=int)
@pass_settings
def show_alert(settings: Settings, alert_id: int) -> None:
    """One alert: its text, schedule, runs, WeChat results and failures explained."""
    with opened(settings) as (db, texts):
        row = service.get(db, alert_id, texts)
        click.echo(f"alert {row['id']}: {row['title']}  [{texts.status_name(row['status'])}]")
        click.echo(f"audience {row['audience']} {' '.join(row['tags'])}  channel {row['channel']}  "
                   f"schedule {from_row(row, _tz(settings)).describe()}  next {local_text(row['next_run_at']) or '-'}")
        click.echo(f"previewed {local_text(row['previewed_at']) or 'no'} on {row['preview_openid'] or '-'}")
        click.echo("---\n" + row["content"] + "\n---")
        for run in alerts_store.runs_for_alert(db, alert_id):
            _show_run(db, texts, run)


def _show_run(db: Database, texts: AlertTexts, run: dict) -> None:
    line = (f"run {run['id']} for {local_text(run['scheduled_for'])}: {texts.status_name(run['status'])} "
            f"(attempts {run['attempts']})")
    if run["errcode"] is not None:
        line += f"  errcode {run['errcode']}: {texts.explain(run['errcode'])}"
    click.echo(line)
    for batch in alerts_store.batches(db, run["id"]):
        click.echo(f"  part {batch['part']} {batch['target']}: msg_id {batch['msg_id'] or '-'} "
                   f"{texts.status_name(batch['status'])}; WeChat reports {batch['job_status'] or '-'} "
                   f"sent {batch['sent_count'] if batch['sent_count'] is not None else '-'} "
                   f"errors {batch['error_count'] if batch['error_count'] is not None else '-'}")
    if run["channel"] == "custom":
        counts = alerts_store.delivery_counts(db, run["id"])
        click.echo("  " + ", ".join(f"{texts.status_name(k) if k != 'possible_duplicate' else '可能重复'} {v}"
                                    for k, v in sorted(counts.items())))
    for failure in alerts_store.failed_deliveries(db, run["id"], limit=20):
        click.echo(f"  {failure['openid']}: {texts.status_name(failure['status'])} "
                   f"{texts.explain(failure['errcode']) if failure['errcode'] else ''}")


# --- fanzha worker ------------------------------------------------------------------

@click.command()
@config_option
@click.option("--until-idle", is_flag=True, help="Exit when nothing is due (for scripts and tests).")
@pass_settings
def worker(settings: Settings, until_idle: bool) -> None:
    """Send due alerts and sync tags: the one process that talks to WeChat's API."""
    from bot.alerts.worker import Worker

    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = settings.config
    db = store.connect(config["storage"]["database"], WORKER_BUSY_TIMEOUT_MS)
    store.migrate(db)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        Worker(config, db, WeChatAPI(config, db)).run(stop, until_idle=until_idle)
    finally:
        db.conn.close()


# --- fanzha menu -----------------------------------------------------------------------

@click.group()
def menu() -> None:
    """The custom menu defined in knowledge/menu.toml."""


@menu.command("push")
@config_option
@click.option("--check", "check_only", is_flag=True, help="Only check the limits; publish nothing.")
@pass_settings
def push_menu(settings: Settings, check_only: bool) -> None:
    """Check the menu against WeChat's limits, then publish it (menu/create)."""
    config = settings.config
    try:
        body = menus.load(config["knowledge"]["path"])
    except menus.MenuError as error:
        raise click.ClickException(f"menu not valid: {error}") from None
    count = sum(len(b.get("sub_button", [])) or 1 for b in body["button"])
    if check_only:
        click.echo(f"menu ok: {len(body['button'])} buttons, {count} actions")
        return
    with opened(settings) as (db, texts):
        try:
            WeChatAPI(config, db).create_menu(body)
        except WeChatError as error:
            raise _wechat_failure(error, texts) from None
    click.echo(f"menu published: {len(body['button'])} buttons, {count} actions")


# --- fanzha fake-wechat ---------------------------------------------------------------

@click.command("fake-wechat")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--webhook", help="Post MASSSENDJOBFINISH here, e.g. http://127.0.0.1:8000/wechat.")
@click.option("--strict-window/--open-window", default=False, show_default=True,
              help="Strict: customer-service sends need a /_fake/touch?openid=… within 48 h.")
@pass_settings
def fake_wechat(settings: Settings, host: str, port: int, webhook: str | None, strict_window: bool) -> None:
    """Serve a fake WeChat API on loopback for local runs; nothing reaches real WeChat."""
    from bot.wechat.fake_api import FakeServer, FakeWeChat

    wechat = settings.config["wechat"]
    fake = FakeWeChat(app_id=wechat["app_id"], secret=wechat["app_secret"], strict_window=strict_window)
    if webhook:
        fake.connect_webhook(webhook, wechat["token"], wechat["account_id"] or "gh_fanzha",
                             auto_finish_seconds=2.0)
    try:
        server = FakeServer(fake, host, port)
    except (ValueError, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"fake WeChat API at {server.base_url}" + (f", reporting to {webhook}" if webhook else ""))
    server.serve_forever()


# --- companions for `fanzha dev-run` -------------------------------------------------------

def start_dev_companions(settings: Settings, host: str, port: int) -> list:
    """Start the fake WeChat API (when api_base_url is on loopback) and the worker as child processes."""
    import subprocess
    import sys
    from urllib.parse import urlparse

    base = [sys.executable, "-m", "bot.cli"] + (["--config", settings.path] if settings.path else [])
    api = urlparse(settings.config["wechat"]["api_base_url"])
    children = []
    if api.hostname in ("127.0.0.1", "localhost"):
        webhook_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        children.append(subprocess.Popen(base + ["fake-wechat", "--port", str(api.port or 80),
                                                 "--webhook", f"http://{webhook_host}:{port}/wechat"]))
    children.append(subprocess.Popen(base + ["worker"]))
    click.echo(f"alert worker started (pid {children[-1].pid}); WeChat API calls go to {api.geturl()}")
    # SIGTERM ends dev-run through its `finally`, so the children are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return children


def stop_dev_companions(children: list) -> None:
    """Stop the child processes started for dev-run: politely, then firmly."""
    import subprocess

    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
