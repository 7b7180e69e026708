"""Recovery and housekeeping for one lake table: history, restore, compact, vacuum.

    python scripts/lake_admin.py history silver_flights [--limit 10]
    python scripts/lake_admin.py restore silver.silver_flights --version 3
    python scripts/lake_admin.py compact silver_flights
    python scripts/lake_admin.py vacuum silver_flights --retain-hours 168 [--apply]

The lake root comes from ``--lake-root`` or ``LAKEHOUSE_LAKE_ROOT``. VACUUM is a dry run unless
``--apply`` is given, and keeps every version an MLflow run recorded as its training data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse import maintenance  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lake-root", default=os.environ.get("LAKEHOUSE_LAKE_ROOT", "lake"))
    commands = parser.add_subparsers(dest="command", required=True)

    show = commands.add_parser("history", help="the table's commits, newest first")
    show.add_argument("table")
    show.add_argument("--limit", type=int)

    back = commands.add_parser("restore", help="make an earlier version current (a new commit)")
    back.add_argument("table")
    when = back.add_mutually_exclusive_group(required=True)
    when.add_argument("--version", type=int)
    when.add_argument("--timestamp", help="ISO 8601, e.g. 2026-11-29T08:00:00+00:00")

    shrink = commands.add_parser("compact", help="merge small files (no data change)")
    shrink.add_argument("table")
    shrink.add_argument("--target-size", type=int, help="bytes per file (delta-rs default)")

    clean = commands.add_parser("vacuum", help="delete files no retained version needs")
    clean.add_argument("table")
    clean.add_argument("--retain-hours", type=int, default=maintenance.DEFAULT_MIN_RETENTION_HOURS)
    clean.add_argument("--apply", action="store_true", help="delete (default: dry run)")

    args = parser.parse_args(argv)
    try:
        table = maintenance.find_table(args.lake_root, args.table)
        if args.command == "history":
            result: object = maintenance.history(table, args.limit)
        elif args.command == "restore":
            result = maintenance.restore(table, version=args.version, at=args.timestamp)
        elif args.command == "compact":
            result = maintenance.compact(table, args.target_size)
        else:
            maintenance.check_retention(table, args.retain_hours)  # before opening MLflow
            plan = maintenance.vacuum(
                table,
                args.retain_hours,
                dry_run=not args.apply,
                pinned=maintenance.pinned_versions(table),
            )
            result = {
                "dry_run": plan.dry_run,
                "files": plan.files,
                "kept_versions": {str(v): runs for v, runs in plan.kept_versions.items()},
            }
    except maintenance.MaintenanceError as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
