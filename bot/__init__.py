"""反诈助手: the application factory. At import, only the choice of the advisor core's code is made:
compiled, or its sources when the compiled modules are missing or older (bot/compiled.py)."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask

from bot import compiled
from bot import config as config_module
from bot import db

compiled.choose()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app from a validated config; without one, from the file in FANZHA_CONFIG."""
    if config is None:
        config = config_module.load(os.environ.get("FANZHA_CONFIG"))
    config_module.require_for_serving(config)
    _require_migrated(config)
    app = Flask(__name__, instance_relative_config=False)
    app.config["FANZHA"] = config
    app.config["SECRET_KEY"] = config["server"]["secret_key"]
    _configure_logging(app)
    db.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from bot.health import bp as health_bp
    from bot.wechat.webhook import init_app as init_webhook

    app.register_blueprint(health_bp)
    init_webhook(app)
    from bot.admin import init_app as init_admin

    init_admin(app)
    from bot.admin import cases as admin_cases
    from bot.admin import reports as admin_reports

    admin_cases.init_app(app)
    admin_reports.init_app(app)
    from bot.admin import alerts as admin_alerts

    admin_alerts.init_app(app)
    from bot.conversation import init_app as init_conversation

    init_conversation(app)


def _require_migrated(config: dict[str, Any]) -> None:
    """Serving an old schema would fail on every message; say so once, at start."""
    database = config["storage"]["database"]
    connection = db.connect(database)
    try:
        pending = db.pending_migrations(connection)
    finally:
        connection.conn.close()
    if pending:
        raise config_module.ConfigError(
            f"database {database} needs {len(pending)} migrations: run `fanzha setup` first")


def _configure_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.logger.setLevel(logging.INFO)
