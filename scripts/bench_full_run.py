"""Measure the SQL transformations from an empty lake against baseline (a), on a kept lakehouse.

The issue's first target compares the full build of the transformations with the same SQL
as one hand-written DuckDB script writing Parquet (baseline (a), no dbt, no Delta). After a
change, this measures both again over the landing zone a ``bench_scale.py --workdir`` run
left behind (plus whatever ``bench_incremental.py`` added): the lake is emptied, ``dbt seed``,
then ``dbt run --exclude tag:ml`` (the `full_run` step), then the baseline, whose row counts
are checked against the lake's. It leaves a lake without the ML tables. Results:
``benchmarks/results/scale_<N>y_full_run.{json,md}``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import (  # noqa: E402
    DBT,
    REPO,
    dbt_step,
    lake_counts,
    lakehouse_env,
    measure,
    publish,
    run_baselines,
    wipe_lake,
)


def run(workdir: Path, years: int, repeats: int) -> dict[str, Any]:
    env = lakehouse_env(workdir)
    runs = []
    for _ in range(repeats):
        wipe_lake(workdir)
        measure([DBT, "seed"], env=env, cwd=REPO)
        runs.append(dbt_step("full run (SQL models)", ["run", "--exclude", "tag:ml"], workdir, env))
    rows = lake_counts(workdir / "lake")
    return {
        "years": years,
        "landed_flights": rows.get("silver_flights", 0),
        "lake_rows": rows,
        "steps": {"full_run": runs},
        "baselines": run_baselines(workdir, rows, skip_spark=True),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=1, help="runs of the full dbt run")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    report = run(args.workdir, args.years, args.repeats)
    report["scenario"] = (
        f"Kept lakehouse of {args.years} generated year(s) (`bench_full_run.py`): from an empty "
        f"lake, `dbt seed` then `dbt run --exclude tag:ml` (x{args.repeats}, median), then "
        f"baseline (a) over the same landing zone. Measured {date.today().isoformat()}."
    )
    publish(args.out / f"scale_{args.years}y_full_run", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
