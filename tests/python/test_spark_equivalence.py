"""The same models on Databricks, verified offline: every SQL model's Databricks-compiled
SELECT runs on a local Spark (ANSI, UTC) over the DuckDB lake's upstream tables and gives the
DuckDB model's rows (lakehouse.offline.spark_check)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.offline import spark_check

from .conftest import REPO, Lakehouse

#: bronze reads the landing zone with read_files (Databricks only, abfss): not compared here;
#: audit_landing_files reads it too, and its verdicts come from DuckDB's landing gate
LANDING_READERS = {
    "bronze_airlines",
    "bronze_airports",
    "bronze_flight_corrections",
    "bronze_flights",
    "bronze_planes",
    "bronze_weather",
    "audit_landing_files",
}


#: a training window the six days can fill (both outcomes in each half), for ml_training_set
WINDOW = (
    "{train_start: '2013-01-01', train_end: '2013-01-04',"
    " eval_start: '2013-01-05', eval_end: '2013-01-06'}"
)


@pytest.fixture(scope="module")
def lake(make_lakehouse) -> Lakehouse:
    """Six days (two planes snapshots, one correction delivery), built once on DuckDB with
    the feature table and the training set (a six-day window); training and scoring are not
    built (they need months of data)."""
    lh = make_lakehouse("spark_equivalence")
    lh.land("2013-01-01", "2013-01-06")
    lh.dbt("build", "--exclude", "ml_train+", "--vars", WINDOW)
    return lh


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    session = spark_check.spark_session()
    yield session
    session.stop()


def _compile(
    lh: Lakehouse, project: Path, select: str = ""
) -> dict[str, spark_check.CompiledModel]:
    env = {k: v for k, v in lh.env().items() if k.startswith(("LAKEHOUSE_", "DBT_PROFILES"))}
    target = lh.root / "target-databricks"
    return spark_check.compile_databricks(project, target, env, select, WINDOW)


@pytest.fixture(scope="module")
def compiled(lake) -> dict[str, spark_check.CompiledModel]:
    return _compile(lake, REPO)


@pytest.fixture(scope="module")
def tables(lake, spark) -> dict[str, Path]:
    return spark_check.register_lake(spark, lake.lake, lake.catalog)


def test_every_silver_gold_audit_model_is_compiled(compiled):
    layers = {model.schema for model in compiled.values()}
    assert {"bronze", "silver", "gold", "audit"} <= layers
    assert "silver_flights" in compiled and "fct_flights" in compiled
    # incremental models compile their full-refresh SELECT (an empty warehouse)
    assert "silver_flights" in compiled and "dbt_tmp" not in compiled["silver_flights"].sql


def test_sql_models_give_the_duckdb_rows_on_spark(compiled, spark, tables):
    models = [
        m
        for name, m in sorted(compiled.items())
        if name not in LANDING_READERS and m.language == "sql"
    ]
    assert len(models) >= 20, sorted(compiled)
    matched, findings = spark_check.check_models(spark, models, tables)
    assert findings == [], "\n".join(findings)
    assert len(matched) == len(models)


def test_ml_training_set_gives_the_duckdb_rows_on_spark(compiled, spark, tables):
    """The Python model's model(dbt, session) on Spark: dbt.ref() gives a Spark DataFrame of
    the DuckDB feature table, dbt.config.get() the compiled config (the six-day window)."""
    model = compiled["ml_training_set"]
    assert model.language == "python"
    assert model.config["train_end"] == "2013-01-04"
    schemas = {m.name: m.schema for m in compiled.values()}
    actual = spark_check.run_python_model(spark, model, REPO, schemas)
    expected = spark_check.read_delta(tables["gold__ml_training_set"])
    assert expected.num_rows > 1000
    assert set(expected.column("split").to_pylist()) == {"train", "eval"}
    assert spark_check.differences("ml_training_set", expected, actual) == []


def test_planted_differences_fail_naming_the_model(lake, spark, tables, tmp_path):
    """A DuckDB-only function in a model, and a Databricks macro that means something else:
    the check names both models (one compile of a copy of the project for both plants)."""
    project = tmp_path / "project"
    project.mkdir()
    for item in ["dbt_project.yml", "macros", "models", "seeds", "tests", "profiles"]:
        source = REPO / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / item)
    carriers = project / "models" / "gold" / "dim_carriers.sql"
    final = "select\n    carrier,\n    carrier_name\nfrom carriers"
    assert final in carriers.read_text()
    # DuckDB's list constructor: Spark has no such function
    planted = final.replace("carrier_name\n", "carrier_name,\n    list_value(1, 2) as planted\n")
    carriers.write_text(carriers.read_text().replace(final, planted))
    # a snapshot file's date one day late, on Databricks only
    macros = project / "macros" / "portability" / "databricks.sql"
    body = (
        "try_cast(nullif(regexp_extract({{ expr }}, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '')"
        " as date)"
    )
    assert body in macros.read_text()
    macros.write_text(macros.read_text().replace(body, f"date_add({body}, 1)"))

    models = _compile(lake, project, "dim_carriers silver_planes")
    matched, findings = spark_check.check_models(spark, models.values(), tables)
    findings = sorted(findings)  # one per model, whatever order dbt compiled them in
    assert matched == []
    assert len(findings) == 2, findings
    assert findings[0].startswith("dim_carriers: cannot run on Spark"), findings
    assert "list_value" in findings[0]
    # every current plane's valid_from is a snapshot date: each row is one day late
    assert re.match(
        r"silver_planes: (\d+) of \1 rows differ, e\.g\. valid_from:"
        r" DuckDB datetime\.date\(2013, 1, 5\) / Spark datetime\.date\(2013, 1, 6\)",
        findings[1],
    ), findings


def _table(**columns) -> pa.Table:
    return pa.table(columns)


def test_the_comparison_tolerates_float_noise_and_time_zones_only():
    utc = datetime(2013, 1, 1, 10, tzinfo=UTC)
    new_york = utc.astimezone(timezone(timedelta(hours=-5)))
    duck = _table(k=["a", "b"], x=[0.1 + 0.2, 1.0], at=[utc, utc])
    same = _table(k=["b", "a"], x=[1.0, 0.3], at=[new_york, new_york])  # other order too
    assert spark_check.differences("m", duck, same) == []
    off = _table(k=["a", "b"], x=[0.3001, 1.0], at=[utc, utc])
    assert spark_check.differences("m", duck, off) == [
        "m: 1 of 2 rows differ, e.g. x: DuckDB 0.30000000000000004 / Spark 0.3001"
    ]
    later = _table(k=["a", "b"], x=[0.3, 1.0], at=[utc, utc + timedelta(seconds=1)])
    assert "at: DuckDB" in spark_check.differences("m", duck, later)[0]
    assert "columns differ" in spark_check.differences("m", duck, duck.drop_columns(["x"]))[0]
    assert "2 rows on DuckDB, 1 on Spark" in spark_check.differences("m", duck, duck.slice(0, 1))[0]
