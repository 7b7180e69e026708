"""The same models on Databricks, verified offline: every SQL model's Databricks-compiled
SELECT runs on a local Spark (ANSI, UTC) over the DuckDB lake's upstream tables and gives the
DuckDB model's rows (lakehouse.offline.spark_check)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from lakehouse import delta_writer, duckdb_ext
from lakehouse.offline import checks, spark_check, spark_merge
from lakehouse.offline.harness import record_build

from .conftest import REPO, Lakehouse

#: bronze reads the landing zone with Databricks' read_files, which local Spark stands in for
#: (spark_check.landing_standins); audit_landing_files reads it too
LANDING_READERS = {
    "bronze_airlines",
    "bronze_airports",
    "bronze_flight_corrections",
    "bronze_flights",
    "bronze_planes",
    "bronze_weather",
    "audit_landing_files",
}
#: columns each engine fills with its own run's values: left out of the comparison
RUN_COLUMNS = {"_ingested_at", "_batch_id"}
#: the models that merge with deletes, recorded (both passes) for their Databricks statements
DELETING = ["silver_airlines", "silver_airports", "silver_flights", "silver_planes"]


#: a training window the six days can fill (both outcomes in each half), for ml_training_set
WINDOW = (
    "{train_start: '2013-01-01', train_end: '2013-01-04',"
    " eval_start: '2013-01-05', eval_end: '2013-01-06'}"
)


@pytest.fixture(scope="module")
def lake(make_lakehouse) -> Lakehouse:
    """Six days (two planes snapshots, one correction delivery), built once on DuckDB with
    the feature table, the training set (a six-day window), a model trained on it (logged
    and registered in the lake's own MLflow store) and its scores."""
    lh = make_lakehouse("spark_equivalence")
    lh.land("2013-01-01", "2013-01-06")
    lh.dbt("build", "--vars", WINDOW)
    return lh


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    session = spark_check.spark_session()
    yield session
    session.stop()


def _cloud_env(lh: Lakehouse) -> dict[str, str]:
    """The lake's variables, the local landing zone as the Databricks landing root (a file:
    URL, as Spark's _metadata.file_path names local files), and the DuckDB lake as the
    Databricks lake root: the tables' external locations are the folders DuckDB wrote."""
    env = {k: v for k, v in lh.env().items() if k.startswith(("LAKEHOUSE_", "DBT_PROFILES"))}
    env["LAKEHOUSE_CLOUD_LANDING_ROOT"] = f"file:{lh.landing.resolve()}"
    env["LAKEHOUSE_CLOUD_LAKE_ROOT"] = str(lh.lake.resolve())
    return env


def _compile(
    lh: Lakehouse, project: Path, select: str = ""
) -> dict[str, spark_check.CompiledModel]:
    target = lh.root / "target-databricks"
    return spark_check.compile_databricks(project, target, _cloud_env(lh), select, WINDOW)


@pytest.fixture(scope="module")
def compiled(lake) -> dict[str, spark_check.CompiledModel]:
    return _compile(lake, REPO)


@pytest.fixture(scope="module")
def tables(lake, spark) -> dict[str, Path]:
    return spark_check.register_lake(spark, lake.lake, lake.catalog)


@pytest.fixture(scope="module")
def recorded(lake) -> list[dict[str, str]]:
    """What `dbt build --target databricks` sends for the models that merge with deletes:
    the first build (empty warehouse) and the incremental one (lakehouse.offline.harness)."""
    with spark_check.environment(_cloud_env(lake)):
        return record_build(
            "databricks",
            REPO,
            ["--select", " ".join(DELETING)],
            target_path=lake.root / "target-recorded",
        )


def test_every_silver_gold_audit_model_is_compiled(compiled):
    layers = {model.schema for model in compiled.values()}
    assert {"bronze", "silver", "gold", "audit"} <= layers
    assert "silver_flights" in compiled and "fct_flights" in compiled
    # incremental models compile their full-refresh SELECT (an empty warehouse)
    assert "silver_flights" in compiled and "dbt_tmp" not in compiled["silver_flights"].sql


def test_sql_models_give_the_duckdb_rows_on_spark(compiled, recorded, spark, tables):
    """Each silver, gold and audit SQL model's SELECT; for the models that merge with deletes,
    the SELECT their recorded first build sends (flagged rows and the flag left out by
    databricks__create_table_as), not a Python imitation of it."""
    models = []
    for name, model in sorted(compiled.items()):
        if name in LANDING_READERS or model.language != "sql":
            continue
        if name in DELETING:
            assert model.delete_flag_column == "_is_deleted", name
            sql = spark_check.first_build_select(recorded, name)
            assert "except (`_is_deleted`)" in sql, name
            model = replace(model, sql=sql, delete_flag_column=None)
        models.append(model)
    assert len(models) >= 20, sorted(compiled)
    matched, findings = spark_check.check_models(spark, models, tables)
    assert findings == [], "\n".join(findings)
    assert len(matched) == len(models)


def test_bronze_and_landing_audit_give_the_duckdb_rows_on_spark(compiled, spark, tables):
    """Bronze's Databricks SELECT (read_files over the landing glob) on local Spark, with
    read_files stood in for by Spark's CSV reader over the same files and options
    (spark_check.landing_standins), gives DuckDB's bronze rows: same values, same
    _source_file, same _row_number, nothing rejected. Left out: the run columns, and
    audit_landing_files' encoding and dialect (the landing gate detects them on DuckDB only;
    on Databricks every file is read as comma-separated UTF-8 and both are null)."""
    models = [compiled[name] for name in sorted(LANDING_READERS)]
    assert all("read_files(" in model.sql for model in models)
    ignore = {name: RUN_COLUMNS for name in LANDING_READERS if name.startswith("bronze_")}
    ignore["audit_landing_files"] = {"encoding", "dialect"}
    matched, findings = spark_check.check_models(spark, models, tables, ignore)
    assert findings == [], "\n".join(findings)
    assert sorted(matched) == sorted(LANDING_READERS)


def test_the_landing_standin_refuses_options_it_does_not_reproduce():
    sql = "select * from read_files('file:/x/*.csv', format => 'csv', header => false) as f"
    with pytest.raises(spark_check.SparkCheckError, match="not the ones the stand-in"):
        spark_check.landing_standins(None, sql)


def _merge_statement(recorded: list[dict[str, str]], model: str) -> str:
    merges = [
        s["sql"]
        for s in recorded
        if s["pass"] == "existing"
        and s["node"] == f"model.lakehouse.{model}"
        and re.search(r"\bmerge\s+into\b", s["sql"], re.I)
    ]
    assert len(merges) == 1, merges
    return merges[0]


def test_databricks_merges_delete_flagged_rows_and_never_store_the_flag(recorded):
    """The recorded incremental run of each deleting model: a flagged row deletes its key,
    the flag is neither updated nor inserted, every table is Delta and every merge keyed."""
    for model in DELETING:
        plan = spark_merge.parse_merge(_merge_statement(recorded, model))
        assert plan.target == f"`lakehouse`.`silver`.`{model}`"
        actions = [(c.matched, c.action) for c in plan.clauses]
        assert actions == [(True, "delete"), (True, "update"), (False, "insert")], model
        delete, update, insert = plan.clauses
        assert delete.condition == "coalesce(DBT_INTERNAL_SOURCE.`_is_deleted`, false)"
        assert insert.condition == "not coalesce(DBT_INTERNAL_SOURCE.`_is_deleted`, false)"
        assert "_is_deleted" not in update.assignments and "_is_deleted" not in insert.assignments
        assert set(update.assignments) < set(insert.assignments), model
    # parse_merge parsed each merge with sqlfluff's databricks grammar; test_offline_engines
    # parses every recorded statement (the create statements included)
    assert checks.databricks_findings(recorded) == []


def _merge_batch(target: pa.Table, keys: list[str]) -> pa.Table:
    """A batch over the lake's silver_flights: 3 flights flagged deleted, 3 changed, 3 the
    same, 3 new, 2 new but flagged, one changed and one new with a null flag (not a delete)."""
    con = duckdb.connect()
    con.register("target", target)
    key = ", ".join(keys)
    batch = con.sql(
        f"""
        select * exclude (n) replace (
            case when n between 4 and 6 or n = 15 then 'merge-check' else _batch_id end
                as _batch_id,
            case when n between 10 and 14 or n = 16 then flight + 100000 else flight end
                as flight
        ),
        case when n <= 3 or n in (13, 14) then true when n in (15, 16) then null else false end
            as _is_deleted
        from (select *, row_number() over (order by {key}) as n from target)
        where n <= 16
        """
    ).to_arrow_table()
    con.close()
    return batch


def test_recorded_merge_on_spark_equals_the_duckdb_delta_merge(
    recorded, compiled, spark, tables, tmp_path
):
    """The strong check: the recorded Databricks MERGE of silver_flights, run on Spark
    (lakehouse.offline.spark_merge: its own clauses under MERGE semantics, as local Spark has
    no Delta), and the DuckDB engine's Delta merge (lakehouse.delta_writer) turn the lake's
    silver_flights and one batch into the same table."""
    model = compiled["silver_flights"]
    keys = model.config["unique_key"]
    lake_table = tables["silver__silver_flights"]
    target = spark_check.read_delta(lake_table)
    assert "_is_deleted" not in target.column_names
    batch = _merge_batch(target, keys)

    spark.createDataFrame(target).createOrReplaceTempView("merge_target")
    spark.createDataFrame(batch).createOrReplaceTempView("merge_batch")
    merge = _merge_statement(recorded, "silver_flights")
    on_spark = spark_merge.run_merge(spark, merge, "merge_target", "merge_batch").toArrow()

    copy = tmp_path / "silver_flights"
    shutil.copytree(lake_table, copy)
    con = duckdb_ext.connect()
    con.register("merge_batch", batch)
    spec = delta_writer.WriteSpec(
        model="silver_flights",
        relation="silver.silver_flights",
        schema="silver",
        location=str(copy),
        sql="select * from merge_batch",
        mode="merge",
        unique_key=keys,
        delete_flag_column="_is_deleted",
    )
    delta_writer.run(con, spec)
    con.close()
    on_duckdb = spark_check.read_delta(copy)

    # three deleted, three new and one new with a null flag
    assert on_duckdb.num_rows == target.num_rows - 3 + 3 + 1
    assert on_duckdb.column("_batch_id").to_pylist().count("merge-check") == 4
    assert spark_check.differences("silver_flights merge", on_duckdb, on_spark) == []

    # the check can fail: without its delete clause the statement keeps the 3 flagged flights
    delete = "when matched and coalesce(DBT_INTERNAL_SOURCE.`_is_deleted`, false) then delete\n"
    assert delete in merge
    kept = spark_merge.run_merge(spark, merge.replace(delete, ""), "merge_target", "merge_batch")
    assert spark_check.differences("planted", on_duckdb, kept.toArrow()) == [
        f"planted: {on_duckdb.num_rows} rows on DuckDB, {on_duckdb.num_rows + 3} on Spark"
    ]


def test_ml_training_set_gives_the_duckdb_rows_on_spark(compiled, spark, tables):
    """The Python model's model(dbt, session) on Spark: dbt.ref() gives a Spark DataFrame of
    the DuckDB feature table, dbt.config.get() the compiled config (the six-day window)."""
    model = compiled["ml_training_set"]
    assert model.language == "python"
    assert model.config["train_end"] == "2013-01-04"
    actual = spark_check.run_python_model(spark, model)
    expected = spark_check.read_delta(tables["gold__ml_training_set"])
    assert expected.num_rows > 1000
    assert set(expected.column("split").to_pylist()) == {"train", "eval"}
    assert spark_check.differences("ml_training_set", expected, actual) == []


@contextmanager
def _lake_mlflow(lh: Lakehouse) -> Iterator[None]:
    """MLflow pointed at the lake's own store (MLflow keeps its URI process-wide)."""
    from lakehouse.ml.tracking import configure

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", lh.env()["MLFLOW_TRACKING_URI"])
        patch.delenv("MLFLOW_REGISTRY_URI", raising=False)
        configure()
        yield


def test_ml_predictions_gives_the_duckdb_scores_on_spark(lake, compiled, spark, tables):
    """ml_predictions' model(dbt, session) on Spark: dbt.ref() gives Spark DataFrames of the
    DuckDB feature table and training result, the champion comes from the MLflow store the
    DuckDB build registered it in, and every flight gets DuckDB's probability (scored_at, the
    time of scoring, left out)."""
    model = compiled["ml_predictions"]
    assert model.language == "python"
    with _lake_mlflow(lake):
        actual = spark_check.run_python_model(spark, model)
    expected = spark_check.read_delta(tables["gold__ml_predictions"])
    features = spark_check.read_delta(tables["gold__ml_flight_features"])
    assert expected.num_rows == features.num_rows > 1000
    assert (
        spark_check.differences(
            "ml_predictions",
            expected.drop_columns(["scored_at"]),
            actual.drop_columns(["scored_at"]),
        )
        == []
    )


def test_ml_train_on_spark_reads_the_lake_folder_duckdb_wrote(lake, compiled, spark, tables):
    """ml_train's Databricks job finds its training set with dbt.lake_location(), which the
    Databricks compile sets to the table's external location: the folder the DuckDB build
    wrote. It pins the same Delta version, so it finds the run DuckDB's build logged for that
    version, window and seed, and gives DuckDB's row without training again. With retrain (as
    --vars '{retrain: true}' compiles it) it trains on the Spark side: a new MLflow run with
    the DuckDB run's params (the same Delta version of the same folder, window, seed and
    hyperparameters) and the same evaluation metrics. One test, in this order: the retrained
    run is newer, so it would be the run a later reuse finds."""
    import mlflow

    model = compiled["ml_train"]
    assert model.language == "python"
    training_set = str(lake.lake.resolve() / "gold" / "ml_training_set")
    assert f'"ml_training_set": "{training_set}"' in model.sql
    expected = spark_check.read_delta(tables["gold__ml_train"])
    assert expected.num_rows == 1
    with _lake_mlflow(lake):
        reused = spark_check.run_python_model(spark, model)
        assert spark_check.differences("ml_train", expected, reused) == []

        on_duckdb = expected.to_pylist()[0]
        retrained = spark_check.run_python_model(spark, model, config={"retrain": True})
        on_spark = retrained.to_pylist()[0]
        params = {
            run: mlflow.get_run(row["run_id"]).data.params
            for run, row in [("duckdb", on_duckdb), ("spark", on_spark)]
        }
    assert on_spark["run_id"] != on_duckdb["run_id"]
    assert on_spark["model_version"] == on_duckdb["model_version"] + 1
    assert params["spark"] == params["duckdb"]
    metrics = [name for name in on_duckdb if name.startswith(("eval_", "baseline_eval_"))]
    assert len(metrics) >= 4
    for name in metrics:
        assert on_spark[name] == pytest.approx(on_duckdb[name], rel=1e-9, abs=1e-12), name


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
