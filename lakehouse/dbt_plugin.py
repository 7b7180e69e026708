"""dbt-duckdb plugin: prepares every DuckDB connection dbt opens for the lake.

Loads the delta and azure extensions from their PyPI wheels (no download), runs the session
in UTC (so timestamps are unambiguous and Delta gets ``timestamp`` with a zone), registers
the landing gate (``lake_judge_stream``, see :mod:`lakehouse.landing_stage`), creates the
DuckDB Azure secret from environment variables when the lake or landing zone is on Azure
(from Python, so the credential never reaches dbt's logs), and makes
sure every Delta table already in the lake has its view, so deleting the ``.duckdb`` file
loses nothing: the lake is the source of truth, the database file is only a catalog.
Commands that write (build, run, seed, ...) first take the lake's lock (:mod:`lakehouse.lake_lock`).

The profile attaches the catalog file under a fixed name (its ``database``), so that prod and
dev catalogs with different file names render the same relation names (slim CI compares
them). dbt-duckdb attaches only after the plugins ran, so the plugin attaches it first
(dbt's own ``ATTACH IF NOT EXISTS`` is then a no-op) and makes it the default catalog, as
the file was when it was opened directly.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from lakehouse import (
    delta_writer,
    duckdb_ext,
    lake_catalog,
    lake_lock,
    landing_stage,
    model_inputs,
    storage,
)

#: dbt commands that write Delta tables; read-only ones (compile, docs, show, ls) run alongside.
WRITING_COMMANDS = {"build", "run", "seed", "snapshot", "run-operation", "retry"}


class Plugin(BasePlugin):
    """Configured in ``profiles/profiles.yml`` as ``module: lakehouse.dbt_plugin``."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        _forward_logs_to_dbt()
        self.register_views = bool(plugin_config.get("register_views", True))
        if self.creds is not None and _current_command() in WRITING_COMMANDS:
            self.lock = lake_lock.acquire(self.creds.external_root)
        self.landing_root = plugin_config.get("landing_root") or os.environ.get(
            "LAKEHOUSE_LANDING_ROOT", ""
        )
        landing_stage.sweep_stale_staging()

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        duckdb_ext.load_extensions(conn)
        conn.execute("SET TimeZone = 'UTC'")
        self._use_catalog(conn, attach=True)
        _create_function_if_absent(
            conn,
            "lake_judge_stream",
            landing_stage.judge_stream_udf,
            ["VARCHAR", "VARCHAR", "VARCHAR[]", "BOOLEAN"],
            "VARCHAR",
        )
        _create_function_if_absent(
            conn, "lake_discard_staged", landing_stage.discard_staged_udf, ["VARCHAR"], "BOOLEAN"
        )
        lake_root = self.creds.external_root if self.creds is not None else ""
        storage.configure_duckdb(conn, lake_root, self.landing_root)
        storage.ensure_container(lake_root)
        if self.register_views and self.creds is not None:
            lake_catalog.register_views(conn, self.creds.external_root)
        if self.creds is not None:
            delta_writer.ensure_partition_records(conn)
            model_inputs.ensure_table(conn)

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


def _current_command() -> str:
    """The running dbt command (``build``, ``docs``, ...); ``build`` when dbt cannot say."""
    try:
        from dbt.flags import get_flags

        return str(getattr(get_flags(), "WHICH", None) or "build")
    except Exception:  # noqa: BLE001 (no flags outside the CLI: assume the worst)
        return "build"


class _DbtLogHandler(logging.Handler):
    """Hands the ``lakehouse`` modules' log records to dbt's log (debug level: logs/dbt.log),
    so what the writer did (committed, skipped, kept, compacted) is next to the model's SQL."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        from dbt.adapters.events.logging import AdapterLogger

        self.dbt_log = AdapterLogger("lakehouse")

    def emit(self, record: logging.LogRecord) -> None:
        self.dbt_log.debug(record.getMessage())


def _forward_logs_to_dbt() -> None:
    logger = logging.getLogger("lakehouse")
    if not any(isinstance(h, _DbtLogHandler) for h in logger.handlers):
        logger.addHandler(_DbtLogHandler())
        logger.setLevel(logging.INFO)
        logger.propagate = False  # dbt's log only, not a library's root handler on stdout


def _create_function_if_absent(
    conn: DuckDBPyConnection,
    name: str,
    function: Callable[..., Any],
    parameters: list[str],
    returns: str,
) -> None:
    """Register a Python scalar function once per connection (dbt may configure a reopened
    connection again, and DuckDB refuses a second registration under the same name)."""
    registered = conn.execute(
        "select count(*) from duckdb_functions() where function_name = ?", [name]
    ).fetchone()
    if not registered or registered[0] == 0:
        # special null handling: an empty file's content still reaches the gate, never skipped;
        # side effects: DuckDB must call it once per row, not fold or reorder it away
        conn.create_function(
            name, function, parameters, returns, null_handling="special", side_effects=True
        )
