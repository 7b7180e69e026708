"""Reading whole lakes to compare them: table versions and their rows without run columns."""

from __future__ import annotations

from pathlib import Path

import duckdb
from deltalake import DeltaTable

from lakehouse import lake_catalog, storage

#: Lineage columns that name the run, not the data: they differ between two builds by design.
RUN_COLUMNS = {"_ingested_at", "_batch_id"}


def versions(lake: Path) -> dict[str, int]:
    """{layer.table: Delta version} of every table in the lake."""
    return {
        f"{layer}.{table}": DeltaTable(location).version()
        for layer, table, location in lake_catalog.delta_tables(str(lake))
    }


def table_rows(lake: Path, layer: str, table: str, con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The table's rows, sorted, without the run columns."""
    location = storage.duckdb_path(str(lake / layer / table))
    columns = [
        row[0]
        for row in con.execute(f"describe select * from delta_scan('{location}')").fetchall()
        if row[0] not in RUN_COLUMNS
    ]
    select = ", ".join(f'"{c}"' for c in columns)
    return sorted(
        con.execute(f"select {select} from delta_scan('{location}')").fetchall(),
        key=repr,
    )
