"""The Delta materializations on DuckDB, strategy by strategy, in a small throwaway dbt project.

The project reuses the real macros folder, so these tests exercise exactly the code the
lakehouse models use: append, merge with a delete flag, insert_overwrite of partitions, full
table rewrites that skip unchanged data, on_schema_change, --full-refresh.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

import pytest
from deltalake import DeltaTable

from .conftest import BIN, REPO, Lakehouse, run

MODELS = {
    "m_append.sql": """
{{ config(materialized='incremental', incremental_strategy='append') }}
select {{ var('batch', 1) }} as batch, i as id from range(3) as t(i)
""",
    "m_merge.sql": """
{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id',
          delete_flag_column='_del') }}
{% if var('batch', 1) == 1 %}
select * from (values (1, 'a', false), (2, 'b', false), (3, 'c', false)) as t(id, v, _del)
{% else %}
select * from (values (2, 'B', false), (3, 'c', true), (4, 'd', false), (5, 'e', true))
    as t(id, v, _del)
{% endif %}
""",
    "m_partitions.sql": """
{{ config(materialized='incremental', incremental_strategy='insert_overwrite',
          partition_by=['part']) }}
{% if var('batch', 1) == 1 %}
select * from (values ('a', 1), ('a', 2), ('b', 3)) as t(part, v)
{% else %}
select * from (values ('b', 30), ('b', 31)) as t(part, v)
{% endif %}
""",
    "m_merge_by_month.sql": """
{{ config(materialized='incremental', incremental_strategy='merge', unique_key=['month', 'id'],
          partition_by=['month']) }}
{% if var('batch', 1) == 1 %}
select * from (values (date '2013-01-01', 1, 'a'), (date '2013-02-01', 2, 'b'))
    as t(month, id, v)
{% else %}
select * from (values (date '2013-02-01', 2, 'B'), (date '2013-02-01', 3, 'c')) as t(month, id, v)
{% endif %}
""",
    "m_append_small.sql": """
{{ config(materialized='incremental', incremental_strategy='append', tags=['compaction']) }}
select {{ var('batch', 1) }} as batch, i as id from range(2) as t(i)
""",
    "m_table.sql": """
{{ config(materialized='table') }}
select {{ var('value', 1) }} as value, timestamp '2013-01-01 10:00:00' as naive_ts
""",
    "m_schema_fail.sql": """
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}
select 1 as id{% if var('batch', 1) > 1 %}, 'x' as extra{% endif %}
""",
    "m_schema_append.sql": """
{{ config(materialized='incremental', incremental_strategy='append',
          on_schema_change='append_new_columns') }}
select {{ var('batch', 1) }} as id{% if var('batch', 1) > 1 %}, 'x' as extra{% endif %}
""",
    "m_widen_empty.sql": """
{{ config(materialized='incremental', incremental_strategy='append',
          on_schema_change='append_new_columns') }}
select 1 as id{% if var('batch', 1) > 1 %}, 'x' as extra{% endif %}
{% if var('batch', 1) > 1 %}where false{% endif %}
""",
    "m_python.py": """
import pandas as pd


def model(dbt, session):
    dbt.config(materialized="table")
    upstream = dbt.ref("m_table").df()
    return pd.DataFrame(
        {"value": upstream["value"] * 10, "upstream_location": dbt.lake_location("m_table")}
    )
""",
    "m_python_incremental.py": """
import pandas as pd


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="append")
    seen = 0
    if dbt.is_incremental:
        seen = session.sql(f"select count(*) from {dbt.this}").fetchone()[0]
    return pd.DataFrame({"seen_before": [seen], "incremental": [dbt.is_incremental]})
""",
    "m_escape.sql": """
{{ config(materialized='table', alias='../../outside', tags=['bad']) }}
select 1 as id
""",
    "m_bad_strategy.sql": """
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='id',
          tags=['bad']) }}
