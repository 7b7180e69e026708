"""The two baselines the scale benchmark compares the dbt build against (issue #8).

(a) DuckDB: the silver and gold transformations as one hand-written DuckDB SQL script
    (``baseline_duckdb.sql``) writing Parquet: no dbt, no Delta, the engine's own limit.
(b) Spark: the Databricks-compiled full-refresh SELECTs of the same models (the offline
    compiler of ``lakehouse.offline.spark_check``) on a local PySpark session over the same
    landing CSVs: what a Spark user would run on one machine. Local Spark has no Delta jars
    (offline, no Maven), so it writes Parquet too.

Both rebuild every output from the landing zone, and each runs in a child process of its own:
its wall time and peak resident memory (``ru_maxrss`` of that child and the processes it
waited for, e.g. Spark's JVM: the largest single process, not a sum) are measured by the
parent, and its memory never stays in the caller. ``scripts/baseline.py`` is the CLI.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SQL_SCRIPT = Path(__file__).with_name("baseline_duckdb.sql")
FALLBACKS_SEED = REPO / "seeds" / "airport_timezone_fallbacks.csv"

#: every output of both baselines, in dependency order: silver (with quarantines), then gold
#: (the ML models, silver_planes_history and the audit tables are not part of the baselines)
OUTPUTS: tuple[str, ...] = (
    "silver_airports",
    "silver_airports_quarantine",
    "silver_airlines",
    "silver_airlines_quarantine",
    "silver_planes",
    "silver_planes_quarantine",
    "silver_weather",
    "silver_weather_quarantine",
    "silver_flights_quarantine",
    "silver_flights",
    "dim_carriers",
    "dim_airports",
    "dim_planes",
    "dim_dates",
    "fct_flights",
    "agg_ontime_by_carrier_month",
    "agg_ontime_by_route",
    "agg_delay_by_hour",
    "agg_delay_by_weather",
)

#: the landing streams the baselines read (their contract: models/bronze/_sources.yml)
STREAMS: tuple[str, ...] = (
    "flights",
    "flight_corrections",
    "weather",
    "airports",
    "airlines",
    "planes",
)
#: a landing zone may have had no corrections delivered yet; every other stream is required
OPTIONAL_STREAMS = frozenset({"flight_corrections"})
SOURCES_YML = REPO / "models" / "bronze" / "_sources.yml"

#: the Spark baseline's session: local[2] (this machine's cores) with a driver that holds the
#: whole job (local mode runs the executors in the driver JVM); more shuffle partitions than
#: the spark check's 2 so a 10 M-row window sort is not two giant tasks
SPARK_DRIVER_MEMORY = "8g"
SPARK_SHUFFLE_PARTITIONS = 8


class BaselineError(RuntimeError):
    """A baseline that could not run (its child's output tail says why)."""


# --------------------------------------------------------------------------------------
# Measuring a child process
# --------------------------------------------------------------------------------------


def _measured_child(command: list[str], log: Path) -> tuple[float, float]:
    """Run `command` in a child process; (wall seconds, peak RSS MiB of that child). The
    rusage comes from wait4 on that very child, so earlier children of the caller do not
    count (RUSAGE_CHILDREN would report the largest child ever)."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    start = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        lines = log.read_text(errors="replace").splitlines()
        # the first error line (Spark's Java stack traces bury it) and the end of the log
        first = next((line for line in lines if "Error" in line or "Exception" in line), "")
        tail = "\n".join([first[:2000], "...", *(line[:500] for line in lines[-20:])])
        raise BaselineError(f"{' '.join(command[2:5])} exited {process.returncode}:\n{tail}")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def parquet_rows(path: Path) -> int:
    """Rows of a Parquet output: one file (DuckDB) or a folder of part files (Spark), from
    the files' metadata (nothing is read)."""
    import pyarrow.parquet as pq

    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def _result(out_dir: Path, seconds: float, peak_rss_mib: float) -> dict[str, Any]:
    rows = {}
    for name in OUTPUTS:
        path = out_dir / f"{name}.parquet"
        if not path.exists():
            raise BaselineError(f"the baseline wrote no {path}")
        rows[name] = parquet_rows(path)
    return {"seconds": round(seconds, 3), "peak_rss_mib": round(peak_rss_mib, 1), "rows": rows}


def _work_dir(out_dir: Path) -> Path:
    work = out_dir / "_work"
    work.mkdir(parents=True, exist_ok=True)
    return work


def _child(*args: str) -> list[str]:
    return [sys.executable, "-m", "lakehouse.bench.baselines", *args]


# --------------------------------------------------------------------------------------
# The landing zone
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """A landing stream as the baselines read it: the files' glob and the contract columns."""

    glob: str
    columns: tuple[str, ...]


def stream_contracts() -> dict[str, Stream]:
    """Each stream's landing glob (relative) and columns, from the landing source."""
    import yaml

    sources = yaml.safe_load(SOURCES_YML.read_text())["sources"]
    tables = {t["name"]: t for s in sources if s["name"] == "landing" for t in s["tables"]}
    return {
        name: Stream(
            glob=tables[name]["meta"]["landing_glob"],
            columns=tuple(c["name"] for c in tables[name]["columns"]),
        )
        for name in STREAMS
    }


def _header(path: Path) -> tuple[str, ...]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return tuple(next(csv.reader(handle), []))


def landing_streams(landing_root: Path, work: Path) -> dict[str, Stream]:
    """Each stream's absolute glob and columns. The baselines read CSVs by position without
    sniffing each file (sniffing 365 small files cost DuckDB 5 s of a 6 s read), so every
    file's header must be exactly the contract: anything else fails here, loudly (the dbt
    build's landing gate reads reordered files by name and records rejected ones instead).
    A stream without files fails too, except corrections: a landing zone that has none gets
    a header-only stand-in file (no rows) in `work`."""
    streams = {}
    for name, contract in stream_contracts().items():
        files = sorted(landing_root.glob(contract.glob))
        if not files and name in OPTIONAL_STREAMS:
            empty = work / "empty_landing" / f"{name}_none.csv"
            empty.parent.mkdir(parents=True, exist_ok=True)
            with open(empty, "w", newline="") as out:
                csv.writer(out).writerow(contract.columns)
            files = [empty]
        if not files:
            raise BaselineError(f"no {name} files: {landing_root / contract.glob}")
        for path in files:
            if _header(path) != contract.columns:
                raise BaselineError(
                    f"{path}: header {list(_header(path))} is not the {name} contract"
                    f" {list(contract.columns)}; the baselines read files by position"
                )
        glob = str(files[0]) if len(files) == 1 else str(landing_root / contract.glob)
        streams[name] = Stream(glob=glob, columns=contract.columns)
    return streams


def _sql_text(value: str) -> str:
    """A value inside a single-quoted SQL literal."""
    return value.replace("'", "''")


# --------------------------------------------------------------------------------------
# (a) DuckDB
# --------------------------------------------------------------------------------------


def render_duckdb_script(landing_root: Path, out_dir: Path, streams: dict[str, Stream]) -> str:
    """baseline_duckdb.sql with its placeholders filled in."""
    values = {
        "landing": _sql_text(str(landing_root)),
        "out": _sql_text(str(out_dir)),
        "work": _sql_text(str(_work_dir(out_dir))),
        "fallbacks": _sql_text(str(FALLBACKS_SEED)),
        "batch_id": uuid.uuid4().hex,
    }
    for name, stream in streams.items():
        values[f"{name}_files"] = _sql_text(stream.glob)
        # read_csv's columns: every column as delivered text
        values[f"{name}_columns"] = (
            "{" + ", ".join(f"'{_sql_text(c)}': 'varchar'" for c in stream.columns) + "}"
        )
    return Template(SQL_SCRIPT.read_text()).substitute(values)


def _duckdb_child(landing_root: Path, out_dir: Path) -> None:
    """Run the script in one in-memory DuckDB that may spill to out_dir/_work."""
    import duckdb

    work = _work_dir(out_dir)
    script = render_duckdb_script(landing_root, out_dir, landing_streams(landing_root, work))
    con = duckdb.connect(config={"temp_directory": str(work / "duckdb_tmp")})
    try:
        con.execute(script)
    finally:
        con.close()


def run_duckdb_baseline(landing_root: Path, out_dir: Path) -> dict[str, Any]:
    """Baseline (a): baseline_duckdb.sql over the landing zone, every output as
    out_dir/<model>.parquet. Returns {seconds, peak_rss_mib, rows: {model: count}}."""
    landing_root, out_dir = Path(landing_root).resolve(), Path(out_dir).resolve()
    work = _work_dir(out_dir)
    command = _child("_duckdb", str(landing_root), str(out_dir))
    seconds, peak = _measured_child(command, work / "duckdb.log")
    return _result(out_dir, seconds, peak)


# --------------------------------------------------------------------------------------
# (b) Spark
# --------------------------------------------------------------------------------------


def _compile_child(out_dir: Path) -> None:
    """Compile the outputs for the databricks target (offline recorder, empty warehouse: the
    full-refresh SELECTs) into _work/databricks_models.json, and each as _work/sql/<m>.sql."""
    from lakehouse.offline import spark_check

    work = _work_dir(out_dir)
    env = {
        "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(REPO / "profiles")),
        "DBT_LOG_PATH": str(work / "dbt_logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    models = spark_check.compile_databricks(REPO, work / "dbt_target", env, " ".join(OUTPUTS))
    missing = sorted(set(OUTPUTS) - set(models))
    if missing:
        raise BaselineError(f"dbt compiled no databricks SQL for {missing}")
    (work / "sql").mkdir(exist_ok=True)
    for name in OUTPUTS:
        (work / "sql" / f"{name}.sql").write_text(models[name].sql)
    compiled = {
        name: {
            "schema": models[name].schema,
            "sql": models[name].sql,
            "delete_flag_column": models[name].delete_flag_column,
        }
        for name in OUTPUTS
    }
    (work / "databricks_models.json").write_text(json.dumps(compiled, indent=1))


def _register_bronze(spark: Any, name: str, stream: Stream) -> None:
    """A landing stream as Spark reads CSV (every column a string, the contract's columns)
    with the lineage columns bronze adds, as the Databricks reader
    (macros/lake/cloud_landing.sql) computes them: the file relative to the landing root,
    the row number in file order, a line that does not fit kept as _raw_line with a reason;
    _ingested_at and _batch_id of this run."""
    from pyspark.sql.functions import col
    from pyspark.sql.types import StringType, StructField, StructType

    from lakehouse.offline import spark_check

    header = stream.columns
    schema = StructType([StructField(c, StringType()) for c in [*header, "_raw_line"]])
    frame = (
        spark.read.schema(schema)
        .option("header", "true")
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", "_raw_line")
        .csv(stream.glob)
        .withColumn("_file_path", col("_metadata.file_path"))  # not visible through a view
    )
    frame.createOrReplaceTempView(f"landing_{name}")
    columns = ", ".join(f"`{c}`" for c in header)
    spark.sql(
        f"""
        select
            {columns},
            _source_file,
            cast(row_number() over (partition by _source_file order by _read_order) as bigint)
                as _row_number,
            _raw_line,
            case when _raw_line is not null then 'fields that do not fit the header' end
                as _rejected_reason,
            current_timestamp() as _ingested_at,
            '{uuid.uuid4().hex}' as _batch_id
        from (
            select
                *,
                regexp_extract(_file_path, '([^/]+/[^/]+)$', 1) as _source_file,
                monotonically_increasing_id() as _read_order
            from landing_{name}
        ) as delivered
        """
    ).createOrReplaceTempView(spark_check.view_name("bronze", f"bronze_{name}"))


def _spark_child(landing_root: Path, out_dir: Path) -> None:
    """Register the bronze stand-ins and the seed, then run each compiled model in
    dependency order, writing out_dir/<model>.parquet/ and reading it back as the relation
    the next models reference."""
    from lakehouse.offline import spark_check

    started = time.perf_counter()
    work = _work_dir(out_dir)
    compiled = json.loads((work / "databricks_models.json").read_text())
    streams = landing_streams(landing_root, work)
    spark = spark_check.spark_session(
        "lakehouse-spark-baseline", SPARK_DRIVER_MEMORY, SPARK_SHUFFLE_PARTITIONS
    )
    gateway = spark.sparkContext._gateway.proc  # the JVM, to wait for it (its rusage)
    print(f"spark session: {time.perf_counter() - started:.1f} s", flush=True)
    try:
        spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        for name, stream in streams.items():
            _register_bronze(spark, name, stream)
        spark.read.option("header", "true").csv(str(FALLBACKS_SEED)).createOrReplaceTempView(
            spark_check.view_name("reference", "airport_timezone_fallbacks")
        )
        for name in OUTPUTS:
            entry = compiled[name]
            model = spark_check.CompiledModel(
                name=name,
                schema=entry["schema"],
                sql=entry["sql"],
                delete_flag_column=entry["delete_flag_column"],
            )
            views = {table.name for table in spark.catalog.listTables()}
            missing = sorted(spark_check.referenced_views(model.sql) - views)
            if missing:
                raise BaselineError(f"{name} reads relations not registered: {missing}")
            path = out_dir / f"{name}.parquet"
            started = time.perf_counter()
            spark_check.model_frame(spark, model).write.mode("overwrite").parquet(str(path))
            print(f"{name}: {time.perf_counter() - started:.1f} s", flush=True)
            spark.read.parquet(str(path)).createOrReplaceTempView(
                spark_check.view_name(model.schema, name)
            )
    finally:
        spark.stop()
        gateway.stdin.close()  # the JVM exits when its stdin pipe breaks
        gateway.wait(timeout=60)


def run_spark_baseline(landing_root: Path, out_dir: Path) -> dict[str, Any]:
    """Baseline (b): the Databricks-compiled SELECTs on local PySpark, every output as the
    Parquet folder out_dir/<model>.parquet/. Compiling (dbt, offline, ~20 s) is a separate
    child and not measured: a Spark user would run SQL they already have. Returns
    {seconds, peak_rss_mib, rows: {model: count}}."""
    landing_root, out_dir = Path(landing_root).resolve(), Path(out_dir).resolve()
    work = _work_dir(out_dir)
    _measured_child(_child("_compile", str(out_dir)), work / "compile.log")
    command = _child("_spark", str(landing_root), str(out_dir))
    seconds, peak = _measured_child(command, work / "spark.log")
    return _result(out_dir, seconds, peak)


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------

BASELINES = {"duckdb": run_duckdb_baseline, "spark": run_spark_baseline}


def main(argv: list[str] | None = None) -> int:
    """`baseline.py duckdb|spark --landing-root DIR --out DIR` prints the result as JSON;
    the underscored commands are the children the runners start."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("_duckdb", "_spark"):
        child = _duckdb_child if args[0] == "_duckdb" else _spark_child
        child(Path(args[1]), Path(args[2]))
        return 0
    if args and args[0] == "_compile":
        _compile_child(Path(args[1]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=sorted(BASELINES))
    parser.add_argument("--landing-root", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="output folder (Parquet)")
    options = parser.parse_args(args)
    result = BASELINES[options.engine](options.landing_root, options.out)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
