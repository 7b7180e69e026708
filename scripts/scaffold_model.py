"""Create a model and its YAML stub: scripts/scaffold_model.py LAYER NAME [--from PARENT].

    scaffold_model.py bronze bronze_gates                    # from source landing.gates
    scaffold_model.py silver silver_gates --from bronze_gates --key gate_id
    scaffold_model.py gold agg_gate_delays --sql draft.sql   # columns from the draft's SELECT

Writes models/<layer>/<name>.sql and models/<layer>/<name>.yml; never overwrites.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse import duckdb_ext, lake_catalog, scaffold, storage  # noqa: E402


def built_types(parent: str | None) -> dict[str, str]:
    """Column types of the parent's Delta table, when it is built in the lake."""
    if not parent:
        return {}
    lake = os.environ.get("LAKEHOUSE_LAKE_ROOT", "lake")
    for _, model, location in lake_catalog.delta_tables(lake):
        if model == parent:
            con = duckdb_ext.connect()
            rows = con.execute(
                f"describe select * from delta_scan('{storage.duckdb_path(location)}')"
            ).fetchall()
            return {name: str(kind).lower() for name, kind, *_ in rows}
    return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("layer", choices=sorted(scaffold.LAYERS))
    parser.add_argument("name", help="model name, e.g. silver_gates")
    parser.add_argument("--from", dest="parent", help="model (or source.table) it reads")
    parser.add_argument("--sql", type=Path, help="a draft SELECT to use as the model")
    parser.add_argument("--key", default="", help="business key column(s), comma separated")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    models = args.project_dir / "models"
    try:
        plan = scaffold.plan(
            args.layer,
            args.name,
            models,
            parent=args.parent,
            draft_sql=args.sql.read_text() if args.sql else None,
            key=[k.strip() for k in args.key.split(",") if k.strip()],
            built_types=built_types(args.parent),
        )
        written = scaffold.write(plan, models)
    except (scaffold.ScaffoldError, OSError) as error:
        print(f"scaffold: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"created {path.relative_to(args.project_dir)}")
    print(f"next: fill in the TODOs, then `dbt build -s {args.name}+` (or make slim-ci)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
