"""Slim CI: build only what changed against production, read everything else from production.

dbt's ``--select state:modified+ --defer --state <prod>`` decides *what* to build. On DuckDB
that alone is not enough to read production data: every model is a view in the catalog file
over a Delta table at ``<lake root>/<layer>/<model>``, and a dev build has its own catalog and
its own lake. So before dbt runs, the dev catalog gets a view over the *production* Delta
table for every table the dev lake does not have, and a copy of every production seed (seeds
are plain DuckDB tables in the catalog). Models that dbt rebuilds replace their view with one
over their new dev Delta table; nothing is ever written to the production lake.

The profile attaches each catalog file under the same name (``lakehouse``), so the dev and
production manifests render identical relations and an unchanged project selects nothing.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from lakehouse import duckdb_ext, lake_catalog, storage

#: Makes ``lake_ref_locations`` (Python models log the Delta tables they read) point a ref that
#: dev did not build at the production table the dev view reads.
DEFER_LAKE_ENV = "LAKEHOUSE_DEFER_LAKE_ROOT"


class SlimCIError(RuntimeError):
    """A slim CI run that cannot be honest: missing state, or dev would touch production."""


@dataclass(frozen=True)
class DevArea:
    """The scratch lake, catalog and dbt target of one slim build (all under ``root``)."""

    root: Path

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def catalog(self) -> Path:
        # deliberately not named like production's: the profile's fixed catalog name makes
        # the file name irrelevant to state comparison
        return self.root / "dev.duckdb"

    @property
    def target(self) -> Path:
        return self.root / "target"

    def reset(self) -> None:
        """Start from nothing: a slim build must not read what an earlier dev build left."""
        for path in (self.lake, self.target):
            if path.exists():
                shutil.rmtree(path)
        for path in (self.catalog, self.catalog.with_name(self.catalog.name + ".wal")):
            path.unlink(missing_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)


def check_inputs(state: Path, prod_lake: str, prod_catalog: Path, dev: DevArea) -> None:
    """Refuse a run that could not defer, or whose dev area overlaps production."""
    if not (state / "manifest.json").is_file():
        raise SlimCIError(f"no manifest.json in the production state folder {state}")
    if storage.is_remote(prod_lake):
        raise SlimCIError(f"production lake {prod_lake}: only local lakes can be deferred to")
    prod = Path(prod_lake).resolve()
    if not prod.is_dir():
        raise SlimCIError(f"production lake {prod} does not exist")
    if not prod_catalog.is_file():
        raise SlimCIError(f"production catalog {prod_catalog} does not exist")
    root = dev.root.resolve()
    places = (("lake", prod), ("catalog", prod_catalog.resolve()), ("state", state.resolve()))
    for name, path in places:
        if root == path or root in path.parents or path in root.parents:
            raise SlimCIError(f"dev area {root} overlaps the production {name} {path}")


def defer_to_production(dev: DevArea, prod_lake: str, prod_catalog: Path) -> list[str]:
    """Point the dev catalog at production for everything dev has not built.

    Returns the relations (``schema.name``) that now read production data. Models the slim
    build rebuilds replace their view; a changed seed is re-created by the build
    (``--full-refresh``), so copying every seed is safe even when its columns changed.
    """
    dev_tables = {(layer, model) for layer, model, _ in lake_catalog.delta_tables(str(dev.lake))}
    deferred = []
    con = duckdb_ext.connect(str(dev.catalog))
    try:
        for layer, model, location in lake_catalog.delta_tables(prod_lake):
            if (layer, model) in dev_tables:
                continue
            con.execute(f'create schema if not exists "{layer}"')
            con.execute(
                f'create or replace view "{layer}"."{model}" as '
                f"select * from delta_scan('{storage.duckdb_path(location)}')"
            )
            deferred.append(f"{layer}.{model}")
        con.execute(f"attach '{prod_catalog}' as lake_prod (read_only)")
        seeds = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = 'lake_prod' and not temporary order by all"
        ).fetchall()
        for schema, table in seeds:
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(
                f'create or replace table "{schema}"."{table}" as '
                f'select * from lake_prod."{schema}"."{table}"'
            )
            deferred.append(f"{schema}.{table}")
        con.execute("detach lake_prod")
    finally:
        con.close()
    return deferred


def dbt_build_args(state: Path, extra: list[str]) -> list[str]:
    """Changed nodes and everything downstream; unselected refs resolve to ``state``.

    ``--full-refresh`` changes nothing for models (the dev lake starts empty, so every
    selected model is built in full anyway) and makes a changed seed replace the production
    copy instead of being appended to it.
    """
    return [
        *("build", "--select", "state:modified+", "--defer", "--state", str(state)),
        *("--full-refresh", *extra),
    ]


def executed_nodes(target: Path) -> dict[str, str]:
    """unique_id -> status of every node the last dbt command in ``target`` executed."""
    results = target / "run_results.json"
    if not results.is_file():
        return {}
    return {r["unique_id"]: r["status"] for r in json.loads(results.read_text())["results"]}
