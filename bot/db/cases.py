"""Tables and queries for the cases feature."""

from __future__ import annotations

from sqlite_utils import Migrations

migrations = Migrations("cases")
