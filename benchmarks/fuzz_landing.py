"""The long fuzz run of the landing (issue #17, item 3): thousands of generated files through
incremental builds of one lakehouse, every invariant checked after every build.

Why a separate run: the build tier of tests/python/test_landing_fuzz.py lands one batch of
about 30 files in one build, enough for CI; a bug that needs a rarer file, or files that
interact across builds (a name excluded because another was recorded, a verdict cached
under the wrong key), needs many more. So: two clean days are landed and built first, then
rounds of ``--per-build`` files (tests/python/landing_strategies.py, built from the real
flights of 2013-01-03, drawn deterministically from ``--seed`` and the round) are landed and
``dbt build --exclude tag:ml`` runs after each. After every build:

* the build passed;
* every file of the round has exactly one row in audit.audit_landing_files, under the name
  the gate shows, with the verdict and row count the gate gives the file on its own
  (lakehouse.landing_stage.judge_file); a read file's rows are all in bronze, any other
  file has none there; the audit holds every file landed so far, each once;
* audit.audit_landing_to_bronze and audit.audit_flight_reconciliation are reconciled;
* the clean days' rows of silver.silver_flights and gold.fct_flights are what the clean
  build made of them.

Per round: files, verdict counts, rows delivered, in bronze and quarantined, build seconds
and every failure; failing files are saved under ``<workdir>/failures`` with their names
and shapes. Results: ``--out`` (Markdown) and the same stem with ``.json``, rewritten after
each round so a long run stopped halfway still reports. Not a test: it takes an hour.

    .venv/bin/python benchmarks/fuzz_landing.py --files 2000 --per-build 100
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from lakehouse import duckdb_ext, landing_stage  # noqa: E402
from tests.python.conftest import NO_ML, Lakehouse  # noqa: E402
from tests.python.landing_strategies import (  # noqa: E402
    FLIGHTS,
    LandingFile,
    draw_examples,
    landing_files,
    write_landing_file,
)

DAY = "2013-01-03"
CLEAN_DAYS = ("2013-01-01", "2013-01-02")
BIN = Path(sys.executable).parent
MARKER = ".fuzz_landing"  # a workdir this script made, and may wipe
BUILD_TIMEOUT_S = 1800
#: The clean days' rows, all columns but the ingestion lineage a rebuild may refresh.
CLEAN_ROWS = {
    "silver.silver_flights": "select * exclude (_ingested_at, _batch_id) "
    "from silver.silver_flights where flight_date between ? and ? order by flight_key",
    "gold.fct_flights": "select * exclude (_ingested_at) "
    "from gold.fct_flights where flight_date between ? and ? order by flight_key",
}


@dataclass
class Round:
    """One build's batch and what became of it."""

    number: int
    seed: int
    files: int = 0
    names_refused: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    rows_delivered: int = 0
    rows_in_bronze: int = 0
    rows_quarantined: int = 0
    build_s: float = 0.0
    shapes: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)


