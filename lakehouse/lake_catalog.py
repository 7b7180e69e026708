"""The lake's layout, ``<lake root>/<layer>/<model>/``, as DuckDB views.

The folder names are the catalog: layer = DuckDB schema, model = view name. Any tool can
rebuild the views from the lake alone.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from lakehouse import storage


def delta_tables(lake_root: str) -> list[tuple[str, str, str]]:
    """(layer, model, location) for every Delta table under a local ``lake_root``."""
    root = Path(storage.resolve(lake_root))
    if storage.is_remote(lake_root) or not root.is_dir():
        return []
    found = []
    for log_dir in sorted(root.glob("*/*/_delta_log")):
        table = log_dir.parent
        if any(log_dir.iterdir()):
            found.append((table.parent.name, table.name, str(table)))
    return found


def register_views(con: duckdb.DuckDBPyConnection, lake_root: str) -> int:
    """Create the missing views over the lake's Delta tables; return how many were created."""
    existing = {
        (schema, name)
        for schema, name in con.execute(
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
    }
    created = 0
    for layer, model, location in delta_tables(lake_root):
        if (layer, model) in existing:
            continue
        con.execute(f'create schema if not exists "{layer}"')
        con.execute(
            f'create view if not exists "{layer}"."{model}" as '
            f"select * from delta_scan('{storage.duckdb_path(location)}')"
        )
        created += 1
    return created
