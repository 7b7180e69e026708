"""Run `dbt build` for a cloud target offline, twice, and write what it sent.

Why twice: the first build sees an empty warehouse (every model takes its create path); the
second sees every relation as existing (incremental models take their incremental path:
`insert into` / `merge into` on Databricks). Both recordings together are the SQL a real
first deployment and a real daily run would send. Run it as
`python -m lakehouse.offline.harness --target databricks --out target/offline`.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from lakehouse.offline.recorder import ExistingRelations, Recording, recording_for

TARGET_TYPES = {"databricks": "databricks", "synapse": "synapse"}
# Databricks models are Delta tables; Synapse serverless models are views (or CETAS tables)
EXISTING_TYPE = {"databricks": "table", "synapse": "view"}
# unit tests compare fixture rows with results: a recorder has no results to compare
EXCLUDE = ["resource_type:unit_test"]


def _invoke(args: list[str], manifest: Any = None) -> Any:
    from dbt.cli.main import dbtRunner

    result = dbtRunner(manifest=manifest).invoke(args)
    if result.exception is not None:
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception}")
    return result


def existing_from_manifest(manifest: Any, target: str) -> ExistingRelations:
    """Every model and seed of the manifest as an existing relation, with its documented
    columns (the warehouse's answer to 'describe'); a model's work relation also has its
    delete_flag_column, which the project documents as not stored."""
    existing = ExistingRelations(relation_type=EXISTING_TYPE[target])
    for node in manifest.nodes.values():
        if node.resource_type.value not in ("model", "seed") or not node.config.enabled:
            continue
        if node.config.materialized == "ephemeral":
            continue
        existing.names.setdefault(node.schema.lower(), set()).add(node.alias.lower())
        key = f"{node.schema}.{node.alias}".lower()
        existing.columns[key] = [
            (column.name, column.data_type or "string") for column in node.columns.values()
        ]
        if node.config.get("delete_flag_column"):
            existing.flags[key] = node.config.get("delete_flag_column")
    return existing


def record_build(
    target: str,
    project_dir: Path,
    extra: list[str] | None = None,
    target_path: Path | None = None,
) -> list[dict[str, str]]:
    """Both passes of `dbt build --target <target>` against the recorder: a list of
    {pass, node, kind, sql} in the order sent. dbt's artifacts go to target_path (default
    <project>/target/offline/<target>)."""
    if target not in TARGET_TYPES:
        raise ValueError(f"unknown cloud target {target!r}: one of {sorted(TARGET_TYPES)}")
    patch = recording_for(TARGET_TYPES[target])
    dbt_target = target_path or project_dir / "target" / "offline" / target
    common = [
        "--project-dir",
        str(project_dir),
        "--target",
        target,
        "--target-path",
        str(dbt_target),
    ]
    manifest = _invoke(["parse", *common]).result
    statements: list[dict[str, str]] = []
    for pass_name, existing in (
        ("empty", None),
        ("existing", existing_from_manifest(manifest, target)),
    ):
        recording = Recording()
        with patch(recording, existing):
            result = _invoke(["build", *common, "--exclude", *EXCLUDE, *(extra or [])], manifest)
        failed = [r for r in result.result.results if r.status in ("error", "fail")]
        skipped = [r for r in result.result.results if r.status == "skipped"]
        if failed or skipped:
            details = "\n".join(f"{r.node.unique_id}: {r.status} {r.message}" for r in failed)
            raise RuntimeError(
                f"offline build for {target} ({pass_name} warehouse): {len(failed)} failed,"
                f" {len(skipped)} skipped\n{details}"
            )
        statements.extend(
            {"pass": pass_name, **asdict(statement)} for statement in recording.statements
        )
    return statements


def write_recording(statements: list[dict[str, str]], out_dir: Path, target: str) -> Path:
    """`<target>.json` (for the checks) and `<target>.sql` (for people) in out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{target}.json").write_text(json.dumps(statements, indent=1))
    with open(out_dir / f"{target}.sql", "w") as sql_file:
        for s in statements:
            sql_file.write(f"-- [{s['pass']}] {s['node'] or '(adapter)'} ({s['kind']})\n")
            sql_file.write(s["sql"].strip() + "\n;\n\n")
    return out_dir / f"{target}.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=sorted(TARGET_TYPES), action="append", required=True)
    parser.add_argument("--out", type=Path, default=Path("target/offline"))
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    args = parser.parse_args()
    os.environ.setdefault("DBT_PROFILES_DIR", str(args.project_dir / "profiles"))
    for target in args.target:
        statements = record_build(target, args.project_dir.resolve())
        path = write_recording(statements, args.out, target)
        print(f"{target}: {len(statements)} statements -> {path}")


if __name__ == "__main__":
    main()
