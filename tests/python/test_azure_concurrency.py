"""Two writers, one Delta table on Azurite: one commit wins, the loser fails cleanly or retries.

Azurite has no atomic rename, so safety rests on the commit file being created only if it
does not exist (delta-rs' conditional put). A stale writer must get a conflict, not overwrite
the winner's commit; blind appends may retry onto the next version; the table must stay
readable at every version, by delta-rs and DuckDB alike.
"""

from __future__ import annotations

import multiprocessing as mp
import uuid

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError

from lakehouse import delta_writer, duckdb_ext, storage

from .azurite_support import azurite_server  # noqa: F401 (fixture)

KEYS = list(range(20))


@pytest.fixture
def table_url(azurite_server) -> str:  # noqa: F811
    """A fresh Delta table of 20 keys at version 0 in the ``lake`` container."""
    url = f"az://lake/concurrency/t_{uuid.uuid4().hex[:8]}"
    storage.ensure_container(url)
    write_deltalake(
        url,
        pa.table({"k": KEYS, "v": ["initial"] * len(KEYS)}),
        storage_options=storage.storage_options(url),
    )
    return url


def _open(url: str, version: int | None = None) -> DeltaTable:
    return DeltaTable(url, version=version, storage_options=storage.storage_options(url))


def _merge(table: DeltaTable, tag: str, keys: list[int]) -> dict:
    source = pa.table({"k": keys, "v": [tag] * len(keys)})
    return (
        table.merge(source, "t.k = s.k", source_alias="s", target_alias="t")
        .when_matched_update_all()
        .when_not_matched_insert_all()
        .execute()
    )


def _contents(url: str, version: int | None = None) -> dict[int, str]:
    return {r["k"]: r["v"] for r in _open(url, version).to_pyarrow_table().to_pylist()}


def _assert_readable_everywhere(url: str) -> None:
    latest = _open(url).version()
    for version in range(latest + 1):  # every commit of the log parses and its files exist
        _open(url, version).to_pyarrow_table()
    con = duckdb_ext.connect()
    assert con.execute(f"select count(*) from delta_scan('{url}')").fetchone()[0] == len(
        _contents(url)
    )


def test_stale_merge_fails_cleanly_and_a_retry_commits(table_url: str) -> None:
    winner, loser = _open(table_url), _open(table_url)  # both read version 0
    _merge(winner, "A", [1, 2, 3])
    with pytest.raises(CommitFailedError, match="concurrent"):
        _merge(loser, "B", [2, 3, 4])
    assert _open(table_url).version() == 1
    after_conflict = _contents(table_url)
    assert [after_conflict[k] for k in (1, 2, 3, 4)] == ["A", "A", "A", "initial"]

    _merge(_open(table_url), "B", [2, 3, 4])  # the retry reads the winner's commit first
    assert _open(table_url).version() == 2
    final = _contents(table_url)
    assert [final[k] for k in (1, 2, 3, 4, 5)] == ["A", "B", "B", "B", "initial"]
    assert _contents(table_url, version=1) == after_conflict
    _assert_readable_everywhere(table_url)


def test_stale_overwrite_fails_and_stale_append_retries(table_url: str) -> None:
    first, second = _open(table_url), _open(table_url)
    write_deltalake(first, pa.table({"k": [100], "v": ["first"]}), mode="overwrite")
    with pytest.raises(CommitFailedError):
        write_deltalake(second, pa.table({"k": [200], "v": ["second"]}), mode="overwrite")
    assert _contents(table_url) == {100: "first"}

    a, b = _open(table_url), _open(table_url)
    write_deltalake(a, pa.table({"k": [300], "v": ["a"]}), mode="append")
    write_deltalake(b, pa.table({"k": [301], "v": ["b"]}), mode="append")  # blind: retried
    assert _open(table_url).version() == 3
    assert _contents(table_url) == {100: "first", 300: "a", 301: "b"}
    _assert_readable_everywhere(table_url)


def _writer_process(url: str, tag: str, env: dict[str, str], barrier, results) -> None:
    """One model run of the project's writer (stage in DuckDB, merge with delta-rs)."""
    import os

    os.environ.update(env)
    con = duckdb_ext.connect()
    values = ", ".join(f"({k}, '{tag}')" for k in KEYS)
    spec = delta_writer.WriteSpec(
        model=f"model.race.{tag}",
        relation=f"main.race_{tag}",
        schema="main",
        location=url,
        sql=f"select * from (values {values}) as v(k, v)",
        mode="merge",
        unique_key=["k"],
        on_schema_change="fail",
    )
    barrier.wait()
    try:
        delta_writer.run(con, spec)
        results.put((tag, "committed", ""))
    except delta_writer.LakeWriteError as exc:
        results.put((tag, "conflict", str(exc)))
    except Exception as exc:  # anything else is a failure of the test, reported by the parent
        results.put((tag, "error", f"{type(exc).__name__}: {exc}"))


def test_two_writer_processes_race_on_one_table(table_url: str, azurite_server) -> None:  # noqa: F811
    ctx = mp.get_context("spawn")  # deltalake panics in forked processes
    barrier, results = ctx.Barrier(2), ctx.Queue()
    env = azurite_server.env()
    procs = [
        ctx.Process(target=_writer_process, args=(table_url, tag, env, barrier, results))
        for tag in ("left", "right")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    outcomes = {tag: (status, detail) for tag, status, detail in (results.get() for _ in procs)}

    assert not [o for o in outcomes.values() if o[0] == "error"], outcomes
    committed = sorted(tag for tag, (status, _) in outcomes.items() if status == "committed")
    assert committed, "neither writer committed"
    for tag, (status, detail) in outcomes.items():
        if status == "conflict":  # the loser says what happened and what to do
            assert "another writer committed" in detail and "re-run the model" in detail, tag
    table = _open(table_url)
    assert table.version() == len(committed)  # one commit per successful writer, no more
    merges = [c for c in table.history() if c["operation"] == "MERGE"]
    assert len(merges) == len(committed)
    final = set(_contents(table_url).values())
    assert len(final) == 1 and final <= set(committed), final  # one writer's rows, whole
    _assert_readable_everywhere(table_url)