select 1 as id
""",
}


@pytest.fixture(scope="module")
def project(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lh = make_lakehouse("materializations")
    shutil.copytree(REPO / "macros", lh.root / "macros")
    (lh.root / "models").mkdir()
    for name, sql in MODELS.items():
        (lh.root / "models" / name).write_text(sql)
    (lh.root / "dbt_project.yml").write_text(
        "name: lakehouse\nversion: '1.0'\nconfig-version: 2\nprofile: lakehouse\n"
        "models:\n  lakehouse:\n    +file_format: delta\n    +schema: demo\n"
    )
    return lh


def dbt(lh: Lakehouse, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run([str(BIN / "dbt"), *args, "--project-dir", str(lh.root)], lh.env(), check=check)


def rows(lh: Lakehouse, model: str, order: str) -> list[dict]:
    table = DeltaTable(str(lh.lake / "demo" / model)).to_pyarrow_table()
    return sorted(table.to_pylist(), key=lambda r: tuple(r[c] for c in order.split(",")))


def version(lh: Lakehouse, model: str) -> int:
    return DeltaTable(str(lh.lake / "demo" / model)).version()


@pytest.fixture(scope="module")
def two_batches(project: Lakehouse) -> Lakehouse:
    dbt(project, "run", "--exclude", "tag:bad", "tag:compaction")
    dbt(
        project,
        "run",
        "--exclude",
        "tag:bad",
        "tag:compaction",
        "m_schema_fail",
        "--vars",
        "{batch: 2}",
    )
    return project


def test_append_adds_rows(two_batches: Lakehouse) -> None:
    got = rows(two_batches, "m_append", "batch,id")
    assert [(r["batch"], r["id"]) for r in got] == [(b, i) for b in (1, 2) for i in range(3)]


def test_merge_updates_inserts_and_deletes(two_batches: Lakehouse) -> None:
    got = rows(two_batches, "m_merge", "id")
    assert [(r["id"], r["v"]) for r in got] == [(1, "a"), (2, "B"), (4, "d")]
    assert "_del" not in got[0], "the delete flag is a control column, not data"
    metrics = DeltaTable(str(two_batches.lake / "demo/m_merge")).history()[0]["operationMetrics"]
    assert (metrics["num_target_rows_updated"], metrics["num_target_rows_deleted"]) == (1, 1)


def test_insert_overwrite_replaces_only_new_partitions(two_batches: Lakehouse) -> None:
    got = rows(two_batches, "m_partitions", "part,v")
    assert [(r["part"], r["v"]) for r in got] == [("a", 1), ("a", 2), ("b", 30), ("b", 31)]
    assert DeltaTable(str(two_batches.lake / "demo/m_partitions")).metadata().partition_columns == [
        "part"
    ]


def test_merge_rewrites_only_the_partitions_of_its_rows(two_batches: Lakehouse) -> None:
    """The partition column is in the key, so a batch of February rows cannot match January's:
    the merge leaves January's file as it was and rewrites February's."""
    got = rows(two_batches, "m_merge_by_month", "id")
    assert [(r["id"], r["v"]) for r in got] == [(1, "a"), (2, "B"), (3, "c")]
    path = str(two_batches.lake / "demo/m_merge_by_month")
    table = DeltaTable(path)
    before = set(DeltaTable(path, version=table.version() - 1).file_uris())
    after = set(table.file_uris())
    assert {f for f in before if "month=2013-01-01" in f} == {
        f for f in after if "month=2013-01-01" in f
    }
    assert all("month=2013-02-01" in f for f in before - after)
    assert all("month=2013-02-01" in f for f in after - before) and after - before
    metrics = table.history()[0]["operationMetrics"]
    assert metrics["num_target_files_skipped_during_scan"] == 1


def test_small_files_are_compacted_once_a_partition_has_enough(project: Lakehouse) -> None:
    """Every batch appends a small file; the third one reaches the threshold (3 here) and the
    writer compacts them into one, keeping every row."""
    env = {**project.env(), "LAKEHOUSE_COMPACT_MIN_FILES": "3"}
    path = str(project.lake / "demo/m_append_small")
    for batch in (1, 2, 3):
        run(
            [
                str(BIN / "dbt"),
                "run",
                "-s",
                "m_append_small",
                "--vars",
                f"{{batch: {batch}}}",
                "--project-dir",
                str(project.root),
            ],
            env,
        )
        files = len(DeltaTable(path).file_uris())
        assert files == (batch if batch < 3 else 1), (batch, files)
    table = DeltaTable(path)
    assert table.history()[0]["operation"] == "OPTIMIZE"
    got = sorted((r["batch"], r["id"]) for r in table.to_pyarrow_table().to_pylist())
    assert got == [(b, i) for b in (1, 2, 3) for i in range(2)]


def test_append_new_columns_widens_the_table(two_batches: Lakehouse) -> None:
    got = rows(two_batches, "m_schema_append", "id")
    assert got == [{"id": 1, "extra": None}, {"id": 2, "extra": "x"}]


def test_new_columns_reach_the_table_even_without_new_rows(two_batches: Lakehouse) -> None:
    table = DeltaTable(str(two_batches.lake / "demo/m_widen_empty"))
    assert [f.name for f in table.schema().fields] == ["id", "extra"]
    assert table.history()[0]["operation"] == "ADD COLUMN"
    assert rows(two_batches, "m_widen_empty", "id") == [{"id": 1, "extra": None}]


def test_schema_change_fails_clearly_when_asked_to(two_batches: Lakehouse) -> None:
    before = version(two_batches, "m_schema_fail")
    result = dbt(two_batches, "run", "-s", "m_schema_fail", "--vars", "{batch: 2}", check=False)
    assert result.returncode != 0
    assert "on_schema_change is 'fail'" in result.stdout
    assert "extra" in result.stdout
    assert version(two_batches, "m_schema_fail") == before


def test_table_rewrite_is_skipped_when_data_is_unchanged(two_batches: Lakehouse) -> None:
    before = version(two_batches, "m_table")
    dbt(two_batches, "run", "-s", "m_table")
    assert version(two_batches, "m_table") == before
    dbt(two_batches, "run", "-s", "m_table", "--vars", "{value: 2}")
    assert version(two_batches, "m_table") == before + 1
    assert rows(two_batches, "m_table", "value")[0]["value"] == 2


def test_naive_timestamps_are_stored_as_utc_at_protocol_1(two_batches: Lakehouse) -> None:
    table = DeltaTable(str(two_batches.lake / "demo/m_table"))
    assert table.protocol().min_reader_version == 1
    assert table.protocol().min_writer_version == 2
    field = next(f for f in table.schema().fields if f.name == "naive_ts")
    assert str(field.type.type) == "timestamp"  # Delta 'timestamp' is UTC-adjusted, not _ntz


def test_full_refresh_rebuilds_from_the_model_alone(two_batches: Lakehouse) -> None:
    dbt(two_batches, "run", "-s", "m_merge", "--full-refresh", "--vars", "{batch: 2}")
    got = rows(two_batches, "m_merge", "id")
    assert [(r["id"], r["v"]) for r in got] == [(2, "B"), (4, "d")]


def test_unsupported_strategy_is_a_clear_error(two_batches: Lakehouse) -> None:
    dbt(two_batches, "run", "-s", "m_bad_strategy")  # first build: a full write
    result = dbt(two_batches, "run", "-s", "m_bad_strategy", check=False)
    assert result.returncode != 0
    assert "incremental_strategy 'delete+insert' is not supported" in result.stdout


def test_python_models_write_delta_too(two_batches: Lakehouse) -> None:
    got = rows(two_batches, "m_python", "value")
    assert [r["value"] for r in got] == [10]  # built from m_table at value 1
    assert got[0]["upstream_location"] == str(two_batches.lake / "demo" / "m_table")
    appended = rows(two_batches, "m_python_incremental", "seen_before")
    assert [(r["seen_before"], r["incremental"]) for r in appended] == [(0, False), (1, True)]
    protocol = DeltaTable(str(two_batches.lake / "demo/m_python")).protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2)


def test_views_follow_the_lake_not_the_catalog(two_batches: Lakehouse) -> None:
    """A model is a DuckDB view over its Delta table; is_incremental() asks the Delta log."""
    two_batches.catalog.unlink()
    before = version(two_batches, "m_append")
    dbt(two_batches, "run", "-s", "m_append", "--vars", "{batch: 3}")
    assert version(two_batches, "m_append") == before + 1  # appended, not rebuilt
    assert len(rows(two_batches, "m_append", "batch,id")) == 9


def test_a_table_name_cannot_leave_the_lake_root(project: Lakehouse) -> None:
    result = dbt(project, "run", "-s", "m_escape", check=False)
    assert result.returncode != 0
    assert "unsafe lake table name '../../outside'" in result.stdout
    assert not (project.root / "outside").exists() and not (project.lake / "outside").exists()
