"""History, restore, compact and vacuum on real Delta tables, through the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from lakehouse import duckdb_ext, maintenance

from .conftest import REPO, Lakehouse
from .lake_compare import table_rows

ADMIN = [sys.executable, str(REPO / "scripts" / "lake_admin.py")]


def _rows(start: int, count: int) -> pa.Table:
    ids = list(range(start, start + count))
    return pa.table({"id": ids, "label": [f"r{i}" for i in ids]})


@pytest.fixture()
def lake(tmp_path: Path) -> Path:
    """A lake with silver.items at version 3: four appends of 10 rows, one file each."""
    table = tmp_path / "lake" / "silver" / "items"
    for batch in range(4):
        write_deltalake(str(table), _rows(batch * 10, 10), mode="append")
    return tmp_path / "lake"


def admin(lake: Path, *args: str, check: bool = True) -> tuple[int, str, str]:
    import subprocess

    result = subprocess.run(
        [*ADMIN, "--lake-root", str(lake), *args], capture_output=True, text=True, cwd=REPO
    )
    if check and result.returncode != 0:
        pytest.fail(f"lake_admin {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result.returncode, result.stdout, result.stderr


def ids(location: Path, version: int | None = None) -> list[int]:
    return sorted(DeltaTable(str(location), version=version).to_pyarrow_table()["id"].to_pylist())


def test_history_lists_every_commit_newest_first(lake: Path) -> None:
    _, out, _ = admin(lake, "history", "silver.items")
    commits = json.loads(out)
    assert [c["version"] for c in commits] == [3, 2, 1, 0]
    assert all(c["operation"] == "WRITE" and c["rows_added"] == 10 for c in commits)


def test_restore_makes_an_old_version_current_as_a_new_commit(lake: Path) -> None:
    location = lake / "silver" / "items"
    admin(lake, "restore", "items", "--version", "1")
    assert ids(location) == list(range(20))
    assert DeltaTable(str(location)).version() == 4  # history kept: version 3 is still there
    assert ids(location, 3) == list(range(40))


def test_restore_refuses_unknown_versions_and_tables(lake: Path) -> None:
    code, _, err = admin(lake, "restore", "items", "--version", "9", check=False)
    assert code == 2 and "restore to a version in 0..2" in err
    code, _, err = admin(lake, "history", "gold.items", check=False)
    assert code == 2 and "no Delta table named 'gold.items'" in err


def test_compact_merges_small_files_without_changing_rows(lake: Path) -> None:
    location = lake / "silver" / "items"
    before = ids(location)
    assert len(DeltaTable(str(location)).file_uris()) == 4
    _, out, _ = admin(lake, "compact", "items")
    assert json.loads(out)["numFilesRemoved"] == 4
    after = DeltaTable(str(location))
    assert len(after.file_uris()) == 1 and ids(location) == before
    assert after.protocol().min_reader_version == 1 and after.protocol().min_writer_version == 2


def test_vacuum_refuses_a_retention_readers_may_still_need(lake: Path) -> None:
    code, _, err = admin(lake, "vacuum", "items", "--retain-hours", "0", "--apply", check=False)
    assert code == 2 and "refusing to VACUUM silver.items with 0 h retention" in err
    assert len(list((lake / "silver" / "items").glob("*.parquet"))) == 4  # nothing deleted


def test_vacuum_keeps_versions_recorded_by_mlflow_runs(
    lake: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a compaction, VACUUM deletes the small files, except those of a pinned version."""
    import mlflow

    location = lake / "silver" / "items"
    with mlflow.start_run() as run:  # what ml_train logs for each input it read
        mlflow.log_params({"input.items.path": str(location), "input.items.delta_version": "1"})
    maintenance.compact(maintenance.find_table(str(lake), "items"))
    monkeypatch.setenv("LAKEHOUSE_VACUUM_MIN_RETENTION_HOURS", "0")

    _, out, _ = admin(lake, "vacuum", "items", "--retain-hours", "0")
    plan = json.loads(out)
    assert plan["dry_run"] and plan["kept_versions"] == {"1": [run.info.run_id]}
    assert len(plan["files"]) == 2  # versions 2 and 3 added one file each; 0 and 1 are pinned

    admin(lake, "vacuum", "items", "--retain-hours", "0", "--apply")
    assert ids(location) == list(range(40))
    assert ids(location, 1) == list(range(20))  # the run can still be reproduced
    with pytest.raises(Exception, match="(?i)not found|no such file|does not exist"):
        ids(location, 3)  # an unpinned old version is gone for good


def test_a_restored_silver_table_is_repaired_by_the_next_build(
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    """Restore silver_flights to before day 2; the next build merges day 2 in again."""
    lh = make_lakehouse("restore")
    lh.land("2013-01-01", "2013-01-01")
    lh.dbt("seed")
    lh.dbt("run", "-s", "+silver_flights")
    lh.land("2013-01-02", "2013-01-02")
    lh.dbt("run", "-s", "+silver_flights")
    con = duckdb_ext.connect()
    expected = table_rows(lh.lake, "silver", "silver_flights", con)
    before_day_2 = DeltaTable(str(lh.lake / "silver" / "silver_flights")).version() - 1

    admin(lh.lake, "restore", "silver_flights", "--version", str(before_day_2))
    restored = table_rows(lh.lake, "silver", "silver_flights", con)
    assert 0 < len(restored) < len(expected)

    lh.dbt("run", "-s", "+silver_flights")
    assert table_rows(lh.lake, "silver", "silver_flights", con) == expected
