"""Two builds on one lake at once: one writes, the other fails cleanly or waits its turn.

The builds use separate DuckDB catalogs, so only the lake's own lock keeps them apart (one
catalog file would already be locked by DuckDB itself). The refusal is tested against a
holder that keeps the lock until told to let go: two real builds started together overlap
only if the first is still writing when the second starts, which a loaded machine does not
guarantee (the first can finish before the second has parsed the project).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from deltalake import DeltaTable

from .conftest import BIN, REPO, Lakehouse

BUSY = "another build is writing the lake"


def start_build(lh: Lakehouse, catalog: str, **env: str) -> subprocess.Popen[str]:
    environment = lh.env()
    environment.update(
        LAKEHOUSE_DUCKDB_PATH=str(lh.root / catalog),
        DBT_TARGET_PATH=str(lh.root / f"target_{catalog}"),
        DBT_LOG_PATH=str(lh.root / f"logs_{catalog}"),
        **env,
    )
    return subprocess.Popen(
        [str(BIN / "dbt"), "run", "-s", "bronze_flights", "bronze_weather"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def delivered_rows(lh: Lakehouse, stream: str) -> int:
    return sum(
        len(path.read_text().splitlines()) - 1 for path in (lh.landing / stream).glob("*.csv")
    )


@pytest.fixture()
def lakehouse(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lh = make_lakehouse("concurrent")
    lh.land("2013-01-01", "2013-01-03")
    return lh


def hold_lock(lh: Lakehouse) -> subprocess.Popen[str]:
    """A process that holds the lake's lock, as a running build does, until its stdin closes."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from lakehouse import lake_lock\n"
            "handle = lake_lock.acquire(sys.argv[1])\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n",
            str(lh.lake),
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_second_build_fails_cleanly_while_the_first_writes(lakehouse: Lakehouse) -> None:
    holder = hold_lock(lakehouse)
    try:
        refused = start_build(lakehouse, "b.duckdb")
        output = refused.communicate(timeout=600)[0]
        assert refused.returncode != 0, output
        assert BUSY in output and "LAKEHOUSE_LOCK_TIMEOUT" in output, output
        assert f"pid {holder.pid}" in output, output  # names the build to wait for
        assert not (lakehouse.lake / "bronze").exists()  # wrote nothing
    finally:
        holder.communicate(input="", timeout=60)

    after = start_build(lakehouse, "b.duckdb")
    output = after.communicate(timeout=600)[0]
    assert after.returncode == 0, output
    for stream in ("flights", "weather"):
        table = DeltaTable(str(lakehouse.lake / "bronze" / f"bronze_{stream}"))
        assert table.version() == 0  # one commit: written once
        assert table.to_pyarrow_table().num_rows == delivered_rows(lakehouse, stream)


def test_with_a_timeout_the_second_build_waits_and_finds_nothing_new(
    lakehouse: Lakehouse,
) -> None:
    builds = [
        start_build(lakehouse, name, LAKEHOUSE_LOCK_TIMEOUT="600")
        for name in ("a.duckdb", "b.duckdb")
    ]
    outputs = [build.communicate(timeout=900)[0] for build in builds]
    assert [build.returncode for build in builds] == [0, 0], outputs
    for stream in ("flights", "weather"):
        table = DeltaTable(str(lakehouse.lake / "bronze" / f"bronze_{stream}"))
        assert table.version() == 0  # the second build appended nothing
        assert table.to_pyarrow_table().num_rows == delivered_rows(lakehouse, stream)
