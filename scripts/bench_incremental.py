"""Measure incremental builds on a lakehouse that ``bench_scale.py --workdir`` left behind.

A full 30-year benchmark spends most of its time generating deliveries and running the
baselines. After a code change, this re-measures on the kept lakehouse instead: optionally one
full production build from an empty lake (``--full-build``, the denominator of the issue's
ratios; otherwise one catch-up build of whatever is pending), then, ``--repeats`` times, a
build with nothing new, one new day as ``dbt run --exclude tag:ml``, another new day as a
production build, and a corrections delivery of 1 % of one month (a different month each
time). The new days are the first days after the generated years (the generator with one more
year, same seed), so nothing already delivered is touched. Results, with the medians:
``benchmarks/results/scale_<N>y_incremental.{json,md}``, laid out as ``bench_scale``'s.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import (  # noqa: E402
    PRODUCTION_BUILD,
    REPO,
    dbt_step,
    lake_counts,
    lakehouse_env,
    publish,
    wipe_lake,
)

from lakehouse.scale import DEFAULT_SEED, ScaleGenerator  # noqa: E402


def run(
    workdir: Path, years: int, seed: int, skip_days: int, repeats: int, full_build: bool
) -> dict[str, Any]:
    env = lakehouse_env(workdir)
    generator = ScaleGenerator(years + 1, seed)
    first_new = date(generator.last_day.year, 1, 1) + timedelta(days=skip_days)
    days = [first_new + timedelta(days=i) for i in range(2 * repeats)]
    for day in days:  # a day already delivered would make a step measure nothing new
        if any((workdir / "landing").glob(f"*/*_{day.isoformat()}.csv")):
            raise SystemExit(f"{day} is already delivered; pass --skip-days past it")
    names = ("full_build", "catch_up", "no_new_data", "one_day_run", "one_day", "corrections")
    steps: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    if full_build:
        wipe_lake(workdir)
        steps["full_build"].append(dbt_step("full build", PRODUCTION_BUILD, workdir, env))
    else:
        steps["catch_up"].append(dbt_step("catch-up build", PRODUCTION_BUILD, workdir, env))
    last_year = generator.last_day.year - 1
    for i in range(repeats):
        run_day, build_day = days[2 * i], days[2 * i + 1]
        steps["no_new_data"].append(dbt_step("build, no new data", PRODUCTION_BUILD, workdir, env))
        generator.land(workdir / "landing", run_day, run_day)
        steps["one_day_run"].append(
            dbt_step(f"run after {run_day}", ["run", "--exclude", "tag:ml"], workdir, env)
        )
        generator.land(workdir / "landing", build_day, build_day)
        steps["one_day"].append(
            dbt_step(f"build after {build_day}", PRODUCTION_BUILD, workdir, env)
        )
        month = 8 - i
        _, updates = generator.land_month_corrections(
            workdir / "landing", build_day, last_year, month
        )
        steps["corrections"].append(
            dbt_step(
                f"build, {updates} fixes {last_year}-{month:02d}", PRODUCTION_BUILD, workdir, env
            )
        )
        steps["corrections"][-1]["corrected_rows"] = updates
    rows = lake_counts(workdir / "lake")
    return {
        "years": years,
        "seed": seed,
        "days": [d.isoformat() for d in days],
        "landed_flights": rows.get("silver_flights", 0),
        "lake_rows": rows,
        "steps": {name: runs for name, runs in steps.items() if runs},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-days", type=int, default=0, help="new days start this late")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each incremental step")
    parser.add_argument(
        "--full-build", action="store_true", help="first a full build from an empty lake"
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    if not 1 <= args.repeats <= 8:
        parser.error("--repeats must be 1..8 (one corrections month each)")
    started = date.today().isoformat()
    report = run(args.workdir, args.years, args.seed, args.skip_days, args.repeats, args.full_build)
    first = (
        "one full production build from an empty lake"
        if args.full_build
        else ("one catch-up build")
    )
    report["scenario"] = (
        f"Kept lakehouse of {args.years} generated year(s) (seed {args.seed}, "
        f"`bench_incremental.py`): {first}, then x{args.repeats}: a build with nothing new, "
        "one new day as `dbt run --exclude tag:ml`, another new day as a build, 1 % of one "
        f"month's flights corrected. Every build is `dbt {' '.join(PRODUCTION_BUILD)}` "
        f"(unit tests run in CI); medians reported. Measured {started}."
    )
    publish(args.out / f"scale_{args.years}y_incremental", report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
