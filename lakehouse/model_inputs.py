"""Keep a Python model's table when the inputs it was computed from have not changed.

Why: ``dbt build`` runs every model, and a Python model re-reads its inputs into pandas on each
build. The training set reads one window of the feature table and training reads the training
set: a daily delivery touches neither, yet both cost seconds a build. The model names what its
result depends on (the Delta files of the partitions it reads, its parameters, its code) as a
fingerprint; the writer records the fingerprint with the table version it wrote, in the catalog
table ``main.lake_model_inputs``; and the next build keeps the table when the fingerprint and
the table's version both still match. ``--full-refresh`` always recomputes, and so does a model
whose table was written by anyone else since (its version moved).

DuckDB only: on other engines :class:`ModelInputs` never reports "unchanged" and hands the
result through as it is, so the same model code runs everywhere.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse import lake_catalog, storage

#: Catalog table: per relation, the inputs fingerprint of the table version last written.
INPUTS_TABLE = "main.lake_model_inputs"


@dataclass(frozen=True)
class ModelOutput:
    """What a Python model returns on DuckDB: its result and the fingerprint of its inputs.

    ``frame`` (pandas or pyarrow) is written as usual, then the fingerprint is recorded;
    ``None`` keeps the table as it is.
    """

    frame: Any
    inputs: str


def fingerprint(*parts: Any) -> str:
    """A stable digest of JSON-able parts (dates and other values by their ``str``)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def code_digest(*modules: str) -> str:
    """Digest of the named modules' source files, read without importing them (a kept table
    then costs no import of, say, MLflow): a change to the code that computes a result is a
    new input, even when the model file itself did not change."""
    sources = []
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"no source file for module {name!r}")
        sources.append(Path(spec.origin).read_text())
    return fingerprint(*sources)


def partition_files(location: str, column: str, values: Iterable[str]) -> list[list[Any]]:
    """The Delta table's current files in the partitions ``column`` in ``values``, as sorted
    ``[path, size]`` pairs: any write that changes a row of those partitions changes them."""
    from deltalake import DeltaTable

    resolved = storage.resolve(location)
    table = DeltaTable(resolved, storage_options=storage.storage_options(resolved))
    import pyarrow as pa

    actions = pa.table(table.get_add_actions(flatten=True)).to_pydict()
    wanted = {str(value) for value in values}
    partition = actions[f"partition.{column}"]
    return sorted(
        [path, size]
        for path, size, value in zip(actions["path"], actions["size_bytes"], partition, strict=True)
        if str(value) in wanted
    )


def is_partitioned_by(location: str, column: str) -> bool:
    """Whether the Delta table at ``location`` is partitioned by ``column`` (a table written
    before a model gained its partitioning is not, and keeps nulls there in its old rows)."""
    from deltalake import DeltaTable

    resolved = storage.resolve(location)
    table = DeltaTable(resolved, storage_options=storage.storage_options(resolved))
    return column in table.metadata().partition_columns


def recorded_inputs(con: Any, relation: str) -> tuple[str, int] | None:
    """The fingerprint and table version last recorded for ``relation``, if any."""
    table = lake_catalog.in_catalog_of(relation, INPUTS_TABLE)
    row = con.execute(
        f"select inputs, table_version from {table} where relation = ?", [relation]
    ).fetchone()
    return None if row is None else (row[0], int(row[1]))


def current_record(con: Any, relation: str, location: str) -> str | None:
    """The inputs recorded for ``relation`` when they describe its table's current version
    (None when nothing is recorded, or the table was written since, or is gone)."""
    recorded = recorded_inputs(con, relation)
    if recorded is None:
        return None
    from lakehouse.ml.frames import delta_version

    try:
        current = delta_version(location)
    except Exception:  # no table at the location (deleted)
        return None
    return recorded[0] if current == recorded[1] else None


def partitions_changed_since(
    location: str, column: str, version: int, until: int | None = None
) -> list[str] | None:
    """The ``column`` partitions holding a file the table has at ``until`` (the version the
    caller read; None: the current one) but did not have at ``version``: every row written in
    between is in one of them. None when ``version`` cannot be loaded any more (its log was
    cleaned up), so the caller falls back to every partition."""
    import pyarrow as pa
    from deltalake import DeltaTable

    resolved = storage.resolve(location)
    options = storage.storage_options(resolved)
    try:
        before = DeltaTable(resolved, version=version, storage_options=options)
    except Exception:
        return None
    now = DeltaTable(resolved, version=until, storage_options=options)
    old_paths = set(pa.table(before.get_add_actions(flatten=True)).column("path").to_pylist())
    actions = pa.table(now.get_add_actions(flatten=True)).to_pydict()
    return sorted(
        {
            str(value)
            for path, value in zip(actions["path"], actions[f"partition.{column}"], strict=True)
            if path not in old_paths
        }
    )


