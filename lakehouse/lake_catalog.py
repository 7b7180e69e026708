"""The lake's layout, ``<lake root>/<layer>/<model>/``, as DuckDB views.

The folder names are the catalog: layer = DuckDB schema, model = view name. Any tool can
rebuild the views from the lake alone.
"""

from __future__ import annotations

import duckdb

from lakehouse import storage


def delta_tables(lake_root: str) -> list[tuple[str, str, str]]:
    """(layer, model, location) for every Delta table under ``lake_root``, local or Azure.

    A table is a ``<layer>/<model>/_delta_log`` folder with at least one commit or checkpoint;
    the location is spelled like ``lake_root`` (folder or URL) so DuckDB and delta-rs reach it.
    """
    root = storage.resolve(lake_root)
    fs, path = storage.filesystem(root)
    if not fs.isdir(path):
        return []
    found = set()
    for entry in fs.glob(f"{path}/*/*/_delta_log/*"):
        name = entry.rstrip("/").rsplit("/", 1)[-1]
        if name.endswith((".json", ".checkpoint.parquet")) or name == "_last_checkpoint":
            layer, model = entry[len(path) + 1 :].split("/")[:2]
            found.add((layer, model, storage.join(root, layer, model)))
    return sorted(found)


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


def in_catalog_of(relation: str, table: str) -> str:
    """``table`` (``schema.name``) in the catalog of ``relation`` (``"db"."schema"."name"``).

    Why: dbt-duckdb writes a Python model's result on a fresh cursor whose default catalog is
    not the attached one the models and tests use, so the writer's bookkeeping tables are
    named with the relation's own catalog.
    """
    parts = relation.split(".")
    return f"{parts[0]}.{table}" if len(parts) == 3 else table
