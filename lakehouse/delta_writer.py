"""Write a dbt model's result into a Delta table with delta-rs, from inside dbt-duckdb.

DuckDB's delta extension can only read (and append to existing tables), so the project's
``table`` and ``incremental`` materializations hand the compiled SELECT to this module as a
dbt "python job". It runs on the model's own DuckDB cursor: the SELECT sees the upstream
views, and the model's view over the Delta table is created in the same transaction.

Semantics follow dbt-databricks' config vocabulary so the same model configs mean the same
thing on both engines: ``overwrite`` (full build), ``append``, ``merge`` on ``unique_key`` (with
an optional delete-flag column) and ``insert_overwrite`` of the partitions present in the new
data, plus those the model declared it recomputed (``lake_replaced_months``: a month with no
row left upstream is emptied). A write that would not change the table's data makes no Delta
commit, so re-running a build leaves every table's history untouched.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from deltalake import DeltaTable, Field, write_deltalake
from deltalake.exceptions import CommitFailedError
from deltalake.transaction import AddAction, CommitProperties, create_table_with_add_actions

from lakehouse import lake_catalog, model_inputs, storage

log = logging.getLogger(__name__)

STRATEGIES = ("overwrite", "append", "merge", "insert_overwrite")
SCHEMA_CHANGE_POLICIES = ("ignore", "fail", "append_new_columns")
#: A partition (or an unpartitioned table) with this many files under COMPACT_TARGET_BYTES is
#: compacted after a write: daily merges and appends each add a small file.
COMPACT_MIN_FILES_ENV = "LAKEHOUSE_COMPACT_MIN_FILES"
COMPACT_TARGET_BYTES = 64 * 1024 * 1024
#: A full write of a partitioned table goes this many partitions at a time (bounds memory).
PARTITIONS_PER_WRITE_ENV = "LAKEHOUSE_PARTITIONS_PER_WRITE"
#: Catalog table: the partitions each model wrote in the latest dbt invocation that wrote it.
WRITTEN_PARTITIONS = "main.lake_written_partitions"
#: the partitions an insert_overwrite model declared it recomputed whole (``lake_replaced_months``)
REPLACED_PARTITIONS = "main.lake_replaced_partitions"


class LakeWriteError(RuntimeError):
    """A model's result cannot be written as asked; the message says why and what to do."""


@dataclass
class WriteSpec:
    """What the materialization asks for; built from the model's config in Jinja."""

    model: str
    relation: str
    schema: str
    location: str
    sql: str
    mode: str
    partition_by: list[str] = field(default_factory=list)
    unique_key: list[str] = field(default_factory=list)
    delete_flag_column: str | None = None
    on_schema_change: str = "fail"
    not_null_columns: list[str] = field(default_factory=list)
    #: the dbt invocation; when set, the partitions this write touches are recorded for it
    invocation_id: str = ""
    #: of an unpartitioned table: the column whose written values scope its data tests
    test_scope_column: str | None = None
    #: fingerprint of the inputs the result was computed from (lakehouse.model_inputs)
    inputs: str | None = None

    @classmethod
    def from_json(cls, text: str) -> WriteSpec:
        raw = json.loads(text)
        for key in ("partition_by", "unique_key", "not_null_columns"):
            value = raw.get(key)
            if value is None:
                raw[key] = []
            elif isinstance(value, str):
                raw[key] = [value]
        return cls(**raw)


@dataclass
class WriteResult:
    """What happened, for logs and tests."""

    operation: str
    rows_in: int
    version: int | None
    committed: bool


