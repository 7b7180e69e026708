"""Keeping a Python model's table when its inputs are unchanged (lakehouse.model_inputs).

No dbt here: the writer runs on a plain DuckDB connection, as the materialization runs it, and
a small stand-in plays the dbt object the lakehouse materialization hands a Python model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from deltalake import DeltaTable, write_deltalake

from lakehouse import delta_writer, duckdb_ext, model_inputs

from .test_delta_writer import demo_spec


@dataclass
class _This:
    identifier: str

    def __str__(self) -> str:
        return f"demo.{self.identifier}"


class _Dbt:
    """What the lakehouse materialization adds to a Python model's dbt object."""

    def __init__(self, lake: Path, checksum: str = "c1", full_refresh: bool = False) -> None:
        self.this = _This("m")
        self.lake_checksum = checksum
        self.lake_full_refresh = full_refresh
        self._lake = lake

    def lake_location(self, name: str) -> str:
        return str(self._lake / name)


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb_ext.connect()
    con.execute("create schema demo")
    model_inputs.ensure_table(con)
    return con


def _spec(lake: Path, sql: str = "", inputs: str | None = None) -> delta_writer.WriteSpec:
    """The table model ``demo.m`` at ``<lake>/m``, as the materialization describes it."""
    return demo_spec(lake, sql, "overwrite", inputs=inputs)


def _write(con: duckdb.DuckDBPyConnection, lake: Path, frame: object, inputs: str) -> int | None:
    """What the materialization does with a ModelOutput: write the frame, record the inputs."""
    con.register("result", frame)
    return delta_writer.run(con, _spec(lake, "select * from result", inputs)).version


def test_fingerprint_is_stable_and_sensitive() -> None:
    a = model_inputs.fingerprint({"x": 1, "y": [1, 2]}, "code")
    assert a == model_inputs.fingerprint({"y": [1, 2], "x": 1}, "code")
    assert a != model_inputs.fingerprint({"x": 2, "y": [1, 2]}, "code")
    assert a != model_inputs.fingerprint({"x": 1, "y": [1, 2]}, "other code")


def test_code_digest_follows_the_source_without_importing(tmp_path: Path) -> None:
    digest = model_inputs.code_digest("lakehouse.ml.dataset")
    assert digest == model_inputs.code_digest("lakehouse.ml.dataset")
    assert digest != model_inputs.code_digest("lakehouse.ml.features")
    with pytest.raises(ModuleNotFoundError):
        model_inputs.code_digest("lakehouse.no_such_module")


def test_partition_files_change_only_with_their_partitions(tmp_path: Path) -> None:
    location = str(tmp_path / "features")
    frame = pd.DataFrame({"month": ["2013-01-01", "2013-02-01"], "x": [1, 2]})
    write_deltalake(location, frame, partition_by=["month"])
    january = model_inputs.partition_files(location, "month", ["2013-01-01"])
    both = model_inputs.partition_files(location, "month", ["2013-01-01", "2013-02-01"])
    assert len(january) == 1 and len(both) == 2
    # a new day in February: January's files are the same, February's are not
    write_deltalake(location, pd.DataFrame({"month": ["2013-02-01"], "x": [3]}), mode="append")
    assert model_inputs.partition_files(location, "month", ["2013-01-01"]) == january
    assert model_inputs.partition_files(location, "month", ["2013-01-01", "2013-02-01"]) != both
    # a rewrite of January with the same rows is new files: the inputs count as changed
    write_deltalake(
        location,
        pd.DataFrame({"month": ["2013-01-01"], "x": [1]}),
        mode="overwrite",
        predicate="month = '2013-01-01'",
    )
    assert model_inputs.partition_files(location, "month", ["2013-01-01"]) != january


