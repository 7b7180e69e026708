"""Run sqlfluff (dbt templater, DuckDB target) over the models, independent of any local lake.

Usage: python scripts/lint_sql.py [PATH ...] [--processes N]   (default: models)

The dbt templater compiles every model, and compiling asks the lake questions (is this
incremental model's Delta table there? which landing files are new?). So that the result does
not depend on what happens to be built locally, and so that lint never waits for the lock of a
running build's DuckDB file, compilation runs against a throwaway catalog, an empty lake and an
empty landing zone: every model is linted as its full-refresh SQL, the same on a fresh clone
as on a developer's machine. The incremental-only Jinja branches are covered by
scripts/check_sql.py, which reads the source as written.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_env(scratch: Path) -> dict[str, str]:
    """The environment for one lint: the repo's profile, everything else in ``scratch``."""
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(ROOT / "profiles"),
        DBT_TARGET_PATH=str(scratch / "target"),
        DBT_LOG_PATH=str(scratch / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        LAKEHOUSE_TARGET="duckdb",
        LAKEHOUSE_LANDING_ROOT=str(scratch / "landing"),
        LAKEHOUSE_LAKE_ROOT=str(scratch / "lake"),
        LAKEHOUSE_DUCKDB_PATH=str(scratch / "lint.duckdb"),
    )
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["models"], help="files or folders")
    parser.add_argument("--processes", type=int, default=2, help="sqlfluff worker processes")
    parser.add_argument("--project-dir", type=Path, default=ROOT, help="dbt project to lint")
    args = parser.parse_args(argv)
    paths = [p for p in args.paths if not p.endswith(".py")]  # pre-commit passes any file
    if not paths:
        return 0
    with tempfile.TemporaryDirectory(prefix="lakehouse-lint-") as scratch:
        command = [
            sys.executable,
            "-m",
            "sqlfluff",
            "lint",
            *paths,
            "--processes",
            str(args.processes),
            "--disable-progress-bar",
        ]
        return subprocess.run(command, cwd=args.project_dir, env=lint_env(Path(scratch))).returncode


if __name__ == "__main__":
    sys.exit(main())