def run(con: duckdb.DuckDBPyConnection, spec: WriteSpec) -> WriteResult:
    """Stage the model's SELECT in DuckDB, write it to Delta, and point the model's view at it."""
    if spec.mode not in STRATEGIES:
        raise LakeWriteError(
            f"{spec.model}: incremental_strategy '{spec.mode}' is not supported on DuckDB; "
            f"use one of {', '.join(STRATEGIES[1:])}"
        )
    if spec.on_schema_change not in SCHEMA_CHANGE_POLICIES:
        raise LakeWriteError(
            f"{spec.model}: on_schema_change '{spec.on_schema_change}' is not supported; "
            f"use one of {', '.join(SCHEMA_CHANGE_POLICIES)} (or --full-refresh)"
        )
    location = storage.resolve(spec.location)
    options = storage.storage_options(location)
    stage = f"__lakehouse_stage_{spec.relation.replace('.', '_').replace(chr(34), '')}"
    # the newline ends a trailing line comment of the model SQL before the closing paren
    con.execute(
        f"create or replace temp table {stage} as select * from ({spec.sql}\n) as model_sql"
    )
    try:
        _record_written_partitions(con, spec, stage)
        try:
            result = _write_stage(con, spec, stage, location, options)
        except CommitFailedError as exc:
            # Another writer committed first (Delta's optimistic concurrency: on Azure the
            # commit file is created only if absent). Nothing of this write is in the table.
            raise LakeWriteError(
                f"{spec.model}: another writer committed to {location} while this model was "
                f"being written; this run's write was not committed, re-run the model ({exc})"
            ) from exc
        if result.committed and spec.mode in ("append", "merge") and result.version:
            for partition in compact_small_files(location, options):
                log.info("%s: compacted small files of %s", spec.model, partition)
        _point_view(con, spec, location)
        if spec.inputs and result.version is not None:
            model_inputs.record(con, spec.relation, result.version, spec.inputs)
    finally:
        con.execute(f"drop table if exists {stage}")
    log.info("%s: %s", spec.model, result)
    return result


def keep(con: duckdb.DuckDBPyConnection, spec: WriteSpec) -> None:
    """Leave the model's table as it is (its inputs are unchanged: lakehouse.model_inputs),
    and make sure its view points at it."""
    _point_view(con, spec, storage.resolve(spec.location))
    log.info("%s: inputs unchanged, table kept", spec.model)


def _point_view(con: duckdb.DuckDBPyConnection, spec: WriteSpec, location: str) -> None:
    con.execute(f"create schema if not exists {spec.schema}")
    con.execute(
        f"create or replace view {spec.relation} as select * from "
        f"delta_scan('{storage.duckdb_path(location)}')"
    )


def _record_written_partitions(con: duckdb.DuckDBPyConnection, spec: WriteSpec, stage: str) -> None:
    """Note which partitions of the table this invocation writes, for its data tests.

    Tests of a partitioned table then check only those partitions (macro
    ``lake_test_scope``): on a one-day build, the month written instead of 30 years. An
    unpartitioned table names its ``test_scope_column`` instead (bronze: the delivery file;
    predictions: the flight), whose written values scope the tests the same way. The row with
    a null column says the model ran; a staged batch with no rows writes nothing. A full
    rewrite records nothing: every row is new, so the tests check the whole table. Within a
    transaction of the model, so a failed write leaves no record.
    """
    column = spec.partition_by[0] if spec.partition_by else spec.test_scope_column
    if not (spec.invocation_id and column):
        return
    table = lake_catalog.in_catalog_of(spec.relation, WRITTEN_PARTITIONS)
    con.execute(f"delete from {table} where relation = ?", [spec.relation])
    if spec.mode == "overwrite":
        return
    con.execute(
        f"insert into {table} values (?, ?, null, null)", [spec.relation, spec.invocation_id]
    )
    staged = [d[0] for d in con.execute(f"select * from {stage} limit 0").description]
    if column not in staged:  # an empty batch in the table's old columns: nothing written
        return
    con.execute(
        f"insert into {table} select ?, ?, ?, cast(p as varchar) "
        f'from (select distinct "{column}" as p from {stage}) as written',
        [spec.relation, spec.invocation_id, column],
    )


def ensure_partition_records(con: duckdb.DuckDBPyConnection) -> None:
    """The catalog tables of partitions: those :func:`_record_written_partitions` fills, and
    those models declare they replace (created once per process: models written in parallel
    would race to create them)."""
    for table in (WRITTEN_PARTITIONS, REPLACED_PARTITIONS):
        con.execute(
            f"create table if not exists {table} (relation varchar, "
            "invocation_id varchar, partition_column varchar, partition_value varchar)"
        )