def test_kept_only_while_inputs_and_table_version_match(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    dbt = _Dbt(tmp_path)
    first = model_inputs.ModelInputs(dbt, con, {"window": "2013"})
    assert not first.unchanged()  # nothing recorded yet
    output = first.result(pd.DataFrame({"x": [1, 2]}))
    assert isinstance(output, model_inputs.ModelOutput)
    assert _write(con, tmp_path, output.frame, output.inputs) == 0
    assert model_inputs.recorded_inputs(con, "demo.m") == (first.digest, 0)

    assert model_inputs.ModelInputs(dbt, con, {"window": "2013"}).unchanged()
    assert not model_inputs.ModelInputs(dbt, con, {"window": "2014"}).unchanged()
    assert not model_inputs.ModelInputs(_Dbt(tmp_path, "c2"), con, {"window": "2013"}).unchanged()
    refresh = _Dbt(tmp_path, full_refresh=True)
    assert not model_inputs.ModelInputs(refresh, con, {"window": "2013"}).unchanged()

    # someone else rewrote the table: its version moved, so the record no longer describes it
    write_deltalake(str(tmp_path / "m"), pd.DataFrame({"x": [9]}), mode="overwrite")
    assert not model_inputs.ModelInputs(dbt, con, {"window": "2013"}).unchanged()


def test_same_content_still_records_the_new_inputs(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    frame = pd.DataFrame({"x": [1, 2]})
    assert _write(con, tmp_path, frame, "inputs-a") == 0
    # the inputs changed but the result did not: no commit, yet the record follows the inputs,
    # so the next build with inputs-b keeps the table instead of computing it again
    assert _write(con, tmp_path, frame, "inputs-b") == 0
    assert DeltaTable(str(tmp_path / "m")).version() == 0
    assert model_inputs.recorded_inputs(con, "demo.m") == ("inputs-b", 0)


def test_keep_leaves_the_table_and_points_the_view(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _write(con, tmp_path, pd.DataFrame({"x": [1, 2]}), "inputs-a")
    con.execute("drop view demo.m")  # e.g. a catalog rebuilt from scratch
    delta_writer.keep(con, _spec(tmp_path))
    assert con.execute("select sum(x) from demo.m").fetchone() == (3,)
    assert DeltaTable(str(tmp_path / "m")).version() == 0


def test_other_engines_always_compute_and_get_the_frame(tmp_path: Path) -> None:
    class _SparkLike:  # not a DuckDB connection
        pass

    inputs = model_inputs.ModelInputs(_Dbt(tmp_path), _SparkLike(), lambda: 1 / 0)
    assert not inputs.unchanged()  # and the callable part was never evaluated
    frame = pd.DataFrame({"x": [1]})
    assert inputs.result(frame) is frame


def test_partitions_changed_since_a_version(tmp_path: Path) -> None:
    location = str(tmp_path / "features")
    write_deltalake(
        location, pd.DataFrame({"month": ["a", "b"], "x": [1, 2]}), partition_by=["month"]
    )
    assert model_inputs.partitions_changed_since(location, "month", 0) == []
    write_deltalake(location, pd.DataFrame({"month": ["b", "c"], "x": [3, 4]}), mode="append")
    assert model_inputs.partitions_changed_since(location, "month", 0) == ["b", "c"]
    assert model_inputs.partitions_changed_since(location, "month", 1) == []
    assert model_inputs.partitions_changed_since(location, "month", 7) is None  # not loadable
    # up to the version the model read: a write after it is left for the next build
    write_deltalake(location, pd.DataFrame({"month": ["d"], "x": [5]}), mode="append")
    assert model_inputs.partitions_changed_since(location, "month", 0, until=1) == ["b", "c"]
    assert model_inputs.partitions_changed_since(location, "month", 0) == ["b", "c", "d"]


class _IncrementalDbt(_Dbt):
    is_incremental = True


def test_upstream_progress_searches_only_partitions_written_since(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    features = str(tmp_path / "features")
    write_deltalake(
        features, pd.DataFrame({"month": ["a", "b"], "k": [1, 2]}), partition_by=["month"]
    )
    con.execute(f"create view demo.features as select * from delta_scan('{features}')")
    dbt = _IncrementalDbt(tmp_path)
    dbt.lake_location = lambda name: features if name == "features" else str(tmp_path / name)  # type: ignore[method-assign]

    first = model_inputs.UpstreamProgress(dbt, con, "features", "month")
    assert first.changed_partitions() is None  # nothing recorded: search everywhere
    output = first.result(con.sql("select k from demo.features").to_arrow_table())
    assert isinstance(output, model_inputs.ModelOutput)
    _write(con, tmp_path, output.frame, output.inputs)

    write_deltalake(features, pd.DataFrame({"month": ["b"], "k": [3]}), mode="append")
    second = model_inputs.UpstreamProgress(dbt, con, "features", "month")
    assert second.changed_partitions() == ["b"]
    rows = second.only_changed(con.sql("select k, month from demo.features")).fetchall()
    assert sorted(rows) == [(2, "b"), (3, "b")]  # month a is not searched again

    # a full refresh, or a table written by someone else since, searches everywhere again
    refresh = _IncrementalDbt(tmp_path, full_refresh=True)
    refresh.lake_location = dbt.lake_location  # type: ignore[method-assign]
    assert (
        model_inputs.UpstreamProgress(refresh, con, "features", "month").changed_partitions()
        is None
    )
    write_deltalake(str(tmp_path / "m"), pd.DataFrame({"k": [9]}), mode="append")
    assert model_inputs.UpstreamProgress(dbt, con, "features", "month").changed_partitions() is None
