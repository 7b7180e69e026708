"""Run sqlfluff (dbt templater, DuckDB target) over the models, independent of any local lake.

Usage: python scripts/lint_sql.py [PATH ...] [--processes N] [--project-dir DIR]
(default: models of this repository)

The dbt templater compiles every model, and compiling asks the lake questions (is this
incremental model's Delta table there? which landing files are new?). So that the result does
not depend on what happens to be built locally, compilation runs against a throwaway catalog,
an empty lake and an empty landing zone (lakehouse.isolated_dbt): every model is linted as its
full-refresh SQL, the same on a fresh clone as on a developer's machine. The Jinja branches
that only run incrementally are covered by scripts/check_sql.py, which reads the source.
Given a path outside models/ (a macro, .sqlfluff), every model is linted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from lakehouse.isolated_dbt import isolated_env

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["models"], help="files or folders")
    parser.add_argument("--processes", type=int, default=2, help="sqlfluff worker processes")
    parser.add_argument("--project-dir", type=Path, default=REPO, help="dbt project to lint")
    args = parser.parse_args(argv)
    paths = [p for p in args.paths if not p.endswith(".py")]  # pre-commit may pass any model
    if any(not Path(p).as_posix().startswith("models") for p in paths):
        paths = ["models"]  # a macro or the config changed: any model may render differently
    if not paths:
        return 0
    command = [sys.executable, "-m", "sqlfluff", "lint", *paths]
    command += ["--processes", str(args.processes), "--disable-progress-bar"]
    with tempfile.TemporaryDirectory(prefix="lakehouse-lint-") as scratch:
        env = isolated_env(Path(scratch), args.project_dir.resolve())
        return subprocess.run(command, cwd=args.project_dir, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
