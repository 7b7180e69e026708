"""Benchmark the lakehouse at scale: N generated years, full and incremental builds, baselines.

Scenario, in a temporary lakehouse (``--workdir`` keeps it): generate N years of deliveries
(``lakehouse.scale``) except the last ``--repeats`` days, then measure

* dbt's fixed cost: ``dbt parse`` without partial parsing;
* the full build from an empty lake: ``dbt build`` (every model incl. ML, seeds, unit and data
  tests); its lake carries on;
* ``dbt build`` with no new data (start-up plus asking every model what is new);
* per repeat: land one new day, ``dbt build`` (one-day incremental); then land a corrections
  delivery updating 1 % of one month's flights, ``dbt build`` (corrections incremental);
* the full build the other way, last, again from an empty lake over the final landing zone:
  ``dbt seed`` + ``dbt run --exclude tag:ml`` (the SQL transformations only: no tests, no ML);
* baselines (a) plain DuckDB SQL -> Parquet and (b) Databricks-compiled SQL on local PySpark,
  from ``lakehouse.bench.baselines`` when that module exists, over the final landing zone;
  their row counts are compared with the lake's silver_flights and fct_flights.

Each dbt step records wall time, peak RSS of its process tree, the Delta files each table's
commits added and removed, and the slowest models (target/run_results.json). Medians over the
repeats. Results: benchmarks/results/scale_<N>y.json and .md. Not a test: numbers depend on
the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from lakehouse.bench import delta_log  # noqa: E402
from lakehouse.bench.timing import measure, peak_between  # noqa: E402
from lakehouse.isolated_dbt import isolated_env  # noqa: E402
from lakehouse.scale import DEFAULT_SEED, ScaleGenerator  # noqa: E402

BIN = Path(sys.executable).parent
DBT = str(BIN / "dbt")
TOP_MODELS = 10
#: the build a schedule runs (`make build-prod`): unit tests test code, not data, so CI runs
#: them and production leaves them out, as dbt recommends
PRODUCTION_BUILD = ["build", "--exclude-resource-type", "unit_test"]
FLIGHT_TABLES = ("silver_flights", "fct_flights")


def lakehouse_env(root: Path) -> dict[str, str]:
    """Environment of an isolated lakehouse under ``root``: no Azure or lakehouse settings
    of the caller, the lake, catalog, landing zone and MLflow store all under ``root``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "LAKEHOUSE_"))}
    env = isolated_env(root, REPO, base=clean)
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{root / 'mlflow.db'}"
    return env


def wipe_lake(root: Path) -> None:
    """Back to an empty lake (landing kept): the state a full build starts from."""
    for name in ("lake", "target", "mlruns"):
        shutil.rmtree(root / name, ignore_errors=True)
    for name in ("lakehouse.duckdb", "lakehouse.duckdb.wal", "mlflow.db"):
        (root / name).unlink(missing_ok=True)


def slowest_models(
    target: Path,
    top: int = TOP_MODELS,
    samples: Sequence[tuple[float, int]] = (),
    by: str = "seconds",
) -> list[dict[str, Any]]:
    """The ``top`` nodes of the last dbt invocation with the most ``by`` (seconds, or
    peak_rss_mib: the peak RSS of the dbt process tree while the node ran; nodes running on
    other threads at the same time share it), from run_results.json."""
    path = target / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text())["results"]
    nodes = [
        {
            "node": r["unique_id"].split(".", 2)[-1],
            "kind": r["unique_id"].split(".", 1)[0],
            "seconds": round(r.get("execution_time") or 0.0, 2),
            "status": r.get("status"),
            "peak_rss_mib": _peak_while(r.get("timing") or [], samples),
        }
        for r in results
    ]
    return sorted(nodes, key=lambda n: n[by] or 0, reverse=True)[:top]


