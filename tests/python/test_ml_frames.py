"""lakehouse.ml.frames: every engine's frame becomes the same pandas frame; Delta time travel."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakehouse.ml import frames


@pytest.fixture
def table() -> pa.Table:
    return pa.table({"flight_key": ["a", "b", "c"], "distance": [1.0, 2.0, None]})


def _same(df: pd.DataFrame) -> None:
    assert list(df.columns) == ["flight_key", "distance"]
    assert df["flight_key"].tolist() == ["a", "b", "c"]
    assert df["distance"].iloc[:2].tolist() == [1.0, 2.0]
    assert pd.isna(df["distance"].iloc[2])


def test_pandas_is_returned_as_is(table: pa.Table) -> None:
    df = table.to_pandas()
    assert frames.to_pandas(df) is df


def test_arrow_table_batch_and_reader(table: pa.Table) -> None:
    _same(frames.to_pandas(table))
    _same(frames.to_pandas(table.to_batches()[0]))
    _same(frames.to_pandas(pa.RecordBatchReader.from_batches(table.schema, table.to_batches())))


def test_duckdb_relation(table: pa.Table) -> None:
    con = duckdb.connect()
    con.register("t", table)
    _same(frames.to_pandas(con.sql("select * from t order by flight_key")))


def test_spark_like_object_uses_to_pandas(table: pa.Table) -> None:
    class FakeSparkFrame:
        def toPandas(self) -> pd.DataFrame:  # noqa: N802 - Spark's spelling
            return table.to_pandas()

    _same(frames.to_pandas(FakeSparkFrame()))


def test_arrow_c_stream_object(table: pa.Table) -> None:
    class Stream:
        def __arrow_c_stream__(self, requested_schema: object = None) -> object:
            return table.__arrow_c_stream__(requested_schema)

    _same(frames.to_pandas(Stream()))


def test_unknown_object_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="cannot convert builtins.list"):
        frames.to_pandas([1, 2, 3])


def test_read_delta_time_travel(tmp_path) -> None:
    path = str(tmp_path / "t")
    write_deltalake(path, pa.table({"x": [1, 2]}))
    write_deltalake(path, pa.table({"x": [3]}), mode="overwrite")
    assert frames.delta_version(path) == 1
    assert frames.read_delta(path)["x"].tolist() == [3]
    assert frames.read_delta(path, 0)["x"].tolist() == [1, 2]


def _pieces(produced: list[int], count: int):
    for i in range(count):
        produced.append(i)
        yield pd.DataFrame({"flight_key": [f"k{i}a", f"k{i}b"], "distance": [float(i), None]})


def test_model_result_streams_pieces_to_duckdb() -> None:
    con = duckdb.connect()
    produced: list[int] = []
    empty = pd.DataFrame({"flight_key": pd.Series([], dtype="str"), "distance": []})
    result = frames.model_result(con, _pieces(produced, 3), lambda: empty)
    assert isinstance(result, pa.RecordBatchReader)
    assert produced == [0]  # only the first piece, for the schema; the rest when read
    con.register("result", result)
    con.execute("create temp table written as select * from result")
    assert produced == [0, 1, 2]
    rows = con.sql("select flight_key, distance from written order by flight_key").fetchall()
    assert rows == [
        ("k0a", 0.0),
        ("k0b", None),
        ("k1a", 1.0),
        ("k1b", None),
        ("k2a", 2.0),
        ("k2b", None),
    ]


def test_model_result_concatenates_for_other_engines() -> None:
    produced: list[int] = []
    empty = pd.DataFrame({"flight_key": [], "distance": []})
    result = frames.model_result(object(), _pieces(produced, 2), lambda: empty)
    assert isinstance(result, pd.DataFrame)
    assert result["flight_key"].tolist() == ["k0a", "k0b", "k1a", "k1b"]
    assert result.index.tolist() == [0, 1, 2, 3]


def test_model_result_without_pieces_is_the_empty_frame() -> None:
    empty = pd.DataFrame({"flight_key": [], "distance": []})
    assert frames.model_result(duckdb.connect(), iter(()), lambda: empty) is empty
    assert frames.model_result(object(), iter(()), lambda: empty) is empty


def test_model_result_makes_the_empty_frame_only_without_pieces() -> None:
    def no_empty_frame() -> pd.DataFrame:
        raise AssertionError("the empty frame was made although there were pieces")

    result = frames.model_result(object(), _pieces([], 1), no_empty_frame)
    assert len(result) == 2
