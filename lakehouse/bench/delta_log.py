"""Which Delta files a step rewrote, read from the tables' transaction logs.

Each commit ``_delta_log/<version>.json`` lists ``add`` and ``remove`` actions, one per data
file (with its size), so the commits a step made say exactly how much of each table it wrote
and replaced: the measure of whether an incremental run touched only what was new.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class TableChanges:
    """add/remove actions (files and bytes) over the commits of one table in one step."""

    commits: int = 0
    files_added: int = 0
    files_removed: int = 0
    bytes_added: int = 0
    bytes_removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _commit_files(table: Path) -> dict[int, Path]:
    return {int(p.stem): p for p in (table / "_delta_log").glob("*.json") if p.stem.isdigit()}


def tables(lake_root: Path) -> list[Path]:
    """Every ``<layer>/<table>`` folder of the lake that has a transaction log."""
    return sorted(p.parent for p in Path(lake_root).glob("*/*/_delta_log"))


def latest_versions(lake_root: Path) -> dict[str, int]:
    """``layer/table`` -> latest committed version (tables without commits are left out)."""
    versions = {}
    for table in tables(lake_root):
        commits = _commit_files(table)
        if commits:
            versions[f"{table.parent.name}/{table.name}"] = max(commits)
    return versions


def changes_since(lake_root: Path, before: dict[str, int]) -> dict[str, TableChanges]:
    """Actions of the commits made after ``before`` (from ``latest_versions``), per table."""
    result: dict[str, TableChanges] = {}
    for table in tables(lake_root):
        name = f"{table.parent.name}/{table.name}"
        newer = sorted((v, p) for v, p in _commit_files(table).items() if v > before.get(name, -1))
        if not newer:
            continue
        changes = result.setdefault(name, TableChanges())
        for _, path in newer:
            changes.commits += 1
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    action = json.loads(line)
                    if "add" in action:
                        changes.files_added += 1
                        changes.bytes_added += int(action["add"].get("size") or 0)
                    elif "remove" in action:
                        changes.files_removed += 1
                        changes.bytes_removed += int(action["remove"].get("size") or 0)
    return result
