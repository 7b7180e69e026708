"""Data tests of a partitioned table check the partitions the build wrote, or all of them.

A duplicate planted in January (a month no later build writes) shows which rows a test saw:
a build that writes only February passes, while `dbt test` on its own, and a build run with
``lake_test_all_rows``, check the whole table and fail on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from deltalake import DeltaTable, write_deltalake

from .conftest import Lakehouse

UNIQUE_KEY_TEST = "silver_flights_unique_business_key"


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
    lh.land("2013-02-02", "2013-02-02")
    return lh


def unique_test(lh: Lakehouse) -> dict[str, str]:
    results = json.loads((lh.root / "target" / "run_results.json").read_text())
    [result] = [r for r in results["results"] if UNIQUE_KEY_TEST in r["unique_id"]]
    return result


def test_build_checks_only_the_months_it_wrote(lakehouse: Lakehouse) -> None:
    lakehouse.dbt("build", "-s", "tag:bronze", "tag:silver", "--indirect-selection", "cautious")
    result = unique_test(lakehouse)
    assert result["status"] == "pass"
    assert "\"_partition_month\" in ('2013-02-01')" in result["compiled_code"]
    assert "2013-01-01" not in result["compiled_code"]


def test_dbt_test_alone_checks_the_whole_table(lakehouse: Lakehouse) -> None:
    lakehouse.dbt("test", "-s", UNIQUE_KEY_TEST, check=False)
    result = unique_test(lakehouse)
    assert result["status"] == "fail" and result["failures"] == 1
    assert "_partition_month" not in result["compiled_code"]


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
