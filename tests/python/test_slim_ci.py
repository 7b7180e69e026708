"""Slim CI (scripts/slim_ci.py): only what changed is built, the rest is read from production.

A production lake is built from the repository; each test changes one thing in a copy of the
project (a silver model, a macro, a seed, or nothing) and runs the slim build into its own dev
area, whose catalog file is named differently from production's. The nodes dbt executed
(run_results.json) must be exactly the changed nodes and their descendants, computed here
from the manifest's child map; the dev lake must hold only those tables, and their rows must
come from production's tables.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from lakehouse import duckdb_ext, storage

from .analyst_lake import copy_project, production_lake
from .conftest import NO_ML, Lakehouse, run


@dataclass
class SlimRun:
    project: Path
    dev: Path
    manifest: dict
    executed: dict[str, str]
    summary: dict
    output: str

    @property
    def lake(self) -> Path:
        return self.dev / "lake"

    def dev_tables(self) -> set[str]:
        return {f"{p.parent.name}.{p.name}" for p in self.lake.glob("*/*") if p.is_dir()}


@pytest.fixture(scope="module")
def prod(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    return production_lake(make_lakehouse)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def slim_build(prod: Lakehouse, project: Path) -> SlimRun:
    dev = project.parent / "dev"
    env = prod.env()
    env["DBT_PROFILES_DIR"] = str(project / "profiles")
    command = [
        sys.executable,
        *("scripts/slim_ci.py", "--state", str(prod.root / "target")),
        *("--prod-lake", str(prod.lake), "--prod-catalog", str(prod.catalog)),
        *("--dev-root", str(dev), "--", *NO_ML),
    ]
    result = run(command, env, cwd=project)
    target = dev / "target"
    results = target / "run_results.json"
    return SlimRun(
        project=project,
        dev=dev,
        manifest=json.loads((target / "manifest.json").read_text()),
        executed={
            r["unique_id"]: r["status"]
            for r in (json.loads(results.read_text())["results"] if results.exists() else [])
        },
        summary=json.loads((target / "slim_ci.json").read_text()),
        output=result.stdout,
    )


def expected_nodes(manifest: dict, changed: set[str]) -> set[str]:
    """The changed nodes and every descendant (child map: models, seeds, data and unit tests,
    exposures, which dbt reports as no-op), less what --exclude tag:ml drops."""
    seen: set[str] = set()
    todo = list(changed)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(manifest["child_map"].get(node, []))
    everything = {**manifest["nodes"], **manifest["unit_tests"], **manifest["exposures"]}
    ml = {n for n, node in manifest["nodes"].items() if "ml" in node.get("tags", [])}

    def excluded(unique_id: str) -> bool:
        # --exclude tag:ml drops the ML models and the tests on them; exposures carry no
        # tags, so one downstream of the ML models stays (as a no-op)
        if unique_id in ml:
            return True
        parents = set(everything[unique_id].get("depends_on", {}).get("nodes", []))
        return unique_id.startswith(("test.", "unit_test.")) and bool(ml & parents)

    return {n for n in seen if n in everything and not excluded(n)}


def macro_dependents(manifest: dict, macro: str) -> set[str]:
    """Nodes that call ``macro`` directly or through other project macros."""
    callers = {macro}
    grew = True
    while grew:
        more = {
            m
            for m, node in manifest["macros"].items()
            if callers & set(node["depends_on"]["macros"]) and m not in callers
        }
        callers |= more
        grew = bool(more)
    return {
        n for n, node in manifest["nodes"].items() if callers & set(node["depends_on"]["macros"])
    }


def rows(location: Path, exclude: tuple[str, ...] = ()) -> list[tuple]:
    con = duckdb_ext.connect()
    path = storage.duckdb_path(str(location))
    columns = [
        c[0]
        for c in con.execute(f"describe select * from delta_scan('{path}')").fetchall()
        if c[0] not in exclude
    ]
    select = ", ".join(f'"{c}"' for c in columns)
    return sorted(con.execute(f"select {select} from delta_scan('{path}')").fetchall(), key=repr)


def assert_all_passed(slim: SlimRun) -> None:
    failed = {
        n: s
        for n, s in slim.executed.items()
        # warn: tests configured with severity warn (they warn in production too)
        if s not in ("pass", "success", "warn") and not (n.startswith("exposure.") and s == "no-op")
    }
    assert not failed, f"{failed}\n{slim.output[-3000:]}"


def test_unchanged_project_with_another_catalog_file_selects_nothing(
    prod: Lakehouse, project: Path
) -> None:
    slim = slim_build(prod, project)
    assert prod.catalog.name != "dev.duckdb" and (slim.dev / "dev.duckdb").exists()
    assert slim.executed == {}
    prod_manifest = json.loads((prod.root / "target" / "manifest.json").read_text())
    for unique_id, source in slim.manifest["sources"].items():
        assert source["database"] == prod_manifest["sources"][unique_id]["database"] == "lakehouse"


def test_changed_silver_model_builds_it_and_its_descendants_reading_production(
    prod: Lakehouse, project: Path
) -> None:
    model = project / "models" / "silver" / "silver_airlines.sql"
    model.write_text(model.read_text() + "-- reviewed: carrier names as delivered\n")
    slim = slim_build(prod, project)

    changed = "model.lakehouse.silver_airlines"
    assert set(slim.executed) == expected_nodes(slim.manifest, {changed})
    assert_all_passed(slim)
    built = {n.split(".")[-1] for n in slim.executed if n.startswith("model.")}
    # silver_flights quarantines carriers missing from the airline list, so the flights
    # models and audits are descendants of silver_airlines too
    flights = {
        "silver.silver_flights",
        "silver.silver_flights_quarantine",
        "gold.fct_flights",
        "gold.dim_dates",
        "gold.agg_ontime_by_route",
        "gold.agg_delay_by_weather",
        "gold.agg_delay_by_hour",
        "audit.audit_flight_reconciliation",
        "audit.audit_flight_row_status",
        "audit.audit_flight_month_counts",
    }
    airlines = {"silver.silver_airlines", "gold.dim_carriers", "gold.agg_ontime_by_carrier_month"}
    assert built == {table.split(".")[1] for table in airlines | flights}
    assert slim.dev_tables() == airlines | flights

    # bronze_airlines was not rebuilt in dev, yet dev's silver_airlines holds production's
    # rows, bronze lineage (_batch_id of production's bronze load) included
    assert not (slim.lake / "bronze").exists()
    dev_rows = rows(slim.lake / "silver" / "silver_airlines")
    assert dev_rows and dev_rows == rows(prod.lake / "silver" / "silver_airlines")
    # the aggregate was rebuilt in dev from production's bronze (deferred, not rebuilt)
    agg = "gold/agg_ontime_by_carrier_month"
    assert rows(slim.lake / agg) == rows(prod.lake / agg)
    con = duckdb_ext.connect(str(slim.dev / "dev.duckdb"), read_only=True)
    view = con.execute(
        "select sql from duckdb_views() where schema_name = 'bronze' "
        "and view_name = 'bronze_airlines'"
    ).fetchone()[0]
    assert str(prod.lake / "bronze" / "bronze_airlines") in view


def test_changed_macro_builds_its_callers_and_their_descendants(
    prod: Lakehouse, project: Path
) -> None:
    macros = project / "macros" / "silver" / "entities.sql"
    text = macros.read_text()
    start = "{% macro silver_airlines_checked() %}"
    assert start in text
    macros.write_text(text.replace(start, start + "\n    {#- reviewed -#}"))
    slim = slim_build(prod, project)

    callers = macro_dependents(slim.manifest, "macro.lakehouse.silver_airlines_checked")
    assert callers == {
        "model.lakehouse.silver_airlines",
        "model.lakehouse.silver_airlines_quarantine",
    }
    assert set(slim.executed) == expected_nodes(slim.manifest, callers)
    assert_all_passed(slim)
    assert not (slim.lake / "bronze").exists()


def test_changed_seed_is_reseeded_and_its_descendants_rebuilt(
    prod: Lakehouse, project: Path
) -> None:
    seed = project / "seeds" / "airport_timezone_fallbacks.csv"
    seed.write_text(seed.read_text().replace("(St. Thomas)", "(Charlotte Amalie on St. Thomas)"))
    slim = slim_build(prod, project)

    changed = "seed.lakehouse.airport_timezone_fallbacks"
    assert set(slim.executed) == expected_nodes(slim.manifest, {changed})
    assert_all_passed(slim)
    assert not (slim.lake / "bronze").exists()
    con = duckdb_ext.connect(str(slim.dev / "dev.duckdb"), read_only=True)
    note = "select note from reference.airport_timezone_fallbacks where faa = 'STT'"
    assert "Charlotte Amalie" in con.execute(note).fetchone()[0]
    prod_con = duckdb_ext.connect(str(prod.catalog), read_only=True)
    assert "Charlotte Amalie" not in prod_con.execute(note).fetchone()[0]
    assert rows(slim.lake / "silver" / "silver_flights") == rows(
        prod.lake / "silver" / "silver_flights"
    )


def test_slim_ci_refuses_a_dev_area_inside_production(prod: Lakehouse, project: Path) -> None:
    command = [
        sys.executable,
        *("scripts/slim_ci.py", "--state", str(prod.root / "target")),
        *("--prod-lake", str(prod.lake), "--prod-catalog", str(prod.catalog)),
        *("--dev-root", str(prod.lake / "dev")),
    ]
    result = subprocess.run(command, cwd=project, env=prod.env(), capture_output=True, text=True)
    assert result.returncode == 2
    assert "overlaps the production lake" in result.stderr
    assert not (prod.lake / "dev").exists()