def _write_stage(
    con: duckdb.DuckDBPyConnection,
    spec: WriteSpec,
    stage: str,
    location: str,
    options: dict[str, str] | None,
) -> WriteResult:
    rows = con.execute(f"select count(*) from {stage}").fetchone()[0]
    stage_schema = _delta_schema(
        con.execute(f"select * from {stage} limit 0").to_arrow_table().schema
    )
    _check_not_null(con, spec, stage, spec.not_null_columns)
    existing = (
        DeltaTable(location, storage_options=options)
        if DeltaTable.is_deltatable(location, storage_options=options)
        else None
    )

    if existing is None or spec.mode == "overwrite":
        return _overwrite(con, spec, stage, stage_schema, rows, location, options, existing)

    layout = existing.metadata().partition_columns
    if spec.partition_by and list(spec.partition_by) != list(layout):
        raise LakeWriteError(
            f"{spec.model}: the model is partitioned by {', '.join(spec.partition_by)} but its "
            f"table at {location} by {', '.join(layout) or 'nothing'}; a table's layout "
            "changes only with a full rewrite: run this model once with --full-refresh"
        )
    old_schema = _existing_schema(existing)
    target_schema = _reconcile_schema(spec, stage_schema, old_schema)
    added = [
        f
        for f in target_schema
        if f.name not in old_schema.names and f.name != spec.delete_flag_column
    ]
    if added:
        # The model gained columns: widen the table now (a metadata-only commit), so its view
        # shows them even when this batch brings no rows.
        existing.alter.add_columns([Field.from_arrow(f) for f in added])
        existing = DeltaTable(location, storage_options=options)
    if rows == 0 and spec.mode != "insert_overwrite":  # which may replace declared partitions
        return WriteResult(spec.mode, 0, existing.version(), committed=bool(added))

    def reader() -> pa.RecordBatchReader:
        # Opened last: any other query on the cursor would end DuckDB's result stream.
        return _reader(con, stage, target_schema, stage_schema)

    if spec.mode == "append":
        write_deltalake(existing, reader(), mode="append")
    elif spec.mode == "merge":
        _merge(con, spec, stage, existing, reader, target_schema)
    elif not _insert_overwrite(con, spec, stage, stage_schema, existing, reader, location, rows):
        return WriteResult(spec.mode, rows, existing.version(), committed=bool(added))
    return _result(spec.mode, rows, location, options)


def _overwrite(
    con: duckdb.DuckDBPyConnection,
    spec: WriteSpec,
    stage: str,
    schema: pa.Schema,
    rows: int,
    location: str,
    options: dict[str, str] | None,
    existing: DeltaTable | None,
) -> WriteResult:
    flag = spec.delete_flag_column
    if flag and flag in schema.names:
        # A first build applies deletes by leaving the flagged rows out; the flag is not stored.
        con.execute(f'delete from {stage} where "{flag}"')
        schema = pa.schema([f for f in schema if f.name != flag])
        rows = con.execute(f"select count(*) from {stage}").fetchone()[0]
    if existing is not None and _same_content(con, stage, schema, location, existing, None):
        return WriteResult("overwrite", rows, existing.version(), committed=False)
    if spec.partition_by and rows:
        _overwrite_by_partition_groups(con, stage, schema, spec.partition_by, location, options)
    else:  # unpartitioned, or no rows: an empty table with the schema and partitioning
        write_deltalake(
            location,
            _reader(con, stage, schema, schema),
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=spec.partition_by or None,
            storage_options=options,
        )
    return _result("overwrite", rows, location, options)


