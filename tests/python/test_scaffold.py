"""scripts/scaffold_model.py: a new model and its YAML stub that dbt accepts, nothing clobbered.

Units check the SELECT-list reader and the name rules; one dbt run (parse + ls in a copy of
the project) proves that scaffolded bronze, silver and gold models parse and are listed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lakehouse import scaffold

from .analyst_lake import copy_project
from .conftest import BIN, REPO, Lakehouse, run

SCRIPT = REPO / "scripts" / "scaffold_model.py"


def scaffold_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--project-dir", str(project)],
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("sql", "columns"),
    [
        ("select a, b as bee, cast(c as int) as c from t", ["a", "bee", "c"]),
        (
            "with x as (select * from {{ ref('m') }})\nselect distinct\n    x.carrier,\n"
            "    count(*) as flights\nfrom x\ngroup by x.carrier",
            ["carrier", "flights"],
        ),
        ("select {{ lake_parse('raw_n', 'integer') }} as n, k from {{ ref('m') }}", ["n", "k"]),
    ],
)
def test_select_list_gives_the_output_columns(sql: str, columns: list[str]) -> None:
    assert scaffold.select_list(sql) == columns


def test_select_star_is_refused() -> None:
    with pytest.raises(scaffold.ScaffoldError, match="list the columns"):
        scaffold.select_list("select * from {{ ref('m') }}")


@pytest.mark.parametrize(
    ("layer", "name", "message"),
    [
        ("silver", "../../etc/passwd", "invalid model name"),
        ("silver", "silver_a/b", "invalid model name"),
        ("silver", "Silver_Flights", "invalid model name"),
        ("silver", "silver_x.sql", "invalid model name"),
        ("gold", "gold_flights", "start with dim_ or fct_ or agg_"),
        ("platinum", "platinum_x", "unknown layer"),
        ("silver", "silver_flights", "exists already"),
    ],
)
def test_bad_names_are_refused(layer: str, name: str, message: str) -> None:
    with pytest.raises(scaffold.ScaffoldError, match=message):
        scaffold.validate(layer, name, REPO / "models")


def test_scaffolded_models_parse_and_are_listed(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    models = project / "models"
    sources = models / "bronze" / "_sources.yml"
    doc = yaml.safe_load(sources.read_text())
    doc["sources"][0]["tables"].append(
        {
            "name": "gates",
            "description": "Gate assignments, one CSV per day.",
            "meta": {"landing_glob": "gates/gates_*.csv"},
            "columns": [
                {"name": "gate_id", "description": "Gate code."},
                {"name": "terminal", "description": "Terminal."},
            ],
        }
    )
    sources.write_text(yaml.safe_dump(doc, sort_keys=False))
    draft = tmp_path / "draft.sql"
    draft.write_text(
        "select\n    carrier,\n    count(*) as route_count\n"
        "from {{ ref('agg_ontime_by_route') }}\ngroup by carrier\n"
    )

    steps = [
        ("bronze", "bronze_gates"),
        ("silver", "silver_gates", "--from", "bronze_gates", "--key", "gate_id"),
        ("gold", "agg_carrier_routes", "--sql", str(draft)),
        ("gold", "dim_carrier_names", "--from", "dim_carriers"),
    ]
    for step in steps:
        result = scaffold_cli(project, *step)
        assert result.returncode == 0, result.stderr
        assert (models / step[0] / f"{step[1]}.sql").is_file()
        assert (models / step[0] / f"{step[1]}.yml").is_file()

    silver = yaml.safe_load((models / "silver" / "silver_gates.yml").read_text())["models"][0]
    assert [c["name"] for c in silver["columns"]][:2] == ["gate_id", "terminal"]
    assert silver["columns"][0]["description"] == "Gate code."
    assert silver["columns"][0]["data_tests"] == ["not_null", "unique"]
    gold = yaml.safe_load((models / "gold" / "dim_carrier_names.yml").read_text())["models"][0]
    assert [(c["name"], c["data_type"]) for c in gold["columns"]] == [
        ("carrier", "varchar"),
        ("carrier_name", "varchar"),
    ]

    # a second run refuses and leaves the files as they were
    before = (models / "silver" / "silver_gates.sql").read_text()
    again = scaffold_cli(project, "silver", "silver_gates", "--from", "bronze_gates", "--key", "x")
    assert again.returncode == 2 and "exists already" in again.stderr
    assert (models / "silver" / "silver_gates.sql").read_text() == before

    lh = Lakehouse(root=tmp_path, landing=tmp_path / "landing")
    env = lh.env()
    env["DBT_PROFILES_DIR"] = str(project / "profiles")
    # dbt ls parses the whole project (YAML stubs included) and lists what it found
    names = [step[1] for step in steps]
    listed = run(
        [str(BIN / "dbt"), "ls", "--select", *names, "--output", "name", "--quiet"],
        env,
        cwd=project,
    ).stdout.split()
    assert set(names) <= set(listed)
    assert "unique_silver_gates_gate_id" in listed
    assert "not_null_bronze_gates__source_file" in listed
    assert "bronze_gates_unique_key" in listed
