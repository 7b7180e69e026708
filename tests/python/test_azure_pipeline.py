"""The incremental scenario of test_pipeline, with the landing zone and the lake on Azurite.

Days 1-3 are landed straight into the ``landing`` container and built with the
``duckdb_azure`` target; days 4-6 (a corrections delivery and a new planes snapshot) are
uploaded from a local landing folder and built incrementally. The same scenario on local
folders must give the same tables, every layer included; the Azure lake is read alike by
DuckDB and delta-rs, a re-run without the DuckDB catalog commits nothing, and the
credential never appears in dbt's logs or artifacts.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from deltalake import DeltaTable

from lakehouse import azure, duckdb_ext, lake_catalog, storage
from lakehouse.lake_report import inspect_lake

from .azurite_support import AzureLakehouse, azurite_server  # noqa: F401 (fixture)
from .conftest import NO_ML, Lakehouse, run

#: Lineage columns that name the run, not the data: they differ between two builds by design.
RUN_COLUMNS = {"_ingested_at", "_batch_id"}
#: The local reference run needs the tables only (test_pipeline runs its tests); the Azure
#: run keeps the data tests, which read the lake on Azure, and skips the storage-free dbt
#: unit tests. Both keep the suite within its time budget.
MODELS_ONLY = (*NO_ML, "--exclude-resource-type", "test", "unit_test")
WITH_DATA_TESTS = (*NO_ML, "--exclude-resource-type", "unit_test")


@pytest.fixture(scope="module")
def local(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lh = make_lakehouse("local")
    lh.land("2013-01-01", "2013-01-03")
    lh.dbt("build", *MODELS_ONLY)
    lh.land("2013-01-04", "2013-01-06")
    lh.dbt("build", *MODELS_ONLY)
    return lh


@pytest.fixture(scope="module")
def on_azure(
    make_lakehouse: Callable[..., Lakehouse],
    azurite_server,  # noqa: F811
    local: Lakehouse,
) -> AzureLakehouse:
    base = make_lakehouse("azure")
    lh = AzureLakehouse(root=base.root, landing=base.landing, server=azurite_server)
    lh.land("2013-01-01", "2013-01-03")  # generated and uploaded straight into the container
    lh.dbt("build", *WITH_DATA_TESTS)
    uploaded = run(
        [sys.executable, "scripts/land.py", "--upload-from", str(local.landing)], lh.env()
    )
    lh.upload_output = uploaded.stdout
    lh.dbt("build", *WITH_DATA_TESTS)
    return lh


def versions(lake: str) -> dict[str, int]:
    return {
        f"{layer}.{table}": DeltaTable(
            location, storage_options=storage.storage_options(location)
        ).version()
        for layer, table, location in lake_catalog.delta_tables(lake)
    }


def table_rows(location: str, con) -> list[tuple]:
    path = storage.duckdb_path(location)
    columns = [
        row[0]
        for row in con.execute(f"describe select * from delta_scan('{path}')").fetchall()
        if row[0] not in RUN_COLUMNS
    ]
    select = ", ".join(f'"{c}"' for c in columns)
    return sorted(con.execute(f"select {select} from delta_scan('{path}')").fetchall(), key=repr)


def test_upload_kept_what_was_there_and_added_the_rest(on_azure: AzureLakehouse, local) -> None:
    fs, root = storage.filesystem(on_azure.landing_url)
    blobs = sorted(p[len(root) + 1 :] for p in fs.find(root))
    files = sorted(
        f"{p.parent.name}/{p.name}" for p in local.landing.glob("*/*.csv") if p.is_file()
    )
    assert blobs == files
    for relative in files:  # generated in the container or uploaded: the same bytes
        assert fs.cat_file(f"{root}/{relative}") == (local.landing / relative).read_bytes()
    lines = on_azure.upload_output.splitlines()
    flights = next(line for line in lines if line.startswith("flights"))
    assert flights.split()[1:3] == ["3", "3"]  # days 4-6 written, days 1-3 kept


def test_azure_run_equals_local_run(on_azure: AzureLakehouse, local: Lakehouse) -> None:
    remote = {f"{lay}.{t}": loc for lay, t, loc in lake_catalog.delta_tables(on_azure.lake_url)}
    here = {f"{lay}.{t}": loc for lay, t, loc in lake_catalog.delta_tables(str(local.lake))}
    assert remote.keys() == here.keys()
    assert all(loc.startswith("az://lake/") for loc in remote.values())
    assert not on_azure.lake.exists(), "the Azure run wrote a local lake folder"
    con = duckdb_ext.connect()
    compared = {"bronze": 0, "silver": 0, "gold": 0, "audit": 0}
    for name, location in remote.items():
        ours, theirs = table_rows(location, con), table_rows(here[name], con)
        assert len(ours) == len(theirs), name
        assert ours == theirs, f"{name}: the Azure and local-folder runs differ"
        compared[name.split(".")[0]] += 1
    assert compared["silver"] >= 10 and compared["gold"] >= 8, compared


def test_azure_history_is_the_incremental_one(on_azure: AzureLakehouse) -> None:
    def operations(table: str) -> list[str]:
        location = f"{on_azure.lake_url}/{table}"
        history = DeltaTable(location, storage_options=storage.storage_options(location))
        return [c["operation"] for c in reversed(history.history())]

    assert operations("bronze/bronze_flights") == ["WRITE", "WRITE"]
    assert operations("silver/silver_flights") == ["CREATE OR REPLACE TABLE", "MERGE"]
    assert operations("silver/silver_planes") == ["WRITE", "MERGE"]


def test_azure_tables_read_alike_at_reader_protocol_1(on_azure: AzureLakehouse) -> None:
    reports = inspect_lake(on_azure.lake_url)
    assert len(reports) >= 25
    for r in reports:
        assert r.rows_duckdb == r.rows_deltalake, r
        assert (r.reader_version, r.writer_version) == (1, 2), r


def test_bronze_lineage_points_at_the_line_in_the_container(on_azure: AzureLakehouse) -> None:
    con = duckdb_ext.connect()
    rows = con.execute(
        f"select _source_file, _row_number, carrier, flight, tailnum "
        f"from delta_scan('{on_azure.lake_url}/bronze/bronze_flights') "
        "using sample 30 rows (reservoir, 7)"
    ).fetchall()
    fs, root = storage.filesystem(on_azure.landing_url)
    for source_file, row_number, carrier, flight, tailnum in rows:
        text = fs.cat_file(f"{root}/{source_file}").decode()
        record = list(csv.DictReader(io.StringIO(text)))[row_number - 1]
        assert (record["carrier"], record["flight"], record["tailnum"]) == (
            carrier,
            flight,
            tailnum,
        )


def test_rerun_without_catalog_commits_nothing(on_azure: AzureLakehouse) -> None:
    before = versions(on_azure.lake_url)
    on_azure.catalog.unlink()
    on_azure.dbt("build", *MODELS_ONLY)
    assert versions(on_azure.lake_url) == before, "a re-run on Azure made Delta commits"
    with duckdb_ext.connect(str(on_azure.catalog), read_only=True) as catalog:
        views = catalog.execute(
            "select count(*) from duckdb_views() where not internal"
        ).fetchone()[0]
    assert views == len(before)


def test_no_credential_in_logs_or_artifacts(on_azure: AzureLakehouse) -> None:
    key = azure.credentials().account_key
    assert key
    leaked = [
        str(path)
        for folder in (on_azure.root / "logs", on_azure.root / "target")
        for path in Path(folder).rglob("*")
        if path.is_file() and key in path.read_text(errors="ignore")
    ]
    assert leaked == []
