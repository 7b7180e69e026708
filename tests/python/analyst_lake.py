"""A small production lake shared by the analysts' workflow suites (docs site, slim CI).

Two delivery days, everything but the ML models (they need months of data): enough for a
catalog with real column types and for slim builds to defer to. Built once per session,
whichever suite asks first.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from .conftest import NO_ML, REPO, Lakehouse

DAYS = ("2013-01-01", "2013-01-02")

#: Top-level folders of a working copy that are outputs or tools, not the project.
NOT_PROJECT = {".git", ".venv", "target", "logs", "lake", "landing", "dev", ".duckdb", "mlruns"}

_production: list[Lakehouse] = []


def production_lake(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    """The session's production lake: landed, built (no ML), its manifest in ``target/``."""
    if not _production:
        lh = make_lakehouse("production")
        lh.land(*DAYS)
        lh.dbt("build", *NO_ML)
        _production.append(lh)
    return _production[0]


def copy_project(dest: Path) -> Path:
    """A copy of the dbt project to change freely (sources, models, macros, seeds, scripts)."""

    def ignore(folder: str, names: list[str]) -> list[str]:
        top = Path(folder).resolve() == REPO
        return [
            n
            for n in names
            if (top and n in NOT_PROJECT) or n == "__pycache__" or n.endswith(".duckdb")
        ]

    shutil.copytree(REPO, dest, ignore=ignore)
    return dest