def _overwrite_by_partition_groups(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    schema: pa.Schema,
    partition_by: list[str],
    location: str,
    options: dict[str, str] | None,
) -> None:
    """Replace a partitioned table with the staged rows (at least one) a group of
    partitions at a time, in one commit.

    delta-rs's writer keeps every partition's rows in memory until the write ends, so writing
    10 M flights over 360 months at once took 4 GB on top of DuckDB. Here each group of
    ``LAKEHOUSE_PARTITIONS_PER_WRITE`` partitions is written (as a scratch Delta table in a
    ``stage-<id>`` folder inside the table), then one commit replaces the table with all their
    files: readers see the old table or the whole new one, never a part. The scratch table's
    log is removed after the commit; if the build dies before it, its files are unreferenced
    and the next ``make vacuum`` deletes them.
    """
    per_write = int(os.environ.get(PARTITIONS_PER_WRITE_ENV, "24"))
    first = f'"{partition_by[0]}"'  # groups of its values; a group holds all their partitions
    groups = f"{stage}_partition_groups"
    con.execute(
        f"create or replace temp table {groups} as select {first}, "
        f"(row_number() over (order by {first}) - 1) // {per_write} as _group "
        f"from (select distinct {first} from {stage} where {first} is not null)"
    )
    try:
        count = con.execute(f"select coalesce(max(_group), -1) + 1 from {groups}").fetchone()[0]
        selections = [
            f"(select * from {stage} where {first} in "
            f"(select {first} from {groups} where _group = {group}))"
            for group in range(count)
        ]
        if con.execute(f"select count(*) from {stage} where {first} is null").fetchone()[0]:
            selections.append(f"(select * from {stage} where {first} is null)")
        scratch_name = f"stage-{uuid.uuid4().hex}"
        scratch = storage.join(location, scratch_name)
        for rows in selections:
            write_deltalake(
                scratch,
                _reader(con, rows, schema, schema),
                mode="append",
                partition_by=partition_by,
                storage_options=options,
            )
    finally:
        con.execute(f"drop table if exists {groups}")
    scratch_table = DeltaTable(scratch, storage_options=options)
    added = _added_files(scratch)
    create_table_with_add_actions(
        storage.resolve(location),
        scratch_table.schema(),
        [
            AddAction(
                path=f"{scratch_name}/{add['path']}",
                size=add["size"],
                partition_values=add["partitionValues"],
                modification_time=add["modificationTime"],
                data_change=True,
                stats=add.get("stats") or "",
            )
            for add in added
        ],
        mode="overwrite",
        partition_by=partition_by,
        storage_options=options,
        # the commit is a CREATE OR REPLACE TABLE, which has no row metrics: say them here
        commit_properties=CommitProperties(
            custom_metadata={
                "num_added_rows": str(sum(json.loads(a["stats"])["numRecords"] for a in added)),
                "num_added_files": str(len(added)),
            }
        ),
    )
    fs, path = storage.filesystem(scratch)
    fs.rm(f"{path}/_delta_log", recursive=True)


def _added_files(location: str) -> list[dict[str, Any]]:
    """The ``add`` actions of every commit of a table written only by appends."""
    fs, path = storage.filesystem(location)
    added = []
    for commit in sorted(fs.glob(f"{path}/_delta_log/*.json")):
        with fs.open(commit, "r") as lines:
            for line in lines:
                action = json.loads(line)
                if "add" in action:
                    added.append(action["add"])
    return added


def _merge(
    con: duckdb.DuckDBPyConnection,
    spec: WriteSpec,
    stage: str,
    table: DeltaTable,
    reader: Callable[[], pa.RecordBatchReader],
    schema: pa.Schema,
) -> None:
    if not spec.unique_key:
        raise LakeWriteError(f"{spec.model}: incremental_strategy 'merge' needs a unique_key")
    keys = spec.unique_key
    key_list = ", ".join(keys)
    nulls = con.execute(
        f"select count(*) from {stage} where " + " or ".join(f"{k} is null" for k in keys)
    ).fetchone()[0]
    dupes = con.execute(
        f"select count(*) from (select {key_list} from {stage} "
        f"group by {key_list} having count(*) > 1)"
    ).fetchone()[0]
    if nulls or dupes:
        raise LakeWriteError(
            f"{spec.model}: merge source must have one row per unique_key ({key_list}) and no null "
            f"keys; found {dupes} duplicated keys and {nulls} rows with a null key. "
            "Deduplicate the model's new rows on the key before the merge."
        )
    flag = spec.delete_flag_column
    data_columns = [f.name for f in schema if f.name != flag]
    values = {c: f"s.`{c}`" for c in data_columns}
    changed = (
        " or ".join(f"not (t.`{c}` <=> s.`{c}`)" for c in data_columns if c not in keys) or "false"
    )
    predicate = " and ".join(f"t.`{k}` = s.`{k}`" for k in keys)
    predicate += _partition_pruning(con, stage, table, keys)  # queries: before the reader opens
    merger = table.merge(
        reader(),
        predicate=predicate,
        source_alias="s",
        target_alias="t",
    )
    if flag:
        # a null flag is not a delete (as in _overwrite): the row is upserted, not dropped
        deleted = f"coalesce(s.`{flag}`, false)"
        merger = merger.when_matched_delete(predicate=deleted)
        merger = merger.when_matched_update(values, predicate=f"not {deleted} and ({changed})")
        merger = merger.when_not_matched_insert(values, predicate=f"not {deleted}")
    else:
        merger = merger.when_matched_update(values, predicate=changed)
        merger = merger.when_not_matched_insert(values)
    metrics = merger.execute()
    log.info("%s merge metrics: %s", spec.model, metrics)
    staged = con.execute(f"select count(*) from {stage}").fetchone()[0]
    if metrics["num_source_rows"] != staged:
        raise LakeWriteError(
            f"{spec.model}: the merge read {metrics['num_source_rows']} of {staged} staged rows"
        )