def _peak_while(timing: list[dict[str, Any]], samples: Sequence[tuple[float, int]]) -> float | None:
    """Peak RSS (MiB) between a node's first start and last end (run_results timing)."""
    spans = [
        (datetime.fromisoformat(t["started_at"]), datetime.fromisoformat(t["completed_at"]))
        for t in timing
        if t.get("started_at") and t.get("completed_at")
    ]
    if not spans:
        return None
    start = min(s for s, _ in spans).replace(tzinfo=UTC).timestamp()
    end = max(e for _, e in spans).replace(tzinfo=UTC).timestamp()
    peak = peak_between(samples, start, end)
    return round(peak, 1) if peak is not None else None


def dbt_step(name: str, args: list[str], root: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run one dbt command: time, peak RSS, Delta actions per table, slowest models."""
    before = delta_log.latest_versions(root / "lake")
    (root / "target" / "run_results.json").unlink(missing_ok=True)
    run = measure([DBT, *args], env=env, cwd=REPO, check=False)
    changes = delta_log.changes_since(root / "lake", before)
    step = {
        "step": name,
        "command": "dbt " + " ".join(args),
        "seconds": round(run.seconds, 2),
        "peak_rss_mib": round(run.peak_rss_mib, 1),
        "peak_process_rss_mib": round(run.peak_process_rss_mib, 1),
        "delta": {t: c.as_dict() for t, c in sorted(changes.items())},
        "slowest": slowest_models(root / "target", samples=run.samples),
        "most_memory": slowest_models(root / "target", 5, run.samples, by="peak_rss_mib"),
        "returncode": run.returncode,
    }
    if run.returncode != 0:  # keep measuring: a failing data test must not lose a long run
        step["output_tail"] = run.output_tail
        print(f"!!! {name}: dbt exited {run.returncode}:\n{run.output_tail}", flush=True)
    print(
        f"  {name:<28} {step['seconds']:>8.1f} s  {step['peak_rss_mib']:>7.0f} MiB  "
        f"{sum(c.files_added for c in changes.values())} files added, "
        f"{sum(c.files_removed for c in changes.values())} removed",
        flush=True,
    )
    return step


def lake_counts(lake: Path) -> dict[str, int]:
    """Rows of the flight tables in the lake (current Delta version)."""
    from deltalake import DeltaTable

    counts = {}
    for table in FLIGHT_TABLES:
        matches = sorted(lake.glob(f"*/{table}/_delta_log"))
        if matches:
            counts[table] = DeltaTable(str(matches[0].parent)).to_pyarrow_dataset().count_rows()
    return counts


def run_baselines(
    root: Path, lake_rows: dict[str, int], skip_spark: bool = False
) -> dict[str, Any]:
    """Baselines (a) DuckDB SQL and (b) PySpark, if the baselines module is present."""
    try:
        from lakehouse.bench import baselines  # the owner merges it from another branch
    except ImportError as exc:
        print(f"  baselines: not available ({exc})", flush=True)
        return {"available": False, "reason": f"baseline not available: {exc}"}
    out: dict[str, Any] = {"available": True}
    for key, function in (
        ("duckdb", getattr(baselines, "run_duckdb_baseline", None)),
        ("spark", None if skip_spark else getattr(baselines, "run_spark_baseline", None)),
    ):
        if key == "spark" and skip_spark:
            out[key] = {"error": "skipped (--skip-spark)"}
            continue
        if function is None:
            out[key] = {"error": "baseline not available"}
            continue
        out_dir = root / f"baseline_{key}"
        shutil.rmtree(out_dir, ignore_errors=True)
        try:
            result = dict(function(root / "landing", out_dir))
        except Exception as exc:  # a broken baseline must not lose the dbt measurements
            traceback.print_exc()
            out[key] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        rows = result.get("rows", {})
        mismatches = {
            t: {"baseline": rows.get(t), "lake": n}
            for t, n in lake_rows.items()
            if rows.get(t) != n
        }
        result["row_mismatches"] = mismatches
        out[key] = result
        status = "MISMATCH " + json.dumps(mismatches) if mismatches else "rows match the lake"
        print(f"  baseline {key:<19} {result.get('seconds', float('nan')):>8.1f} s  {status}")
        if mismatches:
            print(f"!!! baseline {key}: row counts differ from the lake: {mismatches}", flush=True)
    return out


def median_of(steps: list[dict[str, Any]], field: str = "seconds") -> float:
    return round(statistics.median(s[field] for s in steps), 2)


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """Medians and ratios, the numbers the issue's targets are about (of the steps that ran)."""
    s = {name: steps for name, steps in report["steps"].items() if steps}
    names = {
        "parse_s": "parse",
        "full_run_sql_s": "full_run",
        "full_build_s": "full_build",
        "no_new_data_build_s": "no_new_data",
        "one_day_incremental_s": "one_day",
        "one_day_run_sql_s": "one_day_run",
        "corrections_incremental_s": "corrections",
    }
    out: dict[str, Any] = {key: median_of(s[step]) for key, step in names.items() if step in s}
    out["peak_rss_mib"] = max(st["peak_rss_mib"] for steps in s.values() for st in steps)
    for key, part, whole in (
        ("one_day_vs_full_build", "one_day_incremental_s", "full_build_s"),
        ("one_day_run_vs_full_run", "one_day_run_sql_s", "full_run_sql_s"),
        ("corrections_vs_full_build", "corrections_incremental_s", "full_build_s"),
    ):
        if part in out and whole in out:
            out[key] = round(out[part] / out[whole], 3)
    baselines = report.get("baselines", {})
    for key, label in (("duckdb", "a"), ("spark", "b")):
        seconds = baselines.get(key, {}).get("seconds") if baselines.get("available") else None
        if seconds:
            out[f"baseline_{label}_{key}_s"] = round(seconds, 2)
            for measure, ratio in (
                ("full_build_s", "full_build"),
                ("full_run_sql_s", "full_run_sql"),
            ):
                if measure in out:
                    out[f"{ratio}_vs_baseline_{label}"] = round(out[measure] / seconds, 2)
    return out


def markdown(report: dict[str, Any]) -> str:
    """The results as Markdown: summary, per-step table, Delta actions, slowest models."""
    lines = [
        f"# Scale benchmark: {report['years']} year(s), {report['landed_flights']:,} flights",
        "",
        report["scenario"],
        "",
        "| measure | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in report["summary"].items()]
    b = report.get("baselines", {})
    if not b.get("available"):
        lines += ["", f"Baselines: {b.get('reason', 'not run')}."]
    else:
        for key in ("duckdb", "spark"):
            entry = b.get(key, {})
            if entry.get("error"):
                lines += ["", f"Baseline {key}: **{entry['error']}**"]
            elif entry.get("row_mismatches"):
                lines += ["", f"**Baseline {key} row counts differ from the lake:** "]
                lines += [f"`{json.dumps(entry['row_mismatches'])}`"]
            else:
                lines += ["", f"Baseline {key}: rows {entry.get('rows')} match the lake."]
    lines += [
        "",
        "## Steps",
        "",
        "| step | run | command | exit | seconds | peak RSS MiB | Delta files added | removed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, steps in report["steps"].items():
        for i, st in enumerate(steps, start=1):
            added = sum(c["files_added"] for c in st["delta"].values())
            removed = sum(c["files_removed"] for c in st["delta"].values())
            lines.append(
                f"| {name} | {i} | `{st['command']}` | {st['returncode']} | {st['seconds']} "
                f"| {st['peak_rss_mib']} "
                f"| {added} | {removed} |"
            )
    for name in ("full_build", "one_day_run", "one_day", "corrections", "no_new_data"):
        steps = report["steps"].get(name) or []
        if not steps:
            continue
        st = steps[0]
        lines += [
            "",
            f"## {name} (run 1): Delta actions per table",
            "",
            "| table | commits | files added | files removed | MiB added | MiB removed |",
            "|---|---|---|---|---|---|",
        ]
        for table, c in st["delta"].items():
            lines.append(
                f"| {table} | {c['commits']} | {c['files_added']} | {c['files_removed']} "
                f"| {c['bytes_added'] / 2**20:.1f} | {c['bytes_removed'] / 2**20:.1f} |"
            )
    for name in ("full_run", "full_build", "one_day_run", "one_day", "corrections", "no_new_data"):
        steps = report["steps"].get(name) or []
        if not steps:
            continue
        lines += [
            "",
            f"## {name} (run 1): slowest {TOP_MODELS} nodes (run_results.json)",
            "",
            "| node | kind | seconds | peak RSS MiB while it ran |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {n['node']} | {n['kind']} | {n['seconds']} | {n.get('peak_rss_mib', '')} |"
            for n in steps[0]["slowest"]
        ]
        memory = steps[0].get("most_memory") or []
        if memory:
            lines += [
                "",
                "Most memory while running: "
                + ", ".join(f"{n['node']} {n['peak_rss_mib']} MiB" for n in memory),
            ]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    env = lakehouse_env(root)
    generator = ScaleGenerator(args.years, args.seed)
    # two held-back days per repeat: one for `dbt run`, one for `dbt build`
    held_back = [
        generator.last_day - timedelta(days=2 * args.repeats - 1 - i)
        for i in range(2 * args.repeats)
    ]
    run_days, new_days = held_back[0::2], held_back[1::2]
    # corrections for complete months of the last year, one month per repeat
    months = [(generator.last_day.year, 9 - i) for i in range(args.repeats)]
    report: dict[str, Any] = {"years": args.years, "seed": args.seed, "complete": False}
    partial = args.out / f"scale_{args.years}y.partial.json"
    args.out.mkdir(parents=True, exist_ok=True)

    def checkpoint() -> None:
        """Steps so far, so a long run that dies late still leaves its numbers."""
        partial.write_text(json.dumps(report, indent=2) + "\n")

    if args.full_build_only:
        return capacity_run(args, root, env, report, generator)
    land_generated(report, generator, root, held_back[0] - timedelta(days=1), args.jobs)

    steps: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "parse",
            "full_run",
            "full_build",
            "no_new_data",
            "one_day_run",
            "one_day",
            "corrections",
        )
    }
    report["steps"] = steps
    for _ in range(args.repeats):
        steps["parse"].append(dbt_step("parse", ["parse", "--no-partial-parse"], root, env))
        checkpoint()
    for _ in range(args.full_repeats):
        wipe_lake(root)
        steps["full_build"].append(dbt_step("full build (all)", PRODUCTION_BUILD, root, env))
        checkpoint()
    for _ in range(args.repeats):
        steps["no_new_data"].append(dbt_step("build, no new data", PRODUCTION_BUILD, root, env))
        checkpoint()
    for run_day, new_day, (year, month) in zip(run_days, new_days, months, strict=True):
        generator.land(root / "landing", run_day, run_day)
        steps["one_day_run"].append(
            dbt_step(f"run after {run_day}", ["run", "--exclude", "tag:ml"], root, env)
        )
        generator.land(root / "landing", new_day, new_day)
        steps["one_day"].append(dbt_step(f"build after {new_day}", PRODUCTION_BUILD, root, env))
        _, updates = generator.land_month_corrections(root / "landing", new_day, year, month)
        steps["corrections"].append(
            dbt_step(f"build, {updates} fixes {year}-{month:02d}", PRODUCTION_BUILD, root, env)
        )
        steps["corrections"][-1]["corrected_rows"] = updates
        checkpoint()
    report["lake_rows"] = lake_counts(root / "lake")
    print(f"  lake rows: {report['lake_rows']}", flush=True)
    # last, as it starts from an empty lake: the final landing zone, SQL models only
    for _ in range(args.full_repeats):
        wipe_lake(root)
        measure([DBT, "seed"], env=env, cwd=REPO)
        steps["full_run"].append(
            dbt_step("full run (SQL models)", ["run", "--exclude", "tag:ml"], root, env)
        )
        checkpoint()
    partial.unlink(missing_ok=True)
    report["complete"] = True
    if args.skip_baselines:
        report["baselines"] = {"available": False, "reason": "skipped (--skip-baselines)"}
    else:
        report["baselines"] = run_baselines(root, report["lake_rows"], args.skip_spark)
    return report


def write_results(stem: Path, report: dict[str, Any], text: str) -> None:
    """The report as ``<stem>.json`` and its Markdown as ``<stem>.md``; the Markdown printed."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(text)
    print(text)


def publish(stem: Path, report: dict[str, Any]) -> None:
    """Finish a report (the machine, the summary of medians and ratios) and write it."""
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    report["summary"] = summary(report)
    write_results(stem, report, markdown(report))


def land_generated(
    report: dict[str, Any], generator: ScaleGenerator, root: Path, end: date, jobs: int
) -> None:
    """Land the generated deliveries up to ``end``; their count and time go into ``report``."""
    print(f"generating {generator.years} year(s) into {root / 'landing'} ...", flush=True)
    began = time.perf_counter()
    landed = generator.land(root / "landing", end=end, jobs=jobs)
    report["generate_s"] = round(time.perf_counter() - began, 1)
    report["landed_flights"] = landed["flights"]["rows_written"]
    report["landed"] = landed
    print(f"  {report['landed_flights']:,} flights in {report['generate_s']} s", flush=True)


def capacity_run(
    args: argparse.Namespace,
    root: Path,
    env: dict[str, str],
    report: dict[str, Any],
    generator: ScaleGenerator,
) -> dict[str, Any]:
    """Does a full build complete at this scale, and with how much memory: every generated day
    landed, one parse and one full `dbt build` from an empty lake; no incremental steps and no
    baselines (at 30 M flights each of those is another long build)."""
    land_generated(report, generator, root, generator.last_day, args.jobs)
    wipe_lake(root)
    report["steps"] = {
        "parse": [dbt_step("parse", ["parse", "--no-partial-parse"], root, env)],
        "full_build": [dbt_step("full build (all)", PRODUCTION_BUILD, root, env)],
    }
    report["lake_rows"] = lake_counts(root / "lake")
    report["complete"] = report["steps"]["full_build"][0]["returncode"] == 0
    report["baselines"] = {"available": False, "reason": "not run (--full-build-only)"}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each incremental step")
    parser.add_argument("--full-repeats", type=int, default=1, help="runs of each full build")
    parser.add_argument("--jobs", type=int, default=1, help="processes for the generator")
    parser.add_argument("--skip-spark", action="store_true", help="baseline (a) only")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument(
        "--full-build-only",
        action="store_true",
        help="capacity check: land every day, one full dbt build; no incremental steps, baselines",
    )
    parser.add_argument("--workdir", type=Path, default=None, help="keep the lakehouse here")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.repeats > 3 or args.full_repeats < 1:
        parser.error("--repeats must be 1..3 (one corrections month each), --full-repeats >= 1")

    started = date.today().isoformat()
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        report = run(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="lakehouse-bench-scale-") as tmp:
            report = run(args, Path(tmp))
    if args.full_build_only:
        scenario = (
            "capacity check: every day landed, `dbt parse`, then one full production build "
            f"(`dbt {' '.join(PRODUCTION_BUILD[1:])}`: every model incl. ML, every data test) "
            "from an empty lake; no incremental steps, no baselines"
        )
    else:
        scenario = (
            f"full builds from an empty lake (x{args.full_repeats}); `full_run` = `dbt run "
            "--exclude tag:ml` (SQL transformations, no tests/ML, after `dbt seed`), "
            f"`full_build` and every other build = `dbt {' '.join(PRODUCTION_BUILD)}` (every "
            "model incl. ML, every data test; unit tests run in CI); incremental steps "
            f"x{args.repeats}: one new day, then 1 % of one month's flights corrected; medians "
            "reported"
        )
    report["scenario"] = (
        f"{args.years} generated year(s) (seed {args.seed}); {scenario}. Measured {started}."
    )
    publish(args.out / f"scale_{args.years}y", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
