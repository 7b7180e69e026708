"""The whole pipeline through the real CLIs: land, dbt build, land more, build again.

Scenario: days 1-3 are delivered and built; days 4-6 arrive with a corrections delivery and a
new planes snapshot and are built incrementally. The result must equal one full build over the
same deliveries, a re-run must change nothing, and losing the DuckDB file must lose nothing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable

import pytest
from deltalake import DeltaTable

from lakehouse import duckdb_ext, storage
from lakehouse.lake_report import inspect_lake

from .conftest import NO_ML, Lakehouse
from .lake_compare import table_rows, versions


@pytest.fixture(scope="module")
def incremental(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lh = make_lakehouse("incremental")
    lh.land("2013-01-01", "2013-01-03")
    lh.dbt("build", *NO_ML)
    lh.land("2013-01-04", "2013-01-06")
    lh.dbt("build", *NO_ML)
    return lh


@pytest.fixture(scope="module")
def full(make_lakehouse: Callable[..., Lakehouse], incremental: Lakehouse) -> Lakehouse:
    lh = make_lakehouse("full", landing=incremental.landing)
    lh.dbt("build", *NO_ML)
    return lh


def test_every_layer_is_built(incremental: Lakehouse) -> None:
    tables = versions(incremental.lake)
    layers = {name.split(".")[0] for name in tables}
    assert layers == {"bronze", "silver", "gold", "audit"}
    for expected in ("silver.silver_flights", "silver.silver_planes_history", "gold.fct_flights"):
        assert expected in tables


def test_incremental_build_equals_full_build(incremental: Lakehouse, full: Lakehouse) -> None:
    inc_tables = versions(incremental.lake)
    assert inc_tables.keys() == versions(full.lake).keys()
    con = duckdb_ext.connect()
    compared = 0
    for name in inc_tables:
        layer, table = name.split(".")
        if layer not in ("silver", "gold"):
            continue
        inc = table_rows(incremental.lake, layer, table, con)
        ful = table_rows(full.lake, layer, table, con)
        assert len(inc) == len(ful), name
        assert inc == ful, f"{name}: incremental and full builds differ"
        compared += 1
    assert compared >= 20


def test_corrections_updated_and_deleted_flights(incremental: Lakehouse) -> None:
    con = duckdb_ext.connect()
    lake = storage.duckdb_path(str(incremental.lake))
    corrections = con.execute(
        f"select change_type, count(*) from delta_scan('{lake}/bronze/bronze_flight_corrections') "
        "group by change_type"
    ).fetchall()
    counts = dict(corrections)
    assert counts["update"] >= 20 and counts["delete"] >= 5
    delivered = con.execute(
        f"select count(*) from delta_scan('{lake}/bronze/bronze_flights')"
    ).fetchone()[0]
    silver = con.execute(
        f"select count(*) from delta_scan('{lake}/silver/silver_flights')"
    ).fetchone()[0]
    assert silver == delivered - counts["delete"]
    # every update's values are what silver holds now
    stale = con.execute(
        f"""
        select count(*)
        from delta_scan('{lake}/bronze/bronze_flight_corrections') as c
        join delta_scan('{lake}/silver/silver_flights') as s
          on s.time_hour = cast(c.time_hour as timestamptz)
         and s.carrier = c.carrier and s.flight = cast(c.flight as integer)
        where c.change_type = 'update'
          and (s._source_file <> c._source_file or s._row_number <> c._row_number)
        """
    ).fetchone()[0]
    assert stale == 0
    deleted_still_there = con.execute(
        f"""
        select count(*)
        from delta_scan('{lake}/bronze/bronze_flight_corrections') as c
        join delta_scan('{lake}/silver/silver_flights') as s
          on s.time_hour = cast(c.time_hour as timestamptz)
         and s.carrier = c.carrier and s.flight = cast(c.flight as integer)
        where c.change_type = 'delete'
        """
    ).fetchone()[0]
    assert deleted_still_there == 0


def test_delta_history_shows_expected_operations(incremental: Lakehouse) -> None:
    def operations(layer: str, table: str) -> list[str]:
        history = DeltaTable(str(incremental.lake / layer / table)).history()
        return [commit["operation"] for commit in reversed(history)]

    # bronze: created by the first batch, appended by the second
    assert operations("bronze", "bronze_flights") == ["WRITE", "WRITE"]
    first, second = reversed(DeltaTable(str(incremental.lake / "bronze/bronze_flights")).history())
    assert first["operationParameters"]["mode"] == "Overwrite"
    assert second["operationParameters"]["mode"] == "Append"
    # silver: created, then merged (updates, inserts and deletes)
    assert operations("silver", "silver_flights") == ["CREATE OR REPLACE TABLE", "MERGE"]
    merge = DeltaTable(str(incremental.lake / "silver/silver_flights")).history()[0]
    metrics = merge["operationMetrics"]
    # deletes of flights from days 1-3 remove rows; those of days 4-5 arrive with their
    # flight in the same batch, so the flight is never inserted
    first_batch = (
        duckdb_ext.connect()
        .execute(
            "select count(*) filter (where change_type = 'delete'), "
            "count(*) filter (where change_type = 'update') "
            f"from delta_scan('{incremental.lake}/bronze/bronze_flight_corrections') "
            "where cast(day as integer) <= 3"
        )
        .fetchone()
    )
    assert first_batch[0] >= 1
    assert metrics["num_target_rows_deleted"] == first_batch[0]
    assert metrics["num_target_rows_updated"] >= first_batch[1] >= 1
    assert metrics["num_target_rows_inserted"] > 2000
    # the second planes snapshot retires and changes planes through a merge
    assert operations("silver", "silver_planes") == ["WRITE", "MERGE"]
    planes_merge = DeltaTable(str(incremental.lake / "silver/silver_planes")).history()[0]
    assert planes_merge["operationMetrics"]["num_target_rows_deleted"] > 0


def test_rerun_changes_nothing_and_catalog_loss_loses_nothing(incremental: Lakehouse) -> None:
    before = versions(incremental.lake)
    con = duckdb_ext.connect()
    counts_before = {
        name: len(table_rows(incremental.lake, *name.split("."), con)) for name in before
    }
    incremental.dbt("build", *NO_ML)
    assert versions(incremental.lake) == before, "a re-run made Delta commits"

    # The DuckDB file is only a catalog: without it, the build still knows what is built.
    incremental.catalog.unlink()
    incremental.dbt("build", *NO_ML)
    assert versions(incremental.lake) == before, "losing the catalog forced a rebuild"
    counts_after = {
        name: len(table_rows(incremental.lake, *name.split("."), con)) for name in before
    }
    assert counts_after == counts_before
    with duckdb_ext.connect(str(incremental.catalog), read_only=True) as catalog:
        views = catalog.execute(
            "select count(*) from duckdb_views() where not internal"
        ).fetchone()[0]
    assert views == len(before)


def test_every_table_reads_alike_at_reader_protocol_1(incremental: Lakehouse) -> None:
    reports = inspect_lake(str(incremental.lake))
    manifest = json.loads((incremental.root / "target" / "manifest.json").read_text())
    built = {
        f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"]["materialized"] in ("table", "incremental")
        and "ml" not in node["tags"]
    }
    assert {f"{r.layer}.{r.table}" for r in reports} == built
    for r in reports:
        assert r.rows_duckdb == r.rows_deltalake, r
        assert (r.reader_version, r.writer_version) == (1, 2), r


def test_bronze_lineage_points_at_the_delivered_line(incremental: Lakehouse) -> None:
    con = duckdb_ext.connect()
    lake = storage.duckdb_path(str(incremental.lake))
    rows = con.execute(
        f"select _source_file, _row_number, carrier, flight, tailnum, dep_time "
        f"from delta_scan('{lake}/bronze/bronze_flights') using sample 50 rows (reservoir, 7)"
    ).fetchall()
    for source_file, row_number, carrier, flight, tailnum, dep_time in rows:
        with open(incremental.landing / source_file, newline="") as handle:
            records = list(csv.DictReader(handle))
        record = records[row_number - 1]
        assert (record["carrier"], record["flight"], record["tailnum"], record["dep_time"]) == (
            carrier,
            flight,
            tailnum,
            dep_time,
        )


def test_reconciliation_accounts_for_every_flight(incremental: Lakehouse) -> None:
    incremental.root.joinpath("target").mkdir(exist_ok=True)
    report = incremental.root / "target" / "lake_report.json"
    from lakehouse.lake_report import main

    assert main(["--lake-root", str(incremental.lake), "--json", str(report)]) == 0
    reconciliation = json.loads(report.read_text())["flight_reconciliation"]
    delivered = sum(
        len(path.read_text().splitlines()) - 1
        for path in (incremental.landing / "flights").glob("*.csv")
    )
    assert reconciliation["delivered_daily_rows"] == delivered
    assert (
        reconciliation["silver_flights"]
        + reconciliation["quarantined_flights"]
        + reconciliation["deleted_flights"]
        + reconciliation["repeated_rows"]
        + reconciliation["rejected_file_rows"]
        == delivered
    )
    assert reconciliation["unaccounted_rows"] == 0
    assert reconciliation["deleted_flights"] >= 5
