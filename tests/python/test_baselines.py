"""The scale benchmark's baselines do the dbt build's work: on one small landing zone, the
hand-written DuckDB script gives every silver and gold output of the dbt lake, row for row
(lakehouse.bench.baselines). The Spark baseline runs the Databricks-compiled SELECTs, whose
equality with DuckDB test_spark_equivalence checks model by model; a Spark run of this lake
costs minutes on two cores, so the benchmark compares its row counts instead."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.bench import baselines
from lakehouse.offline import spark_check

from .conftest import Lakehouse

#: lineage of the run itself: when and in which batch, not what
RUN_COLUMNS = ["_ingested_at", "_batch_id"]
#: a later delivery of flights: one flight re-sent with another delay (the later file wins)
#: and one row per kind of rule failure (the first failed rule is the reason)
LATE_FLIGHTS = {
    "superseded": {"arr_delay": "-99"},
    "invalid clock time: dep_time": {"dep_time": "2460"},
    "unparseable number: distance": {"distance": "12.5"},
    "missing key (time_hour, carrier, flight)": {"carrier": "NA"},
}


def _late_delivery(lh: Lakehouse) -> None:
    """flights_2013-01-07.csv made of Jan 2 rows changed as LATE_FLIGHTS says."""
    header, *rows = (lh.landing / "flights" / "flights_2013-01-02.csv").read_text().splitlines()
    columns = header.split(",")
    late = []
    for row, changes in zip(rows[100:], LATE_FLIGHTS.values(), strict=False):
        values = row.split(",")
        for column, value in changes.items():
            values[columns.index(column)] = value
        late.append(",".join(values))
    late_file = lh.landing / "flights" / "flights_2013-01-07.csv"
    late_file.write_text("\n".join([header, *late]) + "\n")


@pytest.fixture(scope="module")
def lake(make_lakehouse) -> Lakehouse:
    """Jan 1-2 (reference snapshots, two days) and Jan 6 (a day and the first corrections:
    updates and deletes), plus the late delivery; silver and gold built by dbt (no tests)."""
    lh = make_lakehouse("baselines")
    lh.land("2013-01-01", "2013-01-02")
    lh.land("2013-01-06", "2013-01-06")
    _late_delivery(lh)
    lh.dbt(
        "build",
        "--resource-type",
        "seed",
        "--resource-type",
        "model",
        "--select",
        "+" + " +".join(baselines.OUTPUTS),
    )
    return lh


def _lake_table(lh: Lakehouse, name: str) -> pa.Table:
    layer = "silver" if name.startswith("silver") else "gold"
    return _without_run(spark_check.read_delta(lh.lake / layer / name))


def _parquet(out: Path, name: str) -> pa.Table:
    import pyarrow.dataset as ds

    return _without_run(ds.dataset(out / f"{name}.parquet", format="parquet").to_table())


def _without_run(table: pa.Table) -> pa.Table:
    return table.drop_columns([c for c in RUN_COLUMNS if c in table.column_names])


def _same_as_lake(lh: Lakehouse, out: Path, result: dict) -> None:
    assert set(result["rows"]) == set(baselines.OUTPUTS)
    assert result["seconds"] > 0 and result["peak_rss_mib"] > 10
    findings = []
    for name in baselines.OUTPUTS:
        expected = _lake_table(lh, name)
        assert result["rows"][name] == expected.num_rows, name
        findings += spark_check.differences(name, expected, _parquet(out, name))
    assert findings == [], "\n".join(findings)


def test_the_lake_has_what_the_baselines_must_reproduce(lake):
    flights = _lake_table(lake, "silver_flights")
    quarantine = _lake_table(lake, "silver_flights_quarantine")
    assert flights.num_rows > 2000
    assert sorted(quarantine.column("failed_rule").to_pylist()) == sorted(
        rule for rule in LATE_FLIGHTS if rule != "superseded"
    )
    assert -99 in flights.column("arr_delay").to_pylist()  # the later file won
    # the corrections deleted flights and their updates won over the daily rows
    sources = set(flights.column("_source_file").to_pylist())
    assert "flight_corrections/flight_corrections_2013-01-06.csv" in sources


def test_duckdb_baseline_gives_the_lake(lake, tmp_path):
    result = baselines.run_duckdb_baseline(lake.landing, tmp_path)
    _same_as_lake(lake, tmp_path, result)


def test_a_file_off_the_contract_fails_loudly(tmp_path):
    (tmp_path / "flights").mkdir()
    (tmp_path / "flights" / "flights_2013-01-01.csv").write_text("month,year\n1,2013\n")
    with pytest.raises(baselines.BaselineError, match="is not the flights contract"):
        baselines.landing_streams(tmp_path, tmp_path / "work")
