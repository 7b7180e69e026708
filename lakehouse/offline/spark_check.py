"""Run each SQL model's Databricks-compiled SELECT on a local Spark and compare it with DuckDB.

Why: the offline recording proves what SQL a Databricks run would send, and sqlfluff proves
it parses; neither proves it means the same as the DuckDB model. Spark SQL is the engine
Databricks runs, so each model's full-refresh SELECT (compiled for the `databricks` target)
is run on a local PySpark session (ANSI mode, UTC) over the very tables the DuckDB build
wrote, and its rows are compared with the DuckDB model's Delta table. Local Spark has no
Delta reader, so the lake's tables are read with delta-rs and handed to Spark as Arrow.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

# `catalog`.`schema`.`table` as dbt-databricks quotes a relation
_RELATION = re.compile(r"`[^`]+`\.`([^`]+)`\.`([^`]+)`")
_QUERY_COMMENT = re.compile(r"\A\s*/\*.*?\*/", re.S)  # dbt's query comment
#: the float tolerance of the comparison (relative and absolute): engines sum in other orders
FLOAT_TOLERANCE = 1e-9


@dataclass
class CompiledModel:
    """A SQL model as compiled for Databricks, with what the comparison needs to know."""

    name: str
    schema: str
    sql: str  # the compiled code: SQL, or the Python model's code with dbt's `dbt` object
    delete_flag_column: str | None
    language: str = "sql"
    config: dict[str, Any] | None = None  # the model's resolved config (dbt.config.get)


class SparkCheckError(AssertionError):
    """A model whose Databricks SQL cannot run on Spark or whose result differs."""


def spark_session(
    app_name: str = "lakehouse-spark-check",
    driver_memory: str = "1g",
    shuffle_partitions: int = 2,
) -> Any:
    """A local Spark as Databricks SQL behaves: ANSI mode, session time zone UTC (the project
    requires it), small shuffles for small data, no UI. The scale benchmark's Spark baseline
    (lakehouse.bench.baselines) asks for a bigger driver and more shuffle partitions."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        # silver_flights' plan (a wide validated row, aliased through several CTEs and joined
        # twice) makes constraint propagation exhaust a 1 GB driver heap while optimizing:
        # measured here, see the README (Engines) for what it means on Databricks
        .config("spark.sql.constraintPropagation.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")  # one warning per window query otherwise
    return session


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` set for the duration (dbt reads env_var() from it)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def compile_databricks(
    project_dir: Path,
    target_path: Path,
    env: dict[str, str] | None = None,
    select: str = "",
    dbt_vars: str = "",
) -> dict[str, CompiledModel]:
    """Every model compiled for the `databricks` target against an empty (recorded)
    warehouse, so incremental models compile their full-refresh SELECT; Python models come
    with their resolved config."""
    from dbt.cli.main import dbtRunner

    from lakehouse.offline.recorder import Recording, recording_databricks

    args = [
        "compile",
        "--project-dir",
        str(project_dir),
        "--target",
        "databricks",
        "--target-path",
        str(target_path),
        "--select",
        select or "resource_type:model",
        *(["--vars", dbt_vars] if dbt_vars else []),
    ]
    with environment(env or {}), recording_databricks(Recording(), None):
        result = dbtRunner().invoke(args)
    if result.exception is not None or not result.success:
        raise RuntimeError(f"dbt compile --target databricks failed: {result.exception}")
    models = {}
    for node_result in result.result.results:
        node = node_result.node
        if node.resource_type.value != "model":
            continue
        models[node.name] = CompiledModel(
            name=node.name,
            schema=node.schema,
            sql=node.compiled_code,
            delete_flag_column=node.config.get("delete_flag_column"),
            language=node.language,
            config=node.config.to_dict(),
        )
    return models


def view_name(schema: str, table: str) -> str:
    """The temp view standing for `catalog`.`schema`.`table`."""
    return f"{schema}__{table}".lower()


def spark_sql(sql: str) -> str:
    """The compiled SQL with every three-part relation name turned into its temp view."""
    return _RELATION.sub(lambda m: f"`{view_name(m.group(1), m.group(2))}`", sql)


def referenced_views(sql: str) -> set[str]:
    """The temp views a compiled statement reads."""
    return {view_name(m.group(1), m.group(2)) for m in _RELATION.finditer(sql)}


_CREATE_AS = re.compile(
    r"^\s*create\s+or\s+replace\s+table\s+\S+.*?^\s*as\s*$\n(.*)\Z", re.I | re.S | re.M
)


def first_build_select(statements: Iterable[dict[str, str]], model: str) -> str:
    """The SELECT of the `create or replace table ... as` a model's first build sent (the
    recorder's empty-warehouse pass): the model's SQL as the Databricks materialization
    wraps it (databricks__create_table_as leaves out rows flagged for deletion)."""
    for statement in statements:
        if statement["pass"] == "empty" and statement["node"] == f"model.lakehouse.{model}":
            found = _CREATE_AS.search(_QUERY_COMMENT.sub("", statement["sql"]))
            if found:
                return found.group(1)
    raise SparkCheckError(f"{model}: no create table ... as statement in the recording")


def lake_tables(lake_root: Path) -> dict[str, Path]:
    """Every Delta table of the lake (<root>/<schema>/<table>/_delta_log) by its view name."""
    return {
        view_name(log.parent.parent.name, log.parent.name): log.parent
        for log in sorted(lake_root.glob("*/*/_delta_log"))
    }


def read_delta(path: Path) -> pa.Table:
    """A Delta table's current version as Arrow (delta-rs: local Spark has no Delta)."""
    from deltalake import DeltaTable

    return DeltaTable(str(path)).to_pyarrow_table()


def catalog_tables(catalog: Path) -> dict[str, pa.Table]:
    """The DuckDB catalog's own tables (seeds live there, not in the lake) by view name."""
    from lakehouse import duckdb_ext

    con = duckdb_ext.connect(str(catalog), read_only=True)
    try:
        names = con.sql(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE'"
        ).fetchall()
        return {
            view_name(schema, table): con.sql(
                f'select * from "{schema}"."{table}"'
            ).to_arrow_table()
            for schema, table in names
        }
    finally:
        con.close()


def register_lake(spark: Any, lake_root: Path, catalog: Path) -> dict[str, Path]:
    """Register every lake table and every seed as a Spark temp view named as spark_sql()
    rewrites it; returns the lake tables (the models' DuckDB results) by view name."""
    tables = lake_tables(lake_root)
    for name, path in tables.items():
        spark.createDataFrame(read_delta(path)).createOrReplaceTempView(name)
    for name, table in catalog_tables(catalog).items():
        spark.createDataFrame(table).createOrReplaceTempView(name)
    return tables


#: Databricks' `read_files(path, name => value, ...)` table function, as the bronze macros call it
_READ_FILES = re.compile(r"read_files\(\s*'([^']*)'((?:\s*,\s*\w+\s*=>\s*(?:'[^']*'|\w+))*)\s*\)")
_OPTION = re.compile(r"(\w+)\s*=>\s*('[^']*'|\w+)")
#: the read_files options the stand-in reproduces, with the only values it knows
LANDING_OPTIONS = {
    "format": "'csv'",
    "header": "true",
    "inferschema": "false",
    "mode": "'PERMISSIVE'",
    "rescueddatacolumn": "'_rescued_data'",
}


def landing_standins(spark: Any, sql: str) -> str:
    """The SQL with each `read_files(...)` call (Databricks only: local Spark has no such
    function) replaced by a temp view standing in for it: Spark's own CSV reader over the same
    path, header on, every column a string (no inference), PERMISSIVE; the file source's
    hidden `_metadata` (file_path as a URL) exposed as a column; `_rescued_data` a null string
    column, because only Databricks' reader rescues fields that do not fit the header. Unlike
    read_files, Spark's reader maps later files' columns by position, not by header name: the
    stand-in is only good for landings whose files share one header. A call with another
    option or value fails: the stand-in would not mean the same."""

    def standin(match: re.Match[str]) -> str:
        options = {k.lower(): v for k, v in _OPTION.findall(match.group(2))}
        if options != LANDING_OPTIONS:
            raise SparkCheckError(
                f"read_files options {options} are not the ones the stand-in reproduces"
                f" ({LANDING_OPTIONS})"
            )
        name = "landing_files_" + hashlib.sha1(match.group(1).encode()).hexdigest()[:12]
        (
            spark.read.options(header=True, inferSchema=False, mode="PERMISSIVE")
            .csv(match.group(1))
            .selectExpr("*", "_metadata", "cast(null as string) as _rescued_data")
            .createOrReplaceTempView(name)
        )
        return f"`{name}`"

    return _READ_FILES.sub(standin, sql)


def model_frame(spark: Any, model: CompiledModel) -> Any:
    """The model's SELECT as a Spark DataFrame (read_files stood in for, see landing_standins), with
    the materialization's delete semantics applied (rows flagged by delete_flag_column are not
    written, nor is the column: databricks__create_table_as does the same on Databricks)."""
    frame = spark.sql(spark_sql(landing_standins(spark, model.sql)))
    flag = model.delete_flag_column
    if flag:
        frame = frame.where(f"not coalesce(`{flag}`, false)").drop(flag)
    return frame


def run_model(spark: Any, model: CompiledModel) -> pa.Table:
    """The model's SELECT run on Spark (model_frame), collected as Arrow."""
    return model_frame(spark, model).toArrow()


def _normal(value: Any) -> Any:
    """One cell in a form both engines agree on: instants as UTC, numbers as float."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool) or value is None or isinstance(value, (str, date)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def _rows(table: pa.Table) -> list[tuple]:
    rows = [tuple(_normal(v) for v in row.values()) for row in table.to_pylist()]

    def key(row: tuple) -> tuple:
        # None first; floats rounded so that sum-order noise does not reorder rows
        return tuple(
            (0, "")
            if v is None
            else (1, round(v, 6) if isinstance(v, float) else v)
            if not isinstance(v, (str, date))
            else (2, str(v))
            for v in row
        )

    return sorted(rows, key=key)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    return a == b


def differences(name: str, expected: pa.Table, actual: pa.Table, examples: int = 3) -> list[str]:
    """How Spark's result differs from DuckDB's table, as at most one finding: columns, row
    count, or rows (sorted, compared cell by cell with a float tolerance) with a few examples.
    Empty when they are the same."""
    if expected.column_names != actual.column_names:
        return [
            f"{name}: columns differ: DuckDB {expected.column_names}, Spark {actual.column_names}"
        ]
    if expected.num_rows != actual.num_rows:
        return [f"{name}: {expected.num_rows} rows on DuckDB, {actual.num_rows} on Spark"]
    differing = []
    for duck, spark in zip(_rows(expected), _rows(actual), strict=True):
        if not all(map(_same, duck, spark)):
            differing.append(
                ", ".join(
                    f"{column}: DuckDB {d!r} / Spark {s!r}"
                    for column, d, s in zip(expected.column_names, duck, spark, strict=True)
                    if not _same(d, s)
                )
            )
    if not differing:
        return []
    shown = "; ".join(differing[:examples])
    return [f"{name}: {len(differing)} of {expected.num_rows} rows differ, e.g. {shown}"]


def check_models(
    spark: Any,
    models: Iterable[CompiledModel],
    tables: dict[str, Path],
    ignore: dict[str, set[str]] | None = None,
) -> tuple[list[str], list[str]]:
    """Run every model on Spark and compare it with its DuckDB table: (models that match,
    findings naming each model that cannot run or differs). `ignore` names, per model, the
    columns left out of the comparison on both sides (run columns such as _ingested_at)."""
    matched, findings = [], []
    views = {table.name for table in spark.catalog.listTables()}
    for model in models:
        if model.language != "sql":
            findings.append(f"{model.name}: a {model.language} model (see run_python_model)")
            continue
        missing = sorted(referenced_views(model.sql) - views)
        own = view_name(model.schema, model.name)
        if missing:
            findings.append(f"{model.name}: reads relations the lake does not have: {missing}")
            continue
        if own not in tables:
            findings.append(f"{model.name}: no DuckDB table to compare with ({own})")
            continue
        try:
            actual = run_model(spark, model)
        except Exception as error:  # Spark's analysis and runtime errors alike
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            findings.append(f"{model.name}: cannot run on Spark: {first[:400]}")
            continue
        left_out = sorted((ignore or {}).get(model.name, set()))
        expected = read_delta(tables[own])
        found = differences(
            model.name,
            expected.drop_columns([c for c in left_out if c in expected.column_names]),
            actual.drop_columns([c for c in left_out if c in actual.column_names]),
        )
        findings.extend(found)
        if not found:
            matched.append(model.name)
    return matched, findings


def run_python_model(
    spark: Any, model: CompiledModel, config: dict[str, Any] | None = None
) -> pa.Table:
    """Run a dbt Python model on the local Spark session as the Databricks job would, its
    result as Arrow (a pandas or a Spark DataFrame, whichever the model returns).

    The model's Databricks-compiled code is executed, not its source: dbt's generated `dbt`
    object is what the model gets, so `config.get()` knows only the configs the code names,
    `this` is what dbt-databricks compiled, and `lake_location()` gives the folders the
    Databricks target writes; `is_incremental` is false (compiled against an empty
    warehouse). Its `ref()` loads the upstream relation, as `spark.table` does on Databricks,
    from the temp view standing for it. Only the write (dbt-databricks' `saveAsTable`) is left
    out. `config` sets compiled config values, as `--vars` would have.
    """
    namespace: dict[str, Any] = {"__name__": f"dbt_model_{model.name}"}
    exec(compile(model.sql, f"<{model.name} compiled for databricks>", "exec"), namespace)
    namespace["config_dict"].update(config or {})

    def load(relation: str) -> Any:
        found = _RELATION.fullmatch(relation)
        if found is None:
            raise ValueError(f"{model.name}: ref() gave {relation!r}, not a relation name")
        return spark.table(view_name(found.group(1), found.group(2)))

    result = namespace["model"](namespace["dbtObj"](load), spark)
    if hasattr(result, "toArrow"):
        return result.toArrow()
    return pa.Table.from_pandas(result, preserve_index=False)
