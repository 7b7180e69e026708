"""Build only what changed, reading everything else from production (slim CI).

    python scripts/slim_ci.py --state PROD_TARGET --prod-lake PROD_LAKE --prod-catalog PROD_DB
        [--dev-root dev] [--project-dir .] [-- extra dbt args, e.g. --exclude tag:ml]

PROD_TARGET is a folder holding production's manifest.json (the target folder of the last
production build). The dev area (default ``dev/``) is wiped and gets its own lake, catalog
(``dev.duckdb``) and target; the production lake and catalog are only read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse import slim_ci  # noqa: E402


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state", type=Path, required=True, help="production's target folder")
    parser.add_argument("--prod-lake", required=True, help="production lake root")
    parser.add_argument("--prod-catalog", type=Path, required=True, help="production .duckdb")
    parser.add_argument("--dev-root", type=Path, default=Path("dev"), help="scratch area")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="dbt project")
    parser.add_argument("dbt_args", nargs="*", help="more dbt arguments (after --)")
    return parser.parse_args(argv)


def dbt_env(args: argparse.Namespace, dev: slim_ci.DevArea) -> dict[str, str]:
    """The dbt environment of the dev build: its own lake, catalog and target."""
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(args.project_dir / "profiles"))
    env.update(
        LAKEHOUSE_LAKE_ROOT=str(dev.lake),
        LAKEHOUSE_DUCKDB_PATH=str(dev.catalog),
        DBT_TARGET_PATH=str(dev.target),
        DBT_LOG_PATH=str(dev.root / "logs"),
        **{slim_ci.DEFER_LAKE_ENV: str(Path(args.prod_lake).resolve())},
    )
    return env


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    args.project_dir = args.project_dir.resolve()
    state = args.state.resolve()
    dev = slim_ci.DevArea(args.dev_root.resolve())
    try:
        slim_ci.check_inputs(state, args.prod_lake, args.prod_catalog, dev)
    except slim_ci.SlimCIError as error:
        print(f"slim CI: {error}", file=sys.stderr)
        return 2
    dev.reset()
    env = dbt_env(args, dev)
    dbt = str(Path(sys.executable).parent / "dbt")

    deferred = slim_ci.defer_to_production(dev, args.prod_lake, args.prod_catalog)
    print(f"slim CI: dev catalog reads {len(deferred)} relations from production until rebuilt")
    build = subprocess.run(
        [dbt, *slim_ci.dbt_build_args(state, args.dbt_args)], cwd=args.project_dir, env=env
    )
    executed = slim_ci.executed_nodes(dev.target)
    dev.target.mkdir(parents=True, exist_ok=True)  # dbt may have failed before writing it
    summary = {
        "state": str(state),
        "deferred_relations": deferred,
        "executed": executed,
        "dbt_exit_code": build.returncode,
    }
    (dev.target / "slim_ci.json").write_text(json.dumps(summary, indent=2) + "\n")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(Counter(executed.values()).items()))
    print(f"slim CI: executed {len(executed)} nodes ({counts or 'nothing changed'})")
    print(f"slim CI: details in {dev.target / 'slim_ci.json'}")
    return build.returncode


if __name__ == "__main__":
    raise SystemExit(main())
