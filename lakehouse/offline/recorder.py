"""A stand-in for the database connection of the cloud adapters, so `dbt build` runs offline.

Why: there is no Databricks or Synapse account here, yet the SQL dbt sends them must be
checked. The adapters' own connection managers are kept (they decide what SQL is sent);
only the network handle they open is replaced by one that records each statement and
answers with empty results, except for the few questions dbt cannot do without (a test's
failure count). Whether relations exist is answered one level up, in the adapter's listing
call, from the project's manifest. This touches private adapter APIs: the adapter versions
are pinned in requirements.lock and tests/python/test_offline_engines.py runs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dbt_common.events.contextvars import get_node_info

# dbt's data-test wrapper: it must get one row (failures, should_warn, should_error).
_TEST_QUERY = re.compile(r"dbt_internal_test", re.IGNORECASE)


@dataclass
class Statement:
    """One statement as the adapter sent it, with the dbt node that sent it."""

    sql: str
    node: str  # unique_id, or '' for statements outside a node (schema creation, listing)
    kind: str = "sql"  # 'sql', or 'python' for a submitted Python model


@dataclass
class Recording:
    """Everything sent during one offline dbt invocation."""

    statements: list[Statement] = field(default_factory=list)

    def add(self, sql: str, kind: str = "sql") -> None:
        node = get_node_info().get("unique_id", "")
        self.statements.append(Statement(sql=sql, node=node, kind=kind))


def canned_answer(sql: str) -> tuple[list[str], list[tuple]]:
    """Columns and rows the fake database returns for a statement: a passing data test for
    dbt's test wrapper, nothing for everything else."""
    if _TEST_QUERY.search(sql):
        return ["failures", "should_warn", "should_error"], [(0, False, False)]
    return [], []


class FakeCursor:
    """Enough of a DB-API cursor (pyodbc and databricks-sql flavours) for dbt's adapters."""

    def __init__(self, recording: Recording, connection: FakeConnection) -> None:
        self._recording = recording
        self.connection = connection
        self.description: list[tuple] | None = None
        self._rows: list[tuple] = []
        self.rowcount = -1
        self.query_id = "offline"

    def execute(self, sql: str, bindings: Sequence[Any] | None = None) -> FakeCursor:
        self._recording.add(sql)
        columns, rows = canned_answer(sql)
        described = [(c, "<class 'str'>", None, None, None, None, None) for c in columns]
        self.description = described or None
        self._rows = list(rows)
        self.rowcount = len(rows)
        return self

    # databricks-sql cursor listing calls: nothing exists in an empty warehouse
    def schemas(self, *args: Any, **kwargs: Any) -> FakeCursor:
        return self._empty(["TABLE_SCHEM", "TABLE_CATALOG"])

    def tables(self, *args: Any, **kwargs: Any) -> FakeCursor:
        return self._empty(["TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"])

    def _empty(self, columns: list[str]) -> FakeCursor:
        self.description = [(c, "string", None, None, None, None, None) for c in columns]
        self._rows = []
        return self

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self) -> tuple | None:
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size: int) -> list[tuple]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def nextset(self) -> bool:
        return False

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> FakeCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class FakeConnection:
    """A pyodbc/databricks-sql connection whose cursors record instead of executing."""

    def __init__(self, recording: Recording) -> None:
        self._recording = recording
        self.timeout = 0

    def cursor(self) -> FakeCursor:
        return FakeCursor(self._recording, self)

    def get_session_id_hex(self) -> str:
        return "offline"

    def add_output_converter(self, *args: Any) -> None:
        pass

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class ExistingRelations:
    """What the fake warehouse reports as already built: relation names per schema (lower
    case) with their type, and each relation's columns (name, data type)."""

    relation_type: str  # 'table' on Databricks (Delta tables), 'view' on Synapse serverless
    names: dict[str, set[str]] = field(default_factory=dict)
    columns: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: a model's delete_flag_column by "schema.name": its work relation (the model's SELECT)
    #: has that column too, its table does not (the flag is never stored)
    flags: dict[str, str] = field(default_factory=dict)


# dbt's work relations (<model>__dbt_tmp, ...) have the columns of their model
_WORK_SUFFIX = re.compile(r"__dbt_(tmp|backup|new|stg)\w*$")


def _columns_of(existing: ExistingRelations | None, relation: Any) -> list[tuple[str, str]]:
    if existing is None:
        return []
    identifier = str(relation.identifier)
    name = _WORK_SUFFIX.sub("", identifier).lower()
    key = f"{relation.schema}.{name}".lower()
    if key not in existing.columns:  # work relations may carry no schema; model names are unique
        key = next((k for k in existing.columns if k.split(".")[-1] == name), key)
    found = existing.columns.get(key, [])
    flag = existing.flags.get(key)
    if flag and name != identifier.lower():
        found = [*found, (flag, "boolean")]
    return found