def ensure_table(con: Any) -> None:
    """Create the record table (once per process: parallel models would race to create it)."""
    con.execute(
        f"create table if not exists {INPUTS_TABLE} "
        "(relation varchar primary key, table_version bigint, inputs varchar)"
    )


def record(con: Any, relation: str, version: int, inputs: str) -> None:
    """Remember that ``relation``'s table at ``version`` was computed from ``inputs``."""
    table = lake_catalog.in_catalog_of(relation, INPUTS_TABLE)
    con.execute(f"delete from {table} where relation = ?", [relation])
    con.execute(f"insert into {table} values (?, ?, ?)", [relation, version, inputs])


class ModelInputs:
    """The inputs of one run of a Python model: ``unchanged()`` says whether its table can be
    kept, ``keep()`` and ``result(frame)`` are what the model returns.

    ``dbt`` is the model's dbt object (the lakehouse materialization adds ``lake_location``,
    ``lake_checksum``, the model file's checksum, and ``lake_full_refresh``); ``session`` its
    engine session; ``parts`` whatever else the result depends on (a callable part is called
    only on DuckDB, so it may use what only the lakehouse materialization provides).
    """

    def __init__(self, dbt: Any, session: Any, *parts: Any) -> None:
        from lakehouse.ml.frames import is_duckdb

        self.enabled = is_duckdb(session) and hasattr(dbt, "lake_checksum")
        self.session = session
        self.relation = str(dbt.this)
        self.location = dbt.lake_location(dbt.this.identifier) if self.enabled else ""
        self.full_refresh = bool(getattr(dbt, "lake_full_refresh", False))
        self.digest = (
            fingerprint(dbt.lake_checksum, *(p() if callable(p) else p for p in parts))
            if self.enabled
            else ""
        )

    def unchanged(self) -> bool:
        """True when the table's current version was written from these same inputs."""
        if not self.enabled or self.full_refresh:
            return False
        return current_record(self.session, self.relation, self.location) == self.digest

    def keep(self) -> ModelOutput:
        """The result that leaves the table as it is."""
        return ModelOutput(None, self.digest)

    def result(self, frame: Any) -> Any:
        """``frame`` with this fingerprint attached (on DuckDB), or ``frame`` itself."""
        return ModelOutput(frame, self.digest) if self.enabled else frame


class UpstreamProgress:
    """How far an incremental Python model has consumed an upstream Delta table.

    Why: an append-only model (batch scoring) looks for upstream rows it has not handled yet
    with an anti join against everything it wrote; at ten million flights that join reads both
    tables whole on every build. The model records the upstream version it read with each
    write, so the next build looks only in the partitions that got new files since. Nothing is
    lost: a row written since that version is in a new file, and the anti join still decides.
    ``changed_partitions()`` is None (look everywhere) on a first or full build, on other
    engines, when nothing is recorded for the table's current version, or when the recorded
    upstream version cannot be loaded any more.
    """

    def __init__(self, dbt: Any, session: Any, ref_name: str, partition_column: str) -> None:
        from lakehouse.ml.frames import delta_version, is_duckdb

        self.ref_name = ref_name
        self.column = partition_column
        self.enabled = is_duckdb(session) and hasattr(dbt, "lake_checksum")
        self.version: int | None = None
        self.previous: int | None = None
        if not self.enabled:
            return
        self.location = dbt.lake_location(ref_name)
        self.version = delta_version(self.location)  # before the model reads it
        if not dbt.is_incremental or getattr(dbt, "lake_full_refresh", False):
            return
        own_location = dbt.lake_location(dbt.this.identifier)
        recorded = current_record(session, str(dbt.this), own_location)
        if recorded:
            progress = json.loads(recorded)
            if progress.get("ref") == ref_name:
                self.previous = int(progress["version"])

    def changed_partitions(self) -> list[str] | None:
        """Partitions with rows the model may not have handled; None: all of them."""
        if self.previous is None:
            return None
        return partitions_changed_since(self.location, self.column, self.previous, self.version)

    def only_changed(self, frame: Any) -> Any:
        """``frame`` (an engine relation) filtered to :meth:`changed_partitions`."""
        partitions = self.changed_partitions()
        if partitions is None:
            return frame
        if not partitions:
            return frame.filter("1 = 0")
        values = ", ".join("'" + value.replace("'", "''") + "'" for value in partitions)
        return frame.filter(f"cast({self.column} as varchar) in ({values})")

    def result(self, frame: Any) -> Any:
        """``frame`` with the upstream version read attached (on DuckDB), or ``frame``."""
        if not self.enabled:
            return frame
        return ModelOutput(frame, json.dumps({"ref": self.ref_name, "version": self.version}))
