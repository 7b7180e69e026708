"""Data tests of a lake table check the partitions (or new files) the build wrote, or all.

A duplicate planted in January (a month no later build writes) shows which rows a test saw:
a build that writes only February passes, while `dbt test` on its own, and a build run with
``lake_test_all_rows``, check the whole table and fail on it. Bronze is unpartitioned; its
tests check the delivery files the build ingested (its ``test_scope_column``), shown by a
repeated lineage planted in January's file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable, write_deltalake

from lakehouse import duckdb_ext

from .conftest import Lakehouse

UNIQUE_KEY_TEST = "silver_flights_unique_business_key"
LINEAGE_TEST = "bronze_flights_row_lineage"


@pytest.fixture(scope="module")
def lakehouse(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lh = make_lakehouse("test_scope")
    lh.land("2013-01-01", "2013-01-01")  # with the reference data (airports, airlines, planes)
    lh.land("2013-01-31", "2013-02-01")
    lh.dbt("seed")
    lh.dbt("run", "-s", "tag:bronze", "tag:silver")
    silver = DeltaTable(str(lh.lake / "silver" / "silver_flights"))
    january = silver.to_pyarrow_table(filters=[("_partition_month", "=", date(2013, 1, 1))])
    write_deltalake(silver, january.slice(0, 1), mode="append")  # one flight twice
    bronze = DeltaTable(str(lh.lake / "bronze" / "bronze_flights"))
    first_file = bronze.to_pyarrow_table().filter(
        pc.equal(pc.field("_source_file"), "flights/flights_2013-01-01.csv")
    )
    write_deltalake(bronze, first_file.slice(0, 1), mode="append")  # one lineage twice
    lh.land("2013-02-02", "2013-02-02")
    return lh


def unique_test(lh: Lakehouse, name: str = UNIQUE_KEY_TEST) -> dict[str, str]:
    results = json.loads((lh.root / "target" / "run_results.json").read_text())
    [result] = [r for r in results["results"] if f".{name}" in r["unique_id"]]
    return result


def test_build_checks_only_the_months_it_wrote(lakehouse: Lakehouse) -> None:
    lakehouse.dbt("build", "-s", "tag:bronze", "tag:silver", "--indirect-selection", "cautious")
    result = unique_test(lakehouse)
    assert result["status"] == "pass"
    assert "\"_partition_month\" in ('2013-02-01')" in result["compiled_code"]
    assert "2013-01-01" not in result["compiled_code"]
    # singular tests that check silver row by row see the same months
    duration = unique_test(lakehouse, "silver_flights_plausible_duration")
    assert duration["status"] == "pass"
    assert "\"_partition_month\" in ('2013-02-01')" in duration["compiled_code"]
    # bronze: only the file this build ingested, so January's repeated lineage is not seen
    for name in (LINEAGE_TEST, "bronze_row_numbers_contiguous"):
        lineage = unique_test(lakehouse, name)
        assert lineage["status"] == "pass"
        assert "\"_source_file\" in ('flights/flights_2013-02-02.csv')" in lineage["compiled_code"]
    # whether an old bronze row is accounted for can change with silver: every row, always
    accounted = unique_test(lakehouse, "bronze_planes_rows_accounted_for")
    assert accounted["status"] == "pass"
    assert '_source_file" in (' not in accounted["compiled_code"]


def test_dbt_test_alone_checks_the_whole_table(lakehouse: Lakehouse) -> None:
    lakehouse.dbt("test", "-s", UNIQUE_KEY_TEST, LINEAGE_TEST, check=False)
    result = unique_test(lakehouse)
    assert result["status"] == "fail" and result["failures"] == 1
    assert "_partition_month" not in result["compiled_code"]
    lineage = unique_test(lakehouse, LINEAGE_TEST)
    assert lineage["status"] == "fail" and lineage["failures"] == 1


def test_all_rows_on_request(lakehouse: Lakehouse) -> None:
    lakehouse.dbt(
        "build",
        "-s",
        "silver_flights",
        "--vars",
        "{lake_test_all_rows: true}",
        check=False,
    )
    result = unique_test(lakehouse)
    assert result["status"] == "fail" and result["failures"] == 1


def test_row_lineage_names_the_check_that_failed(lakehouse: Lakehouse) -> None:
    """One lineage test per table stands for a not_null test per lineage column and a unique
    test: a planted row without its batch id fails it next to the repeated lineage, each
    failure naming its check."""
    bronze = DeltaTable(str(lakehouse.lake / "bronze" / "bronze_flights"))
    version = bronze.version()
    row = bronze.to_pyarrow_table().slice(0, 1)
    for name, value in (("_row_number", 999_999), ("_batch_id", None)):
        column = row.schema.get_field_index(name)
        row = row.set_column(column, name, pa.array([value], row.schema.field(name).type))
    write_deltalake(bronze, row, mode="append")
    try:
        lakehouse.dbt("test", "-s", LINEAGE_TEST, check=False)
        result = unique_test(lakehouse, LINEAGE_TEST)
        assert (result["status"], result["failures"]) == ("fail", 2)
        with duckdb_ext.connect(str(lakehouse.catalog), read_only=True) as con:
            failed = con.execute(
                f"select failed_check from ({result['compiled_code']}) as failures order by 1"
            ).fetchall()
        assert [check for (check,) in failed] == [
            "_batch_id is null",
            "delivered row appears 2 times",
        ]
    finally:
        DeltaTable(str(lakehouse.lake / "bronze" / "bronze_flights")).restore(version)
