"""dbt-duckdb plugin: prepares every DuckDB connection dbt opens for the lake.

Loads the delta and azure extensions from their PyPI wheels (no download), runs the session
in UTC (so timestamps are unambiguous and Delta gets ``timestamp`` with a zone), and makes
sure every Delta table already in the lake has its view, so deleting the ``.duckdb`` file
loses nothing: the lake is the source of truth, the database file is only a catalog.

The profile attaches the catalog file under a fixed name (its ``database``), so that prod and
dev catalogs with different file names render the same relation names (slim CI compares
them). dbt-duckdb attaches only after the plugins ran, so the plugin attaches it first
(dbt's own ``ATTACH IF NOT EXISTS`` is then a no-op) and makes it the default catalog, as
the file was when it was opened directly.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from lakehouse import duckdb_ext, lake_catalog


class Plugin(BasePlugin):
    """Configured in ``profiles/profiles.yml`` as ``module: lakehouse.dbt_plugin``."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.register_views = bool(plugin_config.get("register_views", True))

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        duckdb_ext.load_extensions(conn)
        conn.execute("SET TimeZone = 'UTC'")
        self._use_catalog(conn, attach=True)
        if self.register_views and self.creds is not None:
            lake_catalog.register_views(conn, self.creds.external_root)

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        cursor.execute("SET TimeZone = 'UTC'")
        self._use_catalog(cursor, attach=False)

    def _use_catalog(self, conn: DuckDBPyConnection, attach: bool) -> None:
        """Make the profile's ``database`` the default catalog when it is an attached file."""
        if self.creds is None:
            return
        for attachment in self.creds.attach or []:
            if attachment.alias and attachment.alias == self.creds.database:
                if attach:
                    conn.execute(attachment.to_sql())
                conn.execute(f'use "{attachment.alias}"')
                return
