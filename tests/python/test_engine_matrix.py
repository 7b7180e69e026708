"""The README's engine capability matrix, kept true: each claim a cloud column makes about
what a target sends is checked against that target's offline recording
(lakehouse.offline.harness), so a change of the SQL or of the README that breaks a claim
fails here, naming the row and the engine."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from lakehouse.offline.harness import record_build

from .test_offline_engines import ROOT, _env

Check = Callable[[list[dict]], bool]


def matrix() -> dict[str, dict[str, str]]:
    """The capability matrix of README.md: row name -> engine -> cell text."""
    lines = (ROOT / "README.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Engine capability matrix"))
    table = []
    for line in lines[start + 1 :]:
        if table and not line.startswith("|"):
            break
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip("|").split("|")])
    header, rows = table[0], table[2:]
    engines = [name.split(" ")[0] for name in header[1:]]  # DuckDB, Databricks, Synapse
    return {row[0]: dict(zip(engines, row[1:], strict=True)) for row in rows}


def _sql(statements: list[dict], node: str, pass_name: str | None = None) -> str:
    return "\n".join(
        s["sql"]
        for s in statements
        if s["node"] == f"model.lakehouse.{node}" or s["node"] == f"seed.lakehouse.{node}"
        if pass_name is None or s["pass"] == pass_name
    ).lower()


def _has(node: str, *patterns: str, pass_name: str | None = None) -> Check:
    return lambda st: all(re.search(p, _sql(st, node, pass_name)) for p in patterns)


def _lacks(node: str, pattern: str) -> Check:
    return lambda st: re.search(pattern, _sql(st, node)) is None


def _python_submitted(node: str) -> Check:
    return lambda st: any(
        s["node"] == f"model.lakehouse.{node}" and s["kind"] == "python" for s in st
    )


def _no_statement(node: str) -> Check:
    return lambda st: all(s["node"] != f"model.lakehouse.{node}" for s in st)


def _flag_never_stored(node: str, flag: str) -> Check:
    """The first build leaves the flag out of the table; the merge neither updates nor
    inserts it."""

    def check(st: list[dict]) -> bool:
        created = _sql(st, node, "empty")
        merged = _sql(st, node, "existing")
        inserted = re.search(r"then insert \(([^)]*)\)", merged)
        updated = re.search(r"then update set(.*?)when not matched", merged, re.S)
        return (
            f"select * except (`{flag}`)" in created
            and inserted is not None
            and updated is not None
            and flag not in inserted.group(1)
            and f"`{flag}` =" not in updated.group(1)
        )

    return check


#: (row, engine, phrase the cell must contain, check of that phrase against the recording)
VIEW = r"create (or alter )?view"
BRONZE_SYNAPSE = [VIEW, r"openrowset\(\s*bulk", r"format = ''csv''", r"header_row = true"]
MERGE_KEYED = [r"merge\s+into", r"dbt_internal_source\.`time_hour` <=>"]

#: (row, engine, phrase the cell must contain, check of that phrase against the recording)
CLAIMS: list[tuple[str, str, str, Check]] = [
    ("bronze", "Databricks", "`insert into` from `read_files(...)`",
     _has("bronze_flights", r"insert into", r"read_files\(", pass_name="existing")),
    ("bronze", "Databricks", "`_metadata.file_path` lineage",
     _has("bronze_flights", r"_metadata\.file_path")),
    ("bronze", "Databricks", "`_rescued_data`",
     _has("bronze_flights", r"rescueddatacolumn => '_rescued_data'")),
    ("bronze", "Synapse", "a view over `OPENROWSET(BULK ..., FORMAT='CSV', HEADER_ROW=TRUE)`",
     _has("bronze_flights", *BRONZE_SYNAPSE)),
    ("bronze", "Synapse", "`filepath()` lineage", _has("bronze_flights", r"filepath\(\)")),
    ("`table`", "Databricks", "`create or replace table ... using delta`",
     _has("dim_carriers", r"create or replace table", r"using delta")),
    ("`table`", "Databricks", "an external table at `<lake root>/<layer>/<table>`",
     _has("dim_carriers", r"location '[^']+/gold/dim_carriers'")),
    ("`table`", "Synapse", "view", _has("dim_carriers", VIEW)),
    ("incremental `append`", "Databricks", "`insert into` Delta",
     _has("bronze_weather", r"insert into", pass_name="existing")),
    ("incremental `append`", "Synapse", "view over the full SELECT", _has("bronze_weather", VIEW)),
    ("incremental `merge`", "Databricks", "`merge into` with the `unique_key`",
     _has("silver_flights", *MERGE_KEYED, pass_name="existing")),
    ("incremental `merge`", "Databricks", "`when matched and <flag> then delete`",
     _has("silver_flights", r"when matched and coalesce\(dbt_internal_source\.`_is_deleted`,"
          r" false\) then delete", pass_name="existing")),
    ("incremental `merge`", "Databricks", "the flag is never stored",
     _flag_never_stored("silver_flights", "_is_deleted")),
    ("incremental `merge`", "Synapse", "view", _has("silver_flights", VIEW)),
    ("incremental `merge`", "Synapse", "merge-on-read", _lacks("silver_flights", r"merge\s+into")),
    ("incremental `insert_overwrite`", "Databricks", "`insert into table ... replace on`",
     _has("fct_flights", r"insert into table", r"replace on \(t\.`_partition_month` <=>",
          pass_name="existing")),
    ("incremental `insert_overwrite`", "Synapse", "view", _has("fct_flights", VIEW)),
    ("seeds", "Databricks", "Delta table", _has("airport_timezone_fallbacks", r"using delta")),
    ("seeds", "Databricks", "`<lake root>/reference/<seed>`",
     _has("airport_timezone_fallbacks", r"location '[^']+/reference/airport_timezone_fallbacks'")),
    ("seeds", "Synapse", "view over inline `VALUES`",
     _has("airport_timezone_fallbacks", VIEW, r"values")),
    ("Python models", "Databricks", "submitted as Python jobs", _python_submitted("ml_train")),
    ("Python models", "Databricks", "`dbt.lake_location()` names the lake folders",
     _has("ml_train", r'_lake_locations = \{[^\n]*"ml_training_set": "[^"]+/gold/ml_training_set"',
          r'\.option\("path", "[^"]+/gold/ml_train"\)')),
    ("Python models", "Synapse", "skipped", _no_statement("ml_train")),
    ("grants", "Databricks", "`grant select` on gold", _has("dim_carriers", r"grant select on")),
    ("grants", "Synapse", "`grant select` on gold", _has("dim_carriers", r"grant select on")),
    ("statements allowed", "Synapse", "no CREATE TABLE",
     _lacks("dim_carriers", r"create\s+table")),
]  # fmt: skip


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> dict[str, list[dict]]:
    _env(tmp_path_factory.mktemp("matrix"))
    return {engine: record_build(engine.lower(), ROOT) for engine in ("Databricks", "Synapse")}


def test_the_matrix_has_the_rows_the_claims_check():
    rows = matrix()
    assert {"bronze", "`table`", "incremental `merge`", "Python models", "grants"} <= set(rows)
    for row in rows.values():
        assert set(row) == {"DuckDB", "Databricks", "Synapse"}


@pytest.mark.parametrize(
    "row, engine, phrase, check", CLAIMS, ids=[f"{c[0]}-{c[1]}-{c[2][:30]}" for c in CLAIMS]
)
def test_each_claim_holds_in_the_recording(recordings, row, engine, phrase, check):
    cell = matrix()[row][engine]
    assert phrase in cell, f"README matrix, {row} / {engine}: {cell!r} no longer says {phrase!r}"
    assert check(recordings[engine]), f"{row} / {engine}: the recording contradicts {phrase!r}"


def test_every_cloud_cell_of_the_checked_rows_has_a_claim():
    checked = {(row, engine) for row, engine, _, _ in CLAIMS}
    for row in (
        "bronze",
        "`table`",
        "incremental `append`",
        "incremental `merge`",
        "incremental `insert_overwrite`",
        "seeds",
    ):
        for engine in ("Databricks", "Synapse"):
            assert (row, engine) in checked, (row, engine)
