"""Modelling conventions on the manifest: the project passes; each rule fails on a violation
planted into a copy of the real manifest, and the command fails on a planted model."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lakehouse import conventions

REPO = Path(__file__).resolve().parents[2]

Manifest = dict[str, Any]
SCRIPT = REPO / "scripts" / "check_conventions.py"


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    """The real project's manifest, from one ``dbt parse`` (no lake needed)."""
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import check_conventions
    finally:
        sys.path.remove(str(SCRIPT.parent))
    with tempfile.TemporaryDirectory() as scratch:
        path = check_conventions.parse_project(REPO, Path(scratch))
        return conventions.load_manifest(path)


def node(manifest: Manifest, name: str) -> dict[str, Any]:
    return manifest["nodes"][f"model.lakehouse.{name}"]


def planted(manifest: Manifest, plant: Callable[[Manifest], None]) -> list[str]:
    """The findings, as text, of a copy of the manifest after ``plant`` changed it."""
    changed = copy.deepcopy(manifest)
    plant(changed)
    return [str(finding) for finding in conventions.check_all(changed)]


def test_project_follows_the_conventions(manifest: Manifest) -> None:
    assert conventions.check_all(manifest) == []
    layers = {conventions.layer_of(model) for model in conventions.models(manifest)}
    assert layers == {"bronze", "silver", "gold", "audit"}


def test_model_without_description(manifest: Manifest) -> None:
    def plant(m: Manifest) -> None:
        node(m, "dim_carriers")["description"] = "  "

    assert planted(manifest, plant) == [
        "models/gold/dim_carriers.sql: model-description: no description"
    ]


def test_column_without_description(manifest: Manifest) -> None:
    def plant(m: Manifest) -> None:
        node(m, "silver_weather")["columns"]["temp"]["description"] = ""

    assert planted(manifest, plant) == [
        "models/silver/silver_weather.sql: column-description: "
        "column temp is declared without a description"
    ]


def test_model_without_any_test(manifest: Manifest) -> None:
    def plant(m: Manifest) -> None:
        target = "model.lakehouse.dim_planes"
        for unique_id, test in list(m["nodes"].items()):
            if test["resource_type"] == "test" and (
                test.get("attached_node") == target or target in test["depends_on"]["nodes"]
            ):
                del m["nodes"][unique_id]
        for unique_id, unit in list(m["unit_tests"].items()):
            if target in unit["depends_on"]["nodes"]:
                del m["unit_tests"][unique_id]

    assert planted(manifest, plant) == [
        "models/gold/dim_planes.sql: model-tests: no data test and no unit test"
    ]


def test_a_unit_test_alone_counts(manifest: Manifest) -> None:
    """A model whose data tests are all removed is still tested by its unit tests."""
    unit_tested = {
        model for unit in manifest["unit_tests"].values() for model in unit["depends_on"]["nodes"]
    }
    target = next(iter(sorted(unit_tested)))

    def plant(m: Manifest) -> None:
        for unique_id, test in list(m["nodes"].items()):
            if test["resource_type"] == "test" and (
                test.get("attached_node") == target or target in test["depends_on"]["nodes"]
            ):
                del m["nodes"][unique_id]

    assert planted(manifest, plant) == []


@pytest.mark.parametrize(
    ("model", "reads", "expected"),
    [
        ("silver_weather", "model.lakehouse.fct_flights", "silver reads gold fct_flights"),
        ("silver_weather", "model.lakehouse.audit_flight_row_status", "silver reads audit"),
        ("silver_weather", "source.lakehouse.landing.weather", "silver reads source weather"),
        ("bronze_weather", "model.lakehouse.bronze_flights", "bronze reads bronze"),
        ("bronze_weather", "seed.lakehouse.airport_timezone_fallbacks", "bronze reads seed"),
        ("fct_flights", "model.lakehouse.bronze_flights", "gold reads bronze bronze_flights"),
        ("fct_flights", "source.lakehouse.landing.flights", "gold reads source flights"),
        ("dim_dates", "model.lakehouse.audit_landing_to_bronze", "gold reads audit"),
    ],
)
def test_reading_backwards_or_across(
    manifest: Manifest, model: str, reads: str, expected: str
) -> None:
    def plant(m: Manifest) -> None:
        node(m, model)["depends_on"]["nodes"].append(reads)

    (finding,) = planted(manifest, plant)
    assert ": layer: " in finding and expected in finding, finding


