"""dbt-duckdb plugin: prepares every DuckDB connection dbt opens for the lake.

Loads the delta and azure extensions from their PyPI wheels (no download), runs the session
in UTC (so timestamps are unambiguous and Delta gets ``timestamp`` with a zone), creates the
DuckDB Azure secret from environment variables when the lake or landing zone is on Azure
(from Python, so the credential never reaches dbt's logs), and makes
sure every Delta table already in the lake has its view, so deleting the ``.duckdb`` file
loses nothing: the lake is the source of truth, the database file is only a catalog.
"""

from __future__ import annotations

import os
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from lakehouse import duckdb_ext, lake_catalog, storage


class Plugin(BasePlugin):
    """Configured in ``profiles/profiles.yml`` as ``module: lakehouse.dbt_plugin``."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.register_views = bool(plugin_config.get("register_views", True))
        self.landing_root = plugin_config.get("landing_root") or os.environ.get(
            "LAKEHOUSE_LANDING_ROOT", ""
        )

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        duckdb_ext.load_extensions(conn)
        conn.execute("SET TimeZone = 'UTC'")
        lake_root = self.creds.external_root if self.creds is not None else ""
        storage.configure_duckdb(conn, lake_root, self.landing_root)
        storage.ensure_container(lake_root)
        if self.register_views and self.creds is not None:
            lake_catalog.register_views(conn, self.creds.external_root)

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        cursor.execute("SET TimeZone = 'UTC'")
