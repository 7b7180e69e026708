"""Edge conversion: whatever frame an engine hands a dbt Python model becomes pandas.

Why: ``dbt.ref()`` returns a DuckDB relation on DuckDB and a Spark DataFrame on Databricks.
Converting once, at the edge, lets every other module take and return plain pandas, so the ML
code is the same on both engines and testable without either. Arrow is preferred over each
engine's own pandas conversion because it is also what the Delta reader returns: a table read
through DuckDB and the same table read back by :func:`read_delta` then get the same dtypes,
which is what makes a run reproducible from its Delta snapshot.
"""

from __future__ import annotations

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
