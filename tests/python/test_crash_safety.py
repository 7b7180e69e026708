"""SIGKILL the build at many points; the lake stays readable and the next run repairs it.

A chain of trials: each lands one more day, starts `dbt run`, waits until a chosen model has
started (a bronze append, a silver merge, a gold rewrite, an audit) or a random moment, waits a
random fraction of a second more and kills the process group with SIGKILL. After each kill
every Delta table must open and read, stay at protocol 1/2, and bronze must hold no row twice.
Later trials start from the wreck the earlier ones left. At the end one `dbt build` (tests
included) must pass, and silver and gold must equal a clean build of the same deliveries.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable

from lakehouse import lake_catalog

from .conftest import BIN, NO_ML, REPO, Lakehouse
from .lake_compare import table_rows

TRIALS = 20
#: Models to kill inside, in turn (None: a random moment, often between models).
TARGETS = (
    "bronze.bronze_flights",
    "silver.silver_flights",
    "gold.fct_flights",
    None,
    "bronze.bronze_weather",
    "silver.silver_weather",
    "gold.agg_ontime_by_route",
    "silver.silver_flights_quarantine",
    "audit.audit_landing_files",
    "gold.dim_planes",
)


def wait_for_start(log: Path, offset: int, model: str | None, build: subprocess.Popen) -> bool:
    """Wait until ``model`` has started in the run's log (True), or the run ended (False)."""
    marker = f"START sql {{}} model {model} " if model else None
    while build.poll() is None:
        text = log.read_text(errors="replace")[offset:] if log.exists() else ""
        if marker is None and "Concurrency:" in text:
            return True
        if marker and any(marker.format(kind) in text for kind in ("incremental", "table")):
            return True
        time.sleep(0.05)
    return False


def check_lake(lake: Path) -> int:
    """Every Delta table opens, reads and stays at protocol 1/2; no bronze row is doubled."""
    con = duckdb.connect()
    tables = lake_catalog.delta_tables(str(lake))
    for layer, name, location in tables:
        table = DeltaTable(location)
        protocol = table.protocol()
        assert (protocol.min_reader_version, protocol.min_writer_version) == (1, 2), name
        rows = table.to_pyarrow_table()
        if layer == "bronze":
            con.register("bronze", rows)
            doubled = con.execute(
                "select count(*) from (select _source_file, _row_number from bronze "
                "group by _source_file, _row_number having count(*) > 1)"
            ).fetchone()[0]
            assert doubled == 0, f"{name}: rows ingested twice"
            con.unregister("bronze")
    return len(tables)


@pytest.fixture(scope="module")
def crashed(make_lakehouse: Callable[..., Lakehouse]) -> tuple[Lakehouse, list[str]]:
    lh = make_lakehouse("crash")
    lh.land("2013-01-01", "2013-01-02")
    lh.dbt("seed")
    lh.dbt("run", *NO_ML)
    rng = random.Random(13)
    log = lh.root / "logs" / "dbt.log"
    outcomes = []
    for trial in range(TRIALS):
        day = (date(2013, 1, 3) + timedelta(days=trial)).isoformat()
        lh.land(day, day)
        target = TARGETS[trial % len(TARGETS)]
        offset = len(log.read_text(errors="replace")) if log.exists() else 0
        build = subprocess.Popen(
            [str(BIN / "dbt"), "run", *NO_ML],
            cwd=REPO,
            env=lh.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kill takes every child
        )
        started = wait_for_start(log, offset, target, build)
        time.sleep(rng.uniform(0.0, 1.5) if target else rng.uniform(0.5, 12.0))
        killed = build.poll() is None
        if killed:
            os.killpg(build.pid, signal.SIGKILL)
        build.wait()
        outcomes.append(f"{day} {target or 'random'}: {'killed' if killed else 'finished'}")
        assert started or not killed
        check_lake(lh.lake)
    lh.dbt("build", *NO_ML)
    return lh, outcomes


@pytest.fixture(scope="module")
def clean(
    make_lakehouse: Callable[..., Lakehouse], crashed: tuple[Lakehouse, list[str]]
) -> Lakehouse:
    lh = make_lakehouse("clean", landing=crashed[0].landing)
    lh.dbt("seed")
    lh.dbt("run", *NO_ML)
    return lh


def test_most_trials_were_killed_mid_run(crashed: tuple[Lakehouse, list[str]]) -> None:
    _, outcomes = crashed
    killed = [outcome for outcome in outcomes if outcome.endswith("killed")]
    assert len(outcomes) == TRIALS and len(killed) >= TRIALS * 3 // 4, outcomes


def test_recovered_lake_equals_a_clean_build(
    crashed: tuple[Lakehouse, list[str]], clean: Lakehouse
) -> None:
    recovered, _ = crashed
    assert check_lake(recovered.lake) == check_lake(clean.lake)
    con = duckdb.connect()
    from lakehouse import duckdb_ext

    duckdb_ext.load_extensions(con)
    compared = 0
    for layer, name, _ in lake_catalog.delta_tables(str(clean.lake)):
        if layer not in ("silver", "gold"):
            continue
        got = table_rows(recovered.lake, layer, name, con)
        assert got == table_rows(clean.lake, layer, name, con), f"{layer}.{name} differs"
        compared += 1
    assert compared >= 20
