"""The modelling conventions, checked on dbt's ``manifest.json`` (from ``dbt parse``).

What sqlfluff cannot see because it spans files: the documentation, the tests and the layering
of the graph. The rules, as the project's graph actually is:

- **Documented**: every model has a description, and so does every column its YAML declares.
- **Tested**: every model has at least one data test (generic or singular) or unit test.
- **Layers** (a model's layer is its folder under ``models/``):

  ====== ===============================================================================
  layer  may read
  ====== ===============================================================================
  bronze sources only (the landing zone): never a model or a seed
  silver bronze, other silver models (silver_flights reads silver_airports' time zones),
         seeds (small reference data: airport_timezone_fallbacks)
  gold   silver, other gold models (marts read fct/dim, ML models read features), seeds
  audit  anything: sources, seeds and every layer (it reconciles them)
  ====== ===============================================================================

  So nothing reads backwards: bronze refs no model, silver reads no gold or audit, gold reads
  no bronze, audit or source. A model outside these four folders breaks the rule too.
- **Gold contracts**: every gold SQL model enforces its contract (names and types of its
  columns are checked at build). dbt refuses a contract on a Python model at parse time
  ("Language Error: Expected 'sql'"), so a gold Python model must instead declare its output
  columns in YAML and carry a data test on at least one of them, which every build runs
  against the table it wrote. That is weaker than a contract (an undeclared extra column is
  not caught) and this check cannot see the table's real schema; it makes sure the model
  has a declared, tested interface at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Manifest = dict[str, Any]

#: What each layer may read: a dependency's kind is "source", "seed" or the model's layer.
LAYER_READS: dict[str, frozenset[str]] = {
    "bronze": frozenset({"source"}),
    "silver": frozenset({"bronze", "silver", "seed"}),
    "gold": frozenset({"silver", "gold", "seed"}),
    "audit": frozenset({"source", "seed", "bronze", "silver", "gold", "audit"}),
}


@dataclass(frozen=True)
class Finding:
    """One broken convention: the model (its file), the rule and what is wrong."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}: {self.message}"


def load_manifest(path: Path) -> Manifest:
    """The parsed manifest.json."""
    return json.loads(path.read_text(encoding="utf-8"))


def models(manifest: Manifest) -> list[dict[str, Any]]:
    """The project's own models (not those of installed packages), by file path."""
    project = manifest["metadata"].get("project_name")
    found = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == project
    ]
    return sorted(found, key=lambda node: node["original_file_path"])


def layer_of(model: dict[str, Any]) -> str | None:
    """The model's layer: its first folder under models/ (fqn is project, folders..., name)."""
    fqn = model["fqn"]
    return fqn[1] if len(fqn) > 2 else None


def check_descriptions(manifest: Manifest) -> Iterator[Finding]:
    for model in models(manifest):
        if not model["description"].strip():
            yield Finding(model["original_file_path"], "model-description", "no description")
        for name, column in model["columns"].items():
            if not column["description"].strip():
                yield Finding(
                    model["original_file_path"],
                    "column-description",
                    f"column {name} is declared without a description",
                )


def tested_models(manifest: Manifest) -> set[str]:
    """Unique ids of the models some data test or unit test tests. A generic test belongs to
    the model it is attached to (a relationships test does not test the model it points to);
    a singular test to every model it reads; a unit test to the model it names."""
    tested: set[str] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        if node.get("attached_node"):
            tested.add(node["attached_node"])
        else:
            tested.update(node["depends_on"]["nodes"])
    for unit_test in manifest.get("unit_tests", {}).values():
        tested.update(unit_test["depends_on"]["nodes"])
    return tested


def check_tests(manifest: Manifest) -> Iterator[Finding]:
    tested = tested_models(manifest)
    for model in models(manifest):
        if model["unique_id"] not in tested:
            yield Finding(
                model["original_file_path"], "model-tests", "no data test and no unit test"
            )


def _dependency_kind(manifest: Manifest, unique_id: str) -> str:
    resource_type = unique_id.split(".", 1)[0]
    if resource_type == "model":
        node = manifest["nodes"].get(unique_id)
        return (layer_of(node) if node else None) or "model outside a layer"
    return resource_type


def check_layers(manifest: Manifest) -> Iterator[Finding]:
    for model in models(manifest):
        layer = layer_of(model)
        if layer not in LAYER_READS:
            yield Finding(
                model["original_file_path"],
                "layer",
                f"not in a layer folder (models/{{{', '.join(LAYER_READS)}}}/)",
            )
            continue
        allowed = LAYER_READS[layer]
        for dependency in model["depends_on"]["nodes"]:
            kind = _dependency_kind(manifest, dependency)
            if kind not in allowed:
                yield Finding(
                    model["original_file_path"],
                    "layer",
                    f"{layer} reads {kind} {dependency.split('.')[-1]}; "
                    f"{layer} may read only {', '.join(sorted(allowed))}",
                )


def check_gold_contracts(manifest: Manifest) -> Iterator[Finding]:
    tested_columns = _tested_columns(manifest)
    for model in models(manifest):
        if layer_of(model) != "gold":
            continue
        path = model["original_file_path"]
        if model["language"] == "sql":
            if not model["config"].get("contract", {}).get("enforced"):
                yield Finding(path, "gold-contract", "gold SQL model without an enforced contract")
        elif not model["columns"]:
            yield Finding(
                path,
                "gold-contract",
                "gold Python model (no contract possible) declares no columns in YAML",
            )
        elif not tested_columns.get(model["unique_id"]):
            yield Finding(
                path,
                "gold-contract",
                "gold Python model (no contract possible) has no data test on a declared column",
            )


def _tested_columns(manifest: Manifest) -> dict[str, set[str]]:
    """Per model, the columns a generic data test is attached to."""
    columns: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if (
            node["resource_type"] == "test"
            and node.get("attached_node")
            and node.get("column_name")
        ):
            columns.setdefault(node["attached_node"], set()).add(node["column_name"])
    return columns


def check_all(manifest: Manifest) -> list[Finding]:
    """Every finding of every convention, by file."""
    checks: Iterable[Iterator[Finding]] = (
        check_descriptions(manifest),
        check_tests(manifest),
        check_layers(manifest),
        check_gold_contracts(manifest),
    )
    found = [finding for check in checks for finding in check]
    return sorted(found, key=lambda finding: (finding.path, finding.rule, finding.message))
