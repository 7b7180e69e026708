"""An environment in which dbt parses or compiles the project without touching a local lake.

Lint and the conventions check must give the same answer on a fresh clone and on a machine
with a built lake, and must not wait for the lock a running ``dbt build`` holds on the DuckDB
catalog. So they run dbt against a throwaway catalog, an empty lake and an empty landing zone in
a scratch folder, with the repository's profile and the DuckDB target.
"""

from __future__ import annotations

import os
from pathlib import Path


def isolated_env(
    scratch: Path, project_dir: Path, base: dict[str, str] | None = None
) -> dict[str, str]:
    """``base`` (default: this process's environment) with dbt and the lake pointed at
    ``scratch``: catalog, lake, landing zone, target and log folders all live there; the
    profile is the project's own (``profiles/``)."""
    env = dict(os.environ if base is None else base)
    env.update(
        DBT_PROFILES_DIR=str(project_dir / "profiles"),
        DBT_TARGET_PATH=str(scratch / "target"),
        DBT_LOG_PATH=str(scratch / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        LAKEHOUSE_TARGET="duckdb",
        LAKEHOUSE_LANDING_ROOT=str(scratch / "landing"),
        LAKEHOUSE_LAKE_ROOT=str(scratch / "lake"),
        LAKEHOUSE_DUCKDB_PATH=str(scratch / "lakehouse.duckdb"),
    )
    return env