def _partition_pruning(
    con: duckdb.DuckDBPyConnection, stage: str, table: DeltaTable, keys: list[str]
) -> str:
    """Restrict a merge to the partitions the new rows fall in.

    Only partition columns that are part of the unique_key qualify: a key then always lives
    in the same partition, so a row of another partition can never match, and the merge reads
    and rewrites only the touched partitions' files instead of the whole table.
    """
    clauses = []
    for column in table.metadata().partition_columns:
        if column not in keys:
            continue
        values = [v for (v,) in con.execute(f'select distinct "{column}" from {stage}').fetchall()]
        clauses.append(f"t.`{column}` in ({', '.join(_literal(v) for v in values)})")
    return "".join(f" and {c}" for c in clauses)


def _insert_overwrite(
    con: duckdb.DuckDBPyConnection,
    spec: WriteSpec,
    stage: str,
    schema: pa.Schema,
    table: DeltaTable,
    reader: Callable[[], pa.RecordBatchReader],
    location: str,
    rows: int,
) -> bool:
    """Replace the partitions of the new rows and those the model declared it recomputed
    (``lake_replaced_months``): a declared partition without new rows is emptied, as every
    row of it is gone upstream. False when nothing changes (no commit)."""
    partitions = table.metadata().partition_columns
    if not partitions:
        raise LakeWriteError(
            f"{spec.model}: incremental_strategy 'insert_overwrite' needs a table partitioned "
            "by partition_by; set partition_by and run with --full-refresh"
        )
    cols = ", ".join(partitions)
    values = con.execute(f"select distinct {cols} from {stage}").fetchall() if rows else []
    values += [v for v in _declared_partitions(con, spec, stage, partitions) if v not in values]
    if not values:  # no rows and no declared partition: nothing to replace
        return False
    predicate = _partitions_predicate(partitions, values)
    scan = f"delta_scan('{storage.duckdb_path(location)}')"
    if not rows and not con.execute(f"select count(*) from {scan} where {predicate}").fetchone()[0]:
        return False  # the declared partitions are empty already (even if the schemas differ)
    if _same_content(con, stage, schema, location, table, predicate):
        return False
    write_deltalake(
        table,
        reader(),
        mode="overwrite",
        predicate=predicate,
    )
    return True


def _partitions_predicate(partitions: list[str], values: list[tuple[Any, ...]]) -> str:
    return " or ".join(
        "(" + " and ".join(_equals(c, v) for c, v in zip(partitions, row, strict=True)) + ")"
        for row in values
    )


