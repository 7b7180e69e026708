"""Measure incremental builds on a lakehouse that ``bench_scale.py --workdir`` left behind.

A full 30-year benchmark spends most of its time on the two full builds. After a code change
that only affects incremental work, this re-measures the incremental steps on the kept
lakehouse instead: one catch-up ``dbt build`` (it also builds whatever the change added),
then a build with nothing new, one new day as ``dbt run --exclude tag:ml``, another new day
as ``dbt build``, and a corrections delivery of 1 % of one month. The new days are the first
days after the generated years (the generator with one more year, same seed), so nothing
already delivered is touched. Results: ``benchmarks/results/scale_<N>y_incremental.{json,md}``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import REPO, dbt_step, lakehouse_env, write_results  # noqa: E402

from lakehouse.scale import DEFAULT_SEED, ScaleGenerator  # noqa: E402


def run(workdir: Path, years: int, seed: int, skip_days: int, month: int) -> dict[str, Any]:
    env = lakehouse_env(workdir)
    generator = ScaleGenerator(years + 1, seed)
    first_new = date(generator.last_day.year, 1, 1) + timedelta(days=skip_days)
    days = [first_new + timedelta(days=i) for i in range(3)]
    for day in days:  # a day already delivered would make a step measure nothing new
        if any((workdir / "landing").glob(f"*/*_{day.isoformat()}.csv")):
            raise SystemExit(f"{day} is already delivered; pass --skip-days past it")
    steps: dict[str, dict[str, Any]] = {}
    steps["catch_up"] = dbt_step("catch-up build", ["build"], workdir, env)
    steps["no_new_data"] = dbt_step("build, no new data", ["build"], workdir, env)
    generator.land(workdir / "landing", days[0], days[0])
    steps["one_day_run"] = dbt_step(
        f"run after {days[0]}", ["run", "--exclude", "tag:ml"], workdir, env
    )
    generator.land(workdir / "landing", days[1], days[1])
    steps["one_day"] = dbt_step(f"build after {days[1]}", ["build"], workdir, env)
    year = generator.last_day.year - 1
    _, updates = generator.land_month_corrections(workdir / "landing", days[2], year, month)
    steps["corrections"] = dbt_step(
        f"build, {updates} fixes {year}-{month:02d}", ["build"], workdir, env
    )
    days_text = [d.isoformat() for d in days]
    return {"years": years, "seed": seed, "days": days_text, "month": month, "steps": steps}


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Incremental builds on the {report['years']}-year lakehouse",
        "",
        "Measured on a lakehouse kept by `bench_scale.py --workdir`"
        " (`scripts/bench_incremental.py`).",
        "",
        "| step | command | exit | seconds | peak RSS MiB | Delta files added | removed |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, step in report["steps"].items():
        added = sum(t["files_added"] for t in step["delta"].values())
        removed = sum(t["files_removed"] for t in step["delta"].values())
        lines.append(
            f"| {name} | `{step['command']}` | {step['returncode']} | {step['seconds']} | "
            f"{step['peak_rss_mib']} | {added} | {removed} |"
        )
    for name, step in report["steps"].items():
        lines += [
            "",
            f"## {name}: slowest nodes",
            "",
            "| node | kind | seconds | peak RSS MiB while it ran |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {n['node']} | {n['kind']} | {n['seconds']} | {n.get('peak_rss_mib', '')} |"
            for n in step["slowest"]
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-days", type=int, default=0, help="new days start this late")
    parser.add_argument("--month", type=int, default=8, help="month of the last year to correct")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    report = run(args.workdir, args.years, args.seed, args.skip_days, args.month)
    write_results(args.out / f"scale_{args.years}y_incremental", report, markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
