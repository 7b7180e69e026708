"""The writer's full build of a partitioned table: written a few partitions at a time, one commit.

No dbt here: the writer runs on a plain DuckDB connection, as the materialization runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from deltalake import DeltaTable

from lakehouse import delta_writer, duckdb_ext, maintenance


def demo_spec(lake: Path, sql: str, mode: str, **options: Any) -> delta_writer.WriteSpec:
    """The write of model `m` (relation demo.m) to <lake>/m."""
    return delta_writer.WriteSpec(
        model="m",
        relation="demo.m",
        schema="demo",
        location=str(lake / "m"),
        sql=sql,
        mode=mode,
        **options,
    )


def full_build(con: duckdb.DuckDBPyConnection, lake: Path, sql: str) -> delta_writer.WriteResult:
    con.execute("create schema if not exists demo")
    return delta_writer.run(con, demo_spec(lake, sql, "overwrite", partition_by=["p"]))


@pytest.fixture()
def con(monkeypatch: pytest.MonkeyPatch) -> duckdb.DuckDBPyConnection:
    monkeypatch.setenv(delta_writer.PARTITIONS_PER_WRITE_ENV, "2")
    return duckdb_ext.connect()


def test_partitioned_full_build_is_one_commit_of_every_row(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # 7 partitions plus null ones: 4 groups of 2 and the null group, 5 scratch writes
    sql = "select i, case when i % 8 = 7 then null else i % 8 end as p from range(1000) t(i)"
    result = full_build(con, tmp_path, sql)
    table = DeltaTable(str(tmp_path / "m"))
    assert result.committed and table.version() == 0
    assert table.metadata().partition_columns == ["p"]
    protocol = table.protocol()
    assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2)
    by_partition = "select p, count(*), sum(i) from {} group by p order by p"
    expected = con.execute(by_partition.format(f"({sql})")).fetchall()
    got = con.execute(by_partition.format(f"delta_scan('{tmp_path}/m')")).fetchall()
    assert got == expected and len(got) == 8
    # the scratch tables' logs are gone; their files are the table's
    assert [path.name for path in (tmp_path / "m").glob("stage-*/_delta_log")] == []
    assert len(table.file_uris()) == 8
    commit = maintenance.history(maintenance.LakeTable("demo", "m", str(tmp_path / "m")))[0]
    assert (commit["rows_added"], commit["files_added"]) == (1000, 8)


def test_full_refresh_replaces_the_partitioned_table(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    full_build(con, tmp_path, "select i, i % 5 as p, 'old' as s from range(100) t(i)")
    full_build(con, tmp_path, "select i, i % 3 as p, i * 2 as d from range(30) t(i)")
    table = DeltaTable(str(tmp_path / "m"))
    assert table.version() == 1
    assert table.schema().to_arrow().names == ["i", "p", "d"]
    assert con.execute(f"select count(*), sum(d) from delta_scan('{tmp_path}/m')").fetchone() == (
        30,
        870,
    )
    assert len(table.file_uris()) == 3  # the old table's five files are removed


def test_empty_result_makes_an_empty_partitioned_table(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = full_build(con, tmp_path, "select 1 as i, 2 as p where false")
    table = DeltaTable(str(tmp_path / "m"))
    assert result.committed and table.metadata().partition_columns == ["p"]
    assert con.execute(f"select count(*) from delta_scan('{tmp_path}/m')").fetchone() == (0,)


def test_incremental_write_refuses_another_partition_layout(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    con.execute("create schema if not exists demo")
    spec = demo_spec(tmp_path, "select 1 as i, 2 as p", "overwrite")
    delta_writer.run(con, spec)  # unpartitioned
    spec.mode, spec.partition_by = "append", ["p"]
    with pytest.raises(delta_writer.LakeWriteError, match="--full-refresh"):
        delta_writer.run(con, spec)
    assert DeltaTable(str(tmp_path / "m")).version() == 0


def test_an_empty_batch_empties_the_declared_partitions_once(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """insert_overwrite with no new rows: a partition the model declared it recomputed
    (lake_replaced_months) is emptied; declared again when it is empty already, nothing is
    committed, also when the table keeps a column the model dropped (append_new_columns)."""
    full_build(con, tmp_path, "select i, i % 3 as p, 'kept' as dropped from range(30) t(i)")
    delta_writer.ensure_partition_records(con)

    def empty_batch(invocation: str) -> delta_writer.WriteResult:
        con.execute(
            f"insert into {delta_writer.REPLACED_PARTITIONS} values ('demo.m', ?, 'p', '1')",
            [invocation],
        )
        spec = demo_spec(
            tmp_path,
            "select 1 as i, 1 as p where false",
            "insert_overwrite",
            partition_by=["p"],
            on_schema_change="append_new_columns",
            invocation_id=invocation,
        )
        return delta_writer.run(con, spec)

    emptied = empty_batch("first")
    per_partition = f"select p, count(*) from delta_scan('{tmp_path}/m') group by p order by p"
    assert emptied.committed
    assert con.execute(per_partition).fetchall() == [(0, 10), (2, 10)]
    version = DeltaTable(str(tmp_path / "m")).version()

    again = empty_batch("second")
    assert not again.committed
    assert DeltaTable(str(tmp_path / "m")).version() == version
    assert con.execute(per_partition).fetchall() == [(0, 10), (2, 10)]