def query(lh: Lakehouse, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with duckdb_ext.connect(str(lh.catalog), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def environment(lh: Lakehouse) -> dict[str, str]:
    """conftest's Lakehouse.env(), with the gate's staging folder inside the workdir."""
    return {**lh.env(), "LAKEHOUSE_STAGING_DIR": str(lh.root / "staging")}


def command(args: list[str], lh: Lakehouse) -> tuple[int, str, float]:
    """Run a CLI in the lakehouse's environment: exit code, output, seconds."""
    began = time.perf_counter()
    try:
        result = subprocess.run(
            args,
            cwd=REPO,
            env=environment(lh),
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as error:
        output = f"timed out after {BUILD_TIMEOUT_S} s\n{error.stdout or ''}{error.stderr or ''}"
        return -1, output, time.perf_counter() - began
    return result.returncode, result.stdout + result.stderr, time.perf_counter() - began


def build(lh: Lakehouse) -> tuple[int, str, float]:
    return command([str(BIN / "dbt"), "build", *NO_ML], lh)


def prepare(workdir: Path) -> Lakehouse:
    """A fresh lakehouse in ``workdir`` (an earlier run's workdir is wiped, nothing else)."""
    if workdir.exists():
        if not (workdir / MARKER).exists():
            raise SystemExit(f"{workdir} exists and is not a fuzz_landing workdir: not wiping it")
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / MARKER).write_text("made by benchmarks/fuzz_landing.py\n")
    return Lakehouse(root=workdir, landing=workdir / "landing")


def clean_rows(lh: Lakehouse) -> dict[str, list[tuple[Any, ...]]]:
    return {table: query(lh, sql, *CLEAN_DAYS) for table, sql in CLEAN_ROWS.items()}


def save_failure(lh: Lakehouse, round_: Round, serial: int, file: LandingFile) -> str:
    """Keep a failing file's bytes, name and shape where the report points."""
    folder = lh.root / "failures" / f"round-{round_.number:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{serial:05d}"
    stem.with_suffix(".data").write_bytes(file.data)
    stem.with_suffix(".json").write_text(
        json.dumps(
            {
                "name_hex": file.name(serial).hex(),
                "listed_name": file.listed_name(serial),
                "shape": list(file.shape),
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return str(stem.relative_to(lh.root))


def check_round(
    lh: Lakehouse,
    round_: Round,
    landed: dict[str, tuple[int, LandingFile]],
    expected: dict[str, dict[str, object]],
    all_names: set[str],
    clean: dict[str, list[tuple[Any, ...]]],
) -> None:
    """The invariants after a build (module docstring); failures go into ``round_``."""

    def fail(check: str, detail: str, name: str | None = None) -> None:
        failure: dict[str, Any] = {"check": check, "detail": detail[:2000]}
        if name is not None:
            serial, file = landed[name]
            failure |= {"file": name, "shape": list(file.shape)}
            failure["saved"] = save_failure(lh, round_, serial, file)
        round_.failures.append(failure)

    audit: dict[str, list[tuple[Any, ...]]] = collections.defaultdict(list)
    for name, *facts in query(
        lh,
        "select _source_file, verdict, reason, rows_delivered, rows_in_bronze, is_accounted "
        "from audit.audit_landing_files where stream = 'flights'",
    ):
        audit[name].append(tuple(facts))
    for name, facts in expected.items():
        rows = audit.get(name, [])
        if len(rows) != 1:
            fail("one audit row per file", f"{len(rows)} audit rows", name)
            continue
        ((verdict, reason, delivered, in_bronze, accounted),) = rows
        want = (facts["verdict"], facts["row_count"] if verdict == "read" else facts["data_lines"])
        if (verdict, delivered) != want:
            fail(
                "verdict and rows as the gate judges the file",
                f"audit {verdict} {delivered} rows ({reason}); gate {want[0]} {want[1]} rows "
                f"({facts['reason']})",
                name,
            )
        elif verdict == "read" and in_bronze != delivered or verdict != "read" and in_bronze:
            fail("rows in bronze", f"{verdict}: {delivered} delivered, {in_bronze} in bronze", name)
        elif not accounted:
            fail("is_accounted", f"{verdict}, {delivered} delivered, {in_bronze} in bronze", name)
    extra = sorted(set(audit) - all_names)
    missing = sorted(all_names - set(audit))
    if extra or missing:
        fail(
            "the audit holds every landed file", f"unexpected {extra[:10]}, missing {missing[:10]}"
        )
    for stream, ok in query(lh, "select stream, is_reconciled from audit.audit_landing_to_bronze"):
        if not ok:
            fail("audit_landing_to_bronze reconciled", f"stream {stream}")
    ((unaccounted, reconciled),) = query(
        lh, "select unaccounted_rows, is_reconciled from audit.audit_flight_reconciliation"
    )
    if not reconciled or unaccounted:
        fail("audit_flight_reconciliation reconciled", f"unaccounted_rows {unaccounted}")
    for table, rows in clean_rows(lh).items():
        if rows != clean[table]:
            fail("clean days unchanged", f"{table}: {len(rows)} rows, {len(clean[table])} before")

    names = list(expected)
    round_.verdicts = dict(collections.Counter(str(f["verdict"]) for f in expected.values()))
    round_.rows_delivered = sum(audit[n][0][2] for n in names if len(audit.get(n, [])) == 1)
    round_.rows_in_bronze = sum(audit[n][0][3] for n in names if len(audit.get(n, [])) == 1)
    ((quarantined,),) = query(
        lh,
        "select count(*) from silver.silver_flights_quarantine "
        "where list_contains(?, _source_file)",
        names,
    )
    round_.rows_quarantined = quarantined


def run_round(
    lh: Lakehouse,
    rows: list[str],
    number: int,
    count: int,
    seed: int,
    first_serial: int,
    all_names: set[str],
    clean: dict[str, list[tuple[Any, ...]]],
) -> Round:
    """Land one batch, judge each file alone, build, check."""
    round_ = Round(number=number, seed=seed)
    landed: dict[str, tuple[int, LandingFile]] = {}
    folder = os.fsencode(lh.landing / "flights")
    for serial, file in enumerate(draw_examples(landing_files(rows), count, seed), first_serial):
        if write_landing_file(folder, file, serial):
            landed[file.listed_name(serial)] = (serial, file)
        else:
            round_.names_refused += 1
    round_.files = len(landed)
    round_.shapes = dict(collections.Counter(s for _, f in landed.values() for s in f.shape))
    all_names.update(landed)
    previous = os.environ.get("LAKEHOUSE_STAGING_DIR")
    os.environ["LAKEHOUSE_STAGING_DIR"] = str(lh.root / "judge")  # not the build's cache
    try:
        expected = {
            name: landing_stage.judge_file(file.data, name, FLIGHTS.to_json(), False)
            for name, (_, file) in landed.items()
        }
    finally:
        if previous is None:
            os.environ.pop("LAKEHOUSE_STAGING_DIR")
        else:
            os.environ["LAKEHOUSE_STAGING_DIR"] = previous
    for name, facts in expected.items():
        if str(facts.get("reason") or "").startswith("reader error"):
            serial, file = landed[name]
            round_.failures.append(
                {
                    "check": "the reader never raises",
                    "detail": str(facts["reason"]),
                    "file": name,
                    "shape": list(file.shape),
                    "saved": save_failure(lh, round_, serial, file),
                }
            )
    code, output, seconds = build(lh)
    round_.build_s = round(seconds, 1)
    log = lh.root / "logs" / f"round-{number:03d}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(output)
    if code != 0:
        tail = "\n".join(output.splitlines()[-30:])
        round_.failures.append({"check": "the build passes", "detail": tail, "log": str(log)})
        for serial, file in landed.values():
            save_failure(lh, round_, serial, file)
    try:
        check_round(lh, round_, landed, expected, all_names, clean)
    except Exception as error:  # noqa: BLE001 (a failed build may leave no audit to query)
        round_.failures.append({"check": "the checks ran", "detail": repr(error)})
    return round_


def markdown(report: dict[str, Any]) -> str:
    totals = report["totals"]
    lines = [
        "# Landing fuzz run",
        "",
        "Generated landing files (tests/python/landing_strategies.py, from the flights of "
        f"{DAY}) landed beside two clean days, `dbt build --exclude tag:ml` after each batch, "
        "every invariant checked after every build (benchmarks/fuzz_landing.py).",
        "",
        f"Command: `{report['command']}`  ",
        f"Started {report['started']}, {report['elapsed_s']} s in all; "
        f"{report['machine']['cpus']} CPUs, Python {report['machine']['python']}.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| files landed | {totals['files']} |",
        f"| builds (after the clean one) | {totals['builds']} |",
        f"| verdicts | {', '.join(f'{k} {v}' for k, v in sorted(totals['verdicts'].items()))} |",
        f"| rows delivered | {totals['rows_delivered']} |",
        f"| rows in bronze | {totals['rows_in_bronze']} |",
        f"| rows quarantined in silver | {totals['rows_quarantined']} |",
        f"| clean build s | {report['clean_build_s']} |",
        f"| median build s | {totals['median_build_s']} |",
        f"| failures | {totals['failures']} |",
        "",
        "| round | seed | files | read | empty | rejected | delivered | in bronze | quarantined "
        "| build s | failures |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["rounds"]:
        v = r["verdicts"]
        lines.append(
            f"| {r['number']} | {r['seed']} | {r['files']} | {v.get('read', 0)} | "
            f"{v.get('empty', 0)} | {v.get('rejected', 0)} | {r['rows_delivered']} | "
            f"{r['rows_in_bronze']} | {r['rows_quarantined']} | {r['build_s']} | "
            f"{len(r['failures'])} |"
        )
    lines += ["", "## Failures", ""]
    failures = [(r["number"], f) for r in report["rounds"] for f in r["failures"]]
    if not failures:
        lines.append("None: every build passed and every invariant held.")
    for number, failure in failures:
        where = f" `{failure['file']}`" if "file" in failure else ""
        detail = str(failure["detail"])
        if "\n" in detail:  # a build's output: a code block under the item
            detail = "\n\n  ```\n" + "\n".join(f"  {line}" for line in detail.splitlines())
            detail += "\n  ```"
        lines.append(f"- round {number}, {failure['check']}{where}: {detail}")
        if failure.get("shape"):
            lines.append(f"  shape: {', '.join(failure['shape'])}; saved: {failure['saved']}")
    lines += ["", "## Shapes landed", ""]
    lines += [f"- {shape}: {count}" for shape, count in report["shapes"]]
    return "\n".join(lines) + "\n"


def write(out: Path, report: dict[str, Any], began: float) -> None:
    """Totals, then the JSON and the Markdown (after every round: a stopped run reports)."""
    rounds = report["rounds"]
    shapes: collections.Counter[str] = collections.Counter()
    for r in rounds:
        shapes.update(r["shapes"])
    report["shapes"] = shapes.most_common()
    verdicts: collections.Counter[str] = collections.Counter()
    for r in rounds:
        verdicts.update(r["verdicts"])
    builds = sorted(r["build_s"] for r in rounds)
    report["totals"] = {
        "files": sum(r["files"] for r in rounds),
        "builds": len(rounds),
        "verdicts": dict(verdicts),
        "rows_delivered": sum(r["rows_delivered"] for r in rounds),
        "rows_in_bronze": sum(r["rows_in_bronze"] for r in rounds),
        "rows_quarantined": sum(r["rows_quarantined"] for r in rounds),
        "median_build_s": builds[len(builds) // 2] if builds else None,
        "failures": sum(len(r["failures"]) for r in rounds),
    }
    report["elapsed_s"] = round(time.perf_counter() - began, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    out.write_text(markdown(report))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="generated files in all")
    parser.add_argument("--per-build", type=int, default=100, help="files landed per build")
    parser.add_argument("--seed", type=int, default=17, help="round r draws with seed*1000+r")
    parser.add_argument(
        "--workdir", type=Path, default=REPO / ".tmp" / "fuzz_landing", help="the lakehouse"
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "benchmarks" / "results" / "fuzz_landing.md"
    )
    args = parser.parse_args(argv)

    lh = prepare(args.workdir.resolve())
    report: dict[str, Any] = {
        "command": "python benchmarks/fuzz_landing.py "
        f"--files {args.files} --per-build {args.per_build} --seed {args.seed}",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "files": args.files,
        "per_build": args.per_build,
        "seed": args.seed,
        "rounds": [],
        "shapes": [],
    }
    began = time.perf_counter()
    code, output, _ = command(
        [sys.executable, "scripts/land.py", "--start", CLEAN_DAYS[0], "--end", CLEAN_DAYS[1]], lh
    )
    if code:
        raise SystemExit(f"landing the clean days failed:\n{output}")
    _, rows = lh.clean_flights(DAY)
    code, output, seconds = build(lh)
    if code:
        raise SystemExit(f"the clean build failed:\n{output[-4000:]}")
    report["clean_build_s"] = round(seconds, 1)
    clean = clean_rows(lh)
    print(f"clean build {seconds:.1f} s; {len(clean['silver.silver_flights'])} flights", flush=True)

    all_names = {f"flights/flights_{day}.csv" for day in CLEAN_DAYS}
    serial = 1
    for number in range(1, math.ceil(args.files / args.per_build) + 1):
        count = min(args.per_build, args.files - (number - 1) * args.per_build)
        seed = args.seed * 1000 + number
        round_ = run_round(lh, rows, number, count, seed, serial, all_names, clean)
        serial += count
        report["rounds"].append(asdict(round_))
        write(args.out, report, began)
        print(
            f"round {number}: {round_.files} files {round_.verdicts}, build {round_.build_s} s, "
            f"{len(round_.failures)} failures",
            flush=True,
        )
    failures = report["totals"]["failures"]
    print(f"{report['totals']['files']} files, {failures} failures; see {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