@contextmanager
def _patched(owner: type, name: str, replacement: Any) -> Iterator[None]:
    """Set a class attribute for the duration; restore it (or remove it when it was inherited)."""
    missing = object()
    original = owner.__dict__.get(name, missing)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        if original is missing:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


def _open_with(handle_factory: Callable[[], Any]) -> classmethod:
    from dbt.adapters.contracts.connection import ConnectionState

    def open_(cls: type, connection: Any) -> Any:
        if connection.state == ConnectionState.OPEN:
            return connection
        connection.handle = handle_factory()
        connection.state = ConnectionState.OPEN
        return connection

    return classmethod(open_)


@contextmanager
def recording_databricks(
    recording: Recording, existing: ExistingRelations | None
) -> Iterator[None]:
    """Patch dbt-databricks: the connection records, Python models are recorded instead of
    submitted, and (when `existing` is given) the listing reports those relations."""
    from dbt.adapters.contracts.connection import AdapterResponse
    from dbt.adapters.databricks.column import DatabricksColumn
    from dbt.adapters.databricks.connections import DatabricksConnectionManager
    from dbt.adapters.databricks.handle import DatabricksHandle
    from dbt.adapters.databricks.impl import DatabricksAdapter
    from dbt.adapters.databricks.relation import DatabricksRelation

    def handle() -> DatabricksHandle:
        return DatabricksHandle(FakeConnection(recording), is_cluster=False)  # type: ignore[arg-type]

    def submit_python_job(self: Any, parsed_model: dict, compiled_code: str) -> AdapterResponse:
        recording.add(compiled_code, kind="python")
        return AdapterResponse(_message="OK (recorded)")

    def list_relations(self: Any, schema_relation: Any) -> list[Any]:
        names = (existing.names if existing else {}).get(str(schema_relation.schema).lower(), set())
        return [
            DatabricksRelation.create(
                database=schema_relation.database,
                schema=schema_relation.schema,
                identifier=name,
                type=existing.relation_type,  # type: ignore[union-attr]
                is_delta=True,
                metadata={"Provider": "delta"},
            )
            for name in sorted(names)
        ]

    def get_columns(self: Any, relation: Any) -> list[Any]:
        found = _columns_of(existing, relation)
        return [DatabricksColumn(column=name, dtype=dtype) for name, dtype in found]

    with (
        _patched(DatabricksConnectionManager, "open", _open_with(handle)),
        _patched(
            DatabricksConnectionManager,
            "_query_dbr_version",
            classmethod(lambda cls, creds, http_path: (2**31, 0)),
        ),
        _patched(DatabricksAdapter, "submit_python_job", submit_python_job),
        _patched(DatabricksAdapter, "list_relations_without_caching", list_relations),
        _patched(DatabricksAdapter, "get_columns_in_relation", get_columns),
    ):
        yield


@contextmanager
def recording_synapse(recording: Recording, existing: ExistingRelations | None) -> Iterator[None]:
    """Patch dbt-synapse: the pyodbc connection records; (when `existing` is given) the
    listing reports those relations."""
    from dbt.adapters.synapse.synapse_adapter import SynapseAdapter
    from dbt.adapters.synapse.synapse_column import SynapseColumn
    from dbt.adapters.synapse.synapse_connection_manager import SynapseConnectionManager

    def list_relations(self: Any, schema_relation: Any) -> list[Any]:
        names = (existing.names if existing else {}).get(str(schema_relation.schema).lower(), set())
        return [
            self.Relation.create(
                database=schema_relation.database,
                schema=schema_relation.schema,
                identifier=name,
                type=existing.relation_type,  # type: ignore[union-attr]
            )
            for name in sorted(names)
        ]

    def get_columns(self: Any, relation: Any) -> list[Any]:
        found = _columns_of(existing, relation)
        return [SynapseColumn(column=name, dtype=dtype) for name, dtype in found]

    with (
        _patched(SynapseConnectionManager, "open", _open_with(lambda: FakeConnection(recording))),
        _patched(SynapseAdapter, "list_relations_without_caching", list_relations),
        _patched(SynapseAdapter, "get_columns_in_relation", get_columns),
    ):
        yield


def recording_for(target_type: str) -> Callable[..., Any]:
    """The patcher for an adapter type."""
    patchers = {"databricks": recording_databricks, "synapse": recording_synapse}
    if target_type not in patchers:
        raise ValueError(f"no offline recorder for adapter type {target_type!r}")
    return patchers[target_type]