def _declared_partitions(
    con: duckdb.DuckDBPyConnection, spec: WriteSpec, stage: str, partitions: list[str]
) -> list[tuple[Any, ...]]:
    """The partitions the model declared it recomputed whole in this invocation (macro
    ``lake_replaced_months``), typed as the staged column: replacing them too empties a month
    whose every row is gone upstream, which the months present in the new rows would miss.
    Tables partitioned by one column only."""
    if len(partitions) != 1 or not spec.invocation_id:
        return []
    [column] = partitions
    types = {row[0]: row[1] for row in con.execute(f"describe {stage}").fetchall()}
    if column not in types:
        return []
    table = lake_catalog.in_catalog_of(spec.relation, REPLACED_PARTITIONS)
    return con.execute(
        f"select distinct cast(partition_value as {types[column]}) from {table} "
        "where relation = ? and invocation_id = ? and partition_column = ?",
        [spec.relation, spec.invocation_id, column],
    ).fetchall()


def _equals(column: str, value: Any) -> str:
    if value is None:
        return f"{column} is null"
    return f"{column} = {_literal(value)}"


def _literal(value: Any) -> str:
    """A value as a SQL literal for delta-rs predicates (DataFusion)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime.datetime):
        return f"cast('{value.isoformat()}' as timestamp)"
    if isinstance(value, datetime.date):
        return f"cast('{value.isoformat()}' as date)"
    text = str(value).replace("'", "''")
    return f"'{text}'"


def _same_content(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    schema: pa.Schema,
    location: str,
    table: DeltaTable,
    predicate: str | None,
) -> bool:
    """True when the table (or the partitions in ``predicate``) already holds exactly ``stage``.

    Compares schemas, row counts and then the multiset of rows with EXCEPT ALL, so a rebuild
    that would produce the same data is skipped instead of committing a new version.
    """
    existing = _existing_schema(table)
    if existing.names != schema.names or not _same_types(existing, schema):
        return False
    cols = ", ".join(f'"{n}"' for n in schema.names)
    where = f" where {predicate}" if predicate else ""
    scan = f"(select {cols} from delta_scan('{storage.duckdb_path(location)}'){where})"
    counts = con.execute(
        f"select (select count(*) from {stage}), (select count(*) from {scan})"
    ).fetchone()
    if counts[0] != counts[1]:
        return False
    diff = con.execute(
        f"select count(*) from (select {cols} from {stage} except all select * from {scan})"
    ).fetchone()[0]
    return diff == 0


def _same_types(left: pa.Schema, right: pa.Schema) -> bool:
    return all(a.type == b.type for a, b in zip(left, right, strict=True))


def _existing_schema(table: DeltaTable) -> pa.Schema:
    return pa.schema(table.schema().to_arrow())


def _reconcile_schema(spec: WriteSpec, new: pa.Schema, old: pa.Schema) -> pa.Schema:
    """Apply ``on_schema_change`` and return the schema the new rows are written with."""
    flag = spec.delete_flag_column
    added = [f for f in new if f.name not in old.names and f.name != flag]
    removed = [f for f in old if f.name not in new.names]
    retyped = [
        f"{f.name}: {old.field(f.name).type} -> {f.type}"
        for f in new
        if f.name in old.names and not _compatible(old.field(f.name).type, f.type)
    ]
    if retyped:
        raise LakeWriteError(
            f"{spec.model}: column types changed ({'; '.join(retyped)}); "
            "run with --full-refresh to rebuild the table with the new types"
        )
    if (added or removed) and spec.on_schema_change == "fail":
        raise LakeWriteError(
            f"{spec.model}: the model's columns no longer match the Delta table "
            f"(added: {[f.name for f in added]}, removed: {[f.name for f in removed]}) and "
            "on_schema_change is 'fail'; use 'append_new_columns' or --full-refresh"
        )
    fields = [old.field(n) for n in old.names]
    if spec.on_schema_change == "append_new_columns":
        fields += added
    if flag and flag in new.names:
        fields.append(new.field(flag))
    return pa.schema(fields)


def _compatible(old: pa.DataType, new: pa.DataType) -> bool:
    if old == new:
        return True
    widening = {
        pa.int8(): {pa.int16(), pa.int32(), pa.int64()},
        pa.int16(): {pa.int32(), pa.int64()},
        pa.int32(): {pa.int64()},
        pa.float32(): {pa.float64()},
    }
    # A narrower incoming type can always be cast up to the table's wider type.
    return old in widening.get(new, set())


def _delta_schema(schema: pa.Schema) -> pa.Schema:
    """Map DuckDB's Arrow types to ones Delta stores at reader protocol 1 / writer 2.

    A naive timestamp would become ``timestamp_ntz`` (reader 3 / writer 7, unreadable by
    Synapse Serverless), so naive timestamps are declared UTC: the session runs in UTC.
    """
    fields = []
    for f in schema:
        t = f.type
        if pa.types.is_timestamp(t):
            t = pa.timestamp("us", tz="UTC")
        elif pa.types.is_large_string(t) or pa.types.is_string_view(t):
            t = pa.string()
        elif pa.types.is_unsigned_integer(t):
            t = {8: pa.int16(), 16: pa.int32(), 32: pa.int64(), 64: pa.int64()}[t.bit_width]
        elif pa.types.is_time(t) or pa.types.is_duration(t) or pa.types.is_interval(t):
            raise LakeWriteError(
                f"column '{f.name}' has type {t}, which Delta cannot store; cast it to a "
                "timestamp, a number of seconds or a string in the model"
            )
        fields.append(pa.field(f.name, t, nullable=True))
    return pa.schema(fields)


def _reader(
    con: duckdb.DuckDBPyConnection, stage: str, target: pa.Schema, stage_schema: pa.Schema
) -> pa.RecordBatchReader:
    """Stream the staged rows in the target schema (missing columns as nulls), batch by batch."""
    select = ", ".join(
        f'"{f.name}"' if f.name in stage_schema.names else f'null as "{f.name}"' for f in target
    )
    source = con.execute(f"select {select} from {stage}").to_arrow_reader(100_000)
    return pa.RecordBatchReader.from_batches(target, (batch.cast(target) for batch in source))


def _check_not_null(
    con: duckdb.DuckDBPyConnection, spec: WriteSpec, stage: str, columns: list[str]
) -> None:
    for column in columns:
        nulls = con.execute(f'select count(*) from {stage} where "{column}" is null').fetchone()[0]
        if nulls:
            raise LakeWriteError(
                f"{spec.model}: contract says '{column}' is not null, but {nulls} rows are null"
            )


def _result(
    operation: str,
    rows: int,
    location: str,
    options: dict[str, str] | None,
) -> WriteResult:
    table = DeltaTable(location, storage_options=options)
    protocol = table.protocol()
    if protocol.min_reader_version != 1 or protocol.min_writer_version != 2:
        raise LakeWriteError(
            f"{location}: Delta protocol rose to reader {protocol.min_reader_version} / writer "
            f"{protocol.min_writer_version}; Synapse Serverless reads only reader 1"
        )
    return WriteResult(operation, rows, table.version(), committed=True)


def compact_small_files(location: str, options: dict[str, str] | None) -> list[str]:
    """Compact every partition holding too many small files; returns what was compacted.

    Why here: each incremental batch appends or merges a few thousand rows as a new file, so
    after a month of daily builds a partition is dozens of small files that every reader lists
    and opens. Only small files are rewritten, into files of up to COMPACT_TARGET_BYTES, so the
    cost stays bounded by the threshold, not by the table's size.
    """
    threshold = int(os.environ.get(COMPACT_MIN_FILES_ENV, "24"))
    table = DeltaTable(location, storage_options=options)
    files = pa.table(table.get_add_actions(flatten=True)).to_pylist()
    columns = table.metadata().partition_columns
    counts: dict[tuple[Any, ...], int] = {}
    for f in files:
        if f["size_bytes"] < COMPACT_TARGET_BYTES:
            key = tuple(f[f"partition.{c}"] for c in columns)
            counts[key] = counts.get(key, 0) + 1
    compacted = []
    for key, count in sorted(counts.items(), key=str):
        if count < threshold:
            continue
        filters = [(c, "=", _partition_text(v)) for c, v in zip(columns, key, strict=True)]
        table.optimize.compact(partition_filters=filters or None, target_size=COMPACT_TARGET_BYTES)
        compacted.append(", ".join(f"{c}={v}" for c, _, v in filters) or "whole table")
    return compacted


def _partition_text(value: Any) -> str:
    """A partition value as Delta stores it in the log (dates as ISO text)."""
    return value.isoformat() if isinstance(value, datetime.date) else str(value)
