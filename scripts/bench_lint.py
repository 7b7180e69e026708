"""Time the lint steps of `make lint` on this repository, sqlfluff with 1 and with 2 processes.

Each step runs once as `make lint` runs it; wall time, the CPU time of the step's processes
(user + system) and the machine's 1-minute load average at the start are recorded, because on
a shared machine wall time says as much about the neighbours as about the step. Results go to
benchmarks/results/lint.json and lint.md. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

STEPS = {
    "own SQL check (scripts/check_sql.py)": ["scripts/check_sql.py"],
    "dbt conventions (scripts/check_conventions.py, dbt parse)": ["scripts/check_conventions.py"],
    "sqlfluff, 1 process (scripts/lint_sql.py --processes 1)": [
        "scripts/lint_sql.py",
        "--processes",
        "1",
    ],
    "sqlfluff, 2 processes (scripts/lint_sql.py, as make lint)": [
        "scripts/lint_sql.py",
        "--processes",
        "2",
    ],
}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: list[str]) -> dict[str, float]:
    """Run one step; its wall and CPU seconds and the load average when it started."""
    load = os.getloadavg()[0]
    cpu, start = cpu_seconds(), time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=REPO, check=True, capture_output=True)
    return {
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(cpu_seconds() - cpu, 1),
        "load_1min_at_start": round(load, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    results = {name: timed(step) for name, step in STEPS.items()}
    meta = {"cpus": os.cpu_count(), "python": platform.python_version()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "lint.json").write_text(json.dumps({"meta": meta, **results}, indent=2) + "\n")
    lines = [
        "# Lint timings (scripts/bench_lint.py)",
        "",
        f"{meta['cpus']} CPUs, Python {meta['python']}; 30 SQL models, 3 Python models.",
        "",
        "| step | wall s | CPU s | load (1 min) at start |",
        "|---|---|---|---|",
    ]
    for name, result in results.items():
        lines.append(
            f"| {name} | {result['wall_s']} | {result['cpu_s']} | {result['load_1min_at_start']} |"
        )
    (args.out / "lint.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