@pytest.mark.parametrize(
    ("model", "reads"),
    [
        ("audit_flight_reconciliation", "model.lakehouse.fct_flights"),
        ("audit_flight_reconciliation", "source.lakehouse.landing.flights"),
        ("silver_weather", "seed.lakehouse.airport_timezone_fallbacks"),
        ("dim_airports", "seed.lakehouse.airport_timezone_fallbacks"),
        ("agg_delay_by_hour", "model.lakehouse.dim_dates"),
    ],
)
def test_allowed_reads(manifest: Manifest, model: str, reads: str) -> None:
    def plant(m: Manifest) -> None:
        node(m, model)["depends_on"]["nodes"].append(reads)

    assert planted(manifest, plant) == []


def test_model_outside_the_layers(manifest: Manifest) -> None:
    def plant(m: Manifest) -> None:
        model = node(m, "dim_carriers")
        model["fqn"] = ["lakehouse", "dim_carriers"]
        model["original_file_path"] = "models/dim_carriers.sql"

    own, reader = planted(manifest, plant)
    assert own.startswith("models/dim_carriers.sql: layer: not in a layer folder")
    assert reader.startswith(
        "models/gold/agg_ontime_by_carrier_month.sql: layer: "
        "gold reads model outside a layer dim_carriers"
    )


def test_gold_sql_model_without_enforced_contract(manifest: Manifest) -> None:
    def plant(m: Manifest) -> None:
        node(m, "agg_delay_by_hour")["config"]["contract"]["enforced"] = False

    assert planted(manifest, plant) == [
        "models/gold/agg_delay_by_hour.sql: gold-contract: "
        "gold SQL model without an enforced contract"
    ]


def test_gold_python_model_needs_declared_tested_columns(manifest: Manifest) -> None:
    python_models = [
        model
        for model in conventions.models(manifest)
        if conventions.layer_of(model) == "gold" and model["language"] == "python"
    ]
    assert python_models, "the project has gold Python models (ML)"
    name = python_models[0]["name"]

    def no_tests(m: Manifest) -> None:
        for test in m["nodes"].values():
            if test["resource_type"] == "test" and test.get("attached_node", "").endswith(name):
                test["column_name"] = None  # model-level tests only

    (finding,) = planted(manifest, no_tests)
    assert "gold Python model (no contract possible) has no data test" in finding

    def no_columns(m: Manifest) -> None:
        for column in node(m, name)["columns"].values():
            column["description"] = "kept"
        node(m, name)["columns"] = {}

    (finding,) = planted(manifest, no_columns)
    assert "declares no columns in YAML" in finding


def test_command_fails_on_a_planted_model(tmp_path: Path) -> None:
    """End to end: dbt parse of a project copy with a silver model that reads gold, has no
    description and no test; the command names the file and each broken rule."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(REPO / "dbt_project.yml", root / "dbt_project.yml")
    for folder in ("profiles", "macros", "models", "seeds", "tests/data"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "models" / "silver" / "silver_from_gold.sql").write_text(
        "select carrier from {{ ref('dim_carriers') }}\n"
    )
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--project-dir", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "models/silver/silver_from_gold.sql: layer: silver reads gold dim_carriers; "
        "silver may read only bronze, seed, silver",
        "models/silver/silver_from_gold.sql: model-description: no description",
        "models/silver/silver_from_gold.sql: model-tests: no data test and no unit test",
    ]
