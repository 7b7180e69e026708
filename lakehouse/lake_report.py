"""Report on the lake after a build: every Delta table, read two ways, and the reconciliation.

Each table is counted with DuckDB's ``delta_scan`` and with delta-rs, which must agree, and its
protocol is checked (reader 1 / writer 2 keeps it readable by Synapse Serverless). The flight
reconciliation comes from the audit models the build wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from deltalake import DeltaTable

from lakehouse import duckdb_ext, lake_catalog, storage


@dataclass
class TableReport:
    layer: str
    table: str
    version: int
    rows_duckdb: int
    rows_deltalake: int
    reader_version: int
    writer_version: int

    @property
    def healthy(self) -> bool:
        return (
            self.rows_duckdb == self.rows_deltalake
            and self.reader_version == 1
            and self.writer_version == 2
        )


def inspect_lake(lake_root: str) -> list[TableReport]:
    """Read every Delta table under ``lake_root`` with DuckDB and with delta-rs."""
    con = duckdb_ext.connect()
    reports = []
    for layer, table, location in lake_catalog.delta_tables(lake_root):
        dt = DeltaTable(location, storage_options=storage.storage_options(location))
        protocol = dt.protocol()
        rows_duckdb = con.execute(
            f"select count(*) from delta_scan('{storage.duckdb_path(location)}')"
        ).fetchone()[0]
        reports.append(
            TableReport(
                layer=layer,
                table=table,
                version=dt.version(),
                rows_duckdb=rows_duckdb,
                rows_deltalake=dt.count(),
                reader_version=protocol.min_reader_version,
                writer_version=protocol.min_writer_version,
            )
        )
    return reports


def flight_reconciliation(lake_root: str) -> dict[str, int | bool] | None:
    """The audit model's single row, or None when the audit has not been built."""
    location = storage.join(lake_root, "audit", "audit_flight_reconciliation")
    options = storage.storage_options(location)
    if not DeltaTable.is_deltatable(location, storage_options=options):
        return None
    rows = DeltaTable(location, storage_options=options).to_pyarrow_table().to_pylist()
    return rows[0] if rows else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lake-root", default=os.environ.get("LAKEHOUSE_LAKE_ROOT", "lake"), help="lake root"
    )
    parser.add_argument("--json", type=Path, help="also write the report to this JSON file")
    args = parser.parse_args(argv)

    reports = inspect_lake(args.lake_root)
    print(f"Lake at {storage.resolve(args.lake_root)}: {len(reports)} Delta tables")
    print(f"{'table':<42}{'version':>8}{'rows (duckdb)':>15}{'rows (deltalake)':>18}  protocol")
    for r in reports:
        name = f"{r.layer}.{r.table}"
        print(
            f"{name:<42}{r.version:>8}{r.rows_duckdb:>15,}{r.rows_deltalake:>18,}"
            f"  {r.reader_version}/{r.writer_version}{'' if r.healthy else '  <-- PROBLEM'}"
        )
    reconciliation = flight_reconciliation(args.lake_root)
    if reconciliation:
        print(
            "\nFlights reconciliation: {silver_flights:,} in silver + {quarantined_flights:,} "
            "quarantined + {deleted_flights:,} deleted by corrections + {repeated_rows:,} "
            "repeated + {rejected_file_rows:,} in rejected files = {accounted_rows:,} "
            "of {delivered_daily_rows:,} delivered ({status})".format(
                **reconciliation,
                status="reconciled" if reconciliation["is_reconciled"] else "NOT RECONCILED",
            )
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"tables": [asdict(r) for r in reports], "flight_reconciliation": reconciliation},
                indent=2,
                default=str,
            )
        )
    healthy = all(r.healthy for r in reports) and bool(
        reconciliation is None or reconciliation["is_reconciled"]
    )
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
