"""Edge conversion: whatever frame an engine hands a dbt Python model becomes pandas.

Why: ``dbt.ref()`` returns a DuckDB relation on DuckDB and a Spark DataFrame on Databricks.
Converting once, at the edge, lets every other module take and return plain pandas, so the ML
code is the same on both engines and testable without either. Arrow is preferred over each
engine's own pandas conversion because it is also what the Delta reader returns: a table read
through DuckDB and the same table read back by :func:`read_delta` then get the same dtypes,
which is what makes a run reproducible from its Delta snapshot.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import pandas as pd
import pyarrow as pa

from lakehouse import storage


def to_pandas(obj: Any) -> pd.DataFrame:
    """Return ``obj`` as a pandas DataFrame.

    Accepts a pandas DataFrame (returned as is), a pyarrow Table, RecordBatch or
    RecordBatchReader, a DuckDB relation (through its Arrow output), a Spark DataFrame (anything
    with ``toPandas``), or any object exporting the Arrow C stream interface. Raises TypeError
    for anything else, naming the type, so a model wired to the wrong object fails at once.
    """
    if isinstance(obj, pd.DataFrame):
        return obj
    if isinstance(obj, pa.Table):
        return obj.to_pandas()
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj]).to_pandas()
    if isinstance(obj, pa.RecordBatchReader):
        return obj.read_all().to_pandas()
    if hasattr(obj, "toPandas"):  # Spark (classic and Connect)
        return obj.toPandas()
    if hasattr(obj, "to_arrow_table"):  # DuckDB >= 1.4 relation
        return to_pandas(obj.to_arrow_table())
    if hasattr(obj, "arrow"):  # older DuckDB relations: Table; newer: RecordBatchReader
        return to_pandas(obj.arrow())
    if hasattr(obj, "__arrow_c_stream__"):
        return to_pandas(pa.RecordBatchReader.from_stream(obj))
    if hasattr(obj, "df"):
        return to_pandas(obj.df())
    raise TypeError(
        f"cannot convert {type(obj).__module__}.{type(obj).__qualname__} to pandas: expected a "
        "pandas or Spark DataFrame, a pyarrow Table/RecordBatchReader or a DuckDB relation"
    )


def rows_between(frame: Any, column: str, start: date, end: date) -> Any:
    """The rows of an engine frame with ``start <= column <= end``, filtered by the engine.

    Why: a feature table grows with every year delivered while a training window does not;
    filtering before the conversion to pandas keeps memory proportional to the window. DuckDB
    relations and Spark DataFrames both take the same SQL expression.
    """
    return frame.filter(
        f"{column} >= cast('{start.isoformat()}' as date) "
        f"and {column} <= cast('{end.isoformat()}' as date)"
    )


def without_keys_in(frame: Any, other: Any, key: str) -> Any:
    """The rows of ``frame`` whose ``key`` is not in ``other`` (an anti join in the engine).

    Why: batch scoring asks "which flights are not scored yet"; answering it in pandas would
    load every flight ever scored on each run.
    """
    keys = other.select(key)
    if hasattr(frame, "toPandas"):  # Spark
        return frame.join(keys, on=key, how="left_anti")
    return frame.join(keys, key, how="anti")  # DuckDB


def arrow_batches(obj: Any, rows: int = 500_000) -> Iterator[pa.RecordBatch]:
    """``obj`` as Arrow record batches of at most ``rows`` rows, streamed where the engine can.

    A DuckDB relation streams from the engine, so a caller holds one batch at a time; anything
    else is converted whole (a Spark DataFrame through pandas) and sliced.
    """
    if hasattr(obj, "to_arrow_reader") and not hasattr(obj, "toPandas"):
        yield from obj.to_arrow_reader(rows)
        return
    table = pa.Table.from_pandas(to_pandas(obj), preserve_index=False)
    yield from table.to_batches(max_chunksize=rows)


def model_result(
    session: Any, pieces: Iterable[pd.DataFrame], empty: Callable[[], pd.DataFrame]
) -> Any:
    """A Python model's result made of pandas ``pieces``, held whole only where it must be.

    On DuckDB the result is a pyarrow RecordBatchReader over the pieces as they are produced:
    dbt-duckdb materializes it on a cursor of its own while the model's connection still
    streams the input, and the writer stages it in DuckDB (which spills to disk), so scoring
    ten million flights holds one piece in pandas instead of all of them. Other engines
    (Spark) get one concatenated pandas frame, which their materializations accept. ``empty``
    makes the result when there are no pieces (a frame with the result's columns and no rows);
    it is called only then, so a build with nothing to score need not load the model.
    """
    pieces = iter(pieces)
    first = next(pieces, None)
    if first is None:
        return empty()
    if not is_duckdb(session):
        return pd.concat([first, *pieces], ignore_index=True)
    schema = pa.Schema.from_pandas(first, preserve_index=False)
    batches = (
        pa.RecordBatch.from_pandas(piece, schema=schema, preserve_index=False)
        for piece in itertools.chain([first], pieces)
    )
    return pa.RecordBatchReader.from_batches(schema, batches)


def is_duckdb(session: Any) -> bool:
    """Whether ``session`` is the DuckDB connection dbt-duckdb hands a Python model."""
    import duckdb

    # dbt-duckdb hands a Python model a DuckDB connection, wrapped when query retries are on
    return isinstance(getattr(session, "_cursor", session), duckdb.DuckDBPyConnection)


def delta_version(path: str) -> int:
    """The current version of the Delta table at ``path`` (local folder or object-store URL)."""
    from deltalake import DeltaTable

    location = storage.resolve(path)
    return DeltaTable(location, storage_options=storage.storage_options(location)).version()


def read_delta(path: str, version: int | None = None) -> pd.DataFrame:
    """Read the Delta table at ``path`` as of ``version`` (the latest when None).

    Time travel is what lets a training run be repeated after the table has been rebuilt: the
    run records the version it read, and this reads exactly those rows again.
    """
    from deltalake import DeltaTable

    location = storage.resolve(path)
    table = DeltaTable(location, version=version, storage_options=storage.storage_options(location))
    return table.to_pyarrow_table().to_pandas()
