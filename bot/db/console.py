"""Tables and queries for the console feature."""

from __future__ import annotations

from sqlite_utils import Migrations

migrations = Migrations("console")
