"""Check the project's SQL for the portable-SQL rules sqlfluff cannot express.

Usage: python scripts/check_sql.py [FILE ...]   (no files: every model and model macro)
Prints ``file:line: rule: message`` per violation and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lakehouse import sql_conventions

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="SQL files (default: the project's)")
    parser.add_argument("--root", type=Path, default=ROOT, help="dbt project root")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.files:
        files = [path.resolve() for path in args.files if path.suffix == ".sql"]
    else:
        files = sql_conventions.project_sql_files(root)
    shown_root = root if all(path.is_relative_to(root) for path in files) else None
    violations = sql_conventions.check_files(files, shown_root)
    for violation in violations:
        print(violation)
    print(f"{len(files)} SQL files checked, {len(violations)} violations", file=sys.stderr)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
