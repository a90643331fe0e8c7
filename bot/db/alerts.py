"""Tables and queries for the alerts feature."""

from __future__ import annotations

from sqlite_utils import Migrations

migrations = Migrations("alerts")
