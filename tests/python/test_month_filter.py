"""The bronze month filter's text shortcut selects exactly the rows the timestamp parse selects."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pytest

from lakehouse import duckdb_ext

from .conftest import Lakehouse

RAW_TIME_HOURS = [
    "2013-01-01T10:00:00Z",
    "2013-01-31T23:00:00Z",
    "2013-02-01T00:00:00Z",
    "2013-02-01 05:00:00",
    "2013-02-01T00:30:00+02:00",  # January in UTC, February in its text
    "2013-01-31T23:30:00-02:00",  # February in UTC, January in its text
    " 2013-01-05T10:00:00Z ",
    "2013-1-5 10:00:00",
    "2013-13-45T00:00:00Z",  # shaped like a time, but does not parse
    "NA",
    "",
    "soon",
    None,
]


MONTH_SETS = [["2013-01-01"], ["2013-02-01"], ["2013-01-01", "2013-03-01"], ["1900-01-01"], []]


@pytest.fixture(scope="module")
def selected(make_lakehouse: Callable[..., Lakehouse]) -> list[list[str]]:
    """Per month set, the raw texts the filter selects, as dbt renders it for DuckDB (one
    ``dbt compile --inline`` renders all sets: one column each)."""
    columns = ", ".join(
        f"case when {{{{ lake_raw_time_hour_in_months('raw', {months!r}, '1900-01-01') }}}} "
        f"then 1 else 0 end as set_{i}"
        for i, months in enumerate(MONTH_SETS)
    )
    out = make_lakehouse("month_filter").dbt(
        "compile", "--quiet", "--inline", f"select raw, {columns} from raw_rows"
    )
    sql = out.stdout[out.stdout.index("select raw") :]
    rows = raw_rows().execute(sql).fetchall()
    return [sorted(str(row[0]) for row in rows if row[i + 1]) for i in range(len(MONTH_SETS))]


def raw_rows() -> duckdb.DuckDBPyConnection:
    con = duckdb_ext.connect()
    con.execute("create table raw_rows (raw varchar)")
    con.executemany("insert into raw_rows values (?)", [[raw] for raw in RAW_TIME_HOURS])
    return con


@pytest.mark.parametrize("index", range(len(MONTH_SETS)))
def test_shortcut_equals_the_parse(selected: list[list[str]], index: int) -> None:
    months = MONTH_SETS[index]
    exact = (
        "select raw from raw_rows where coalesce(cast(date_trunc('month', "
        "try_cast(nullif(nullif(trim(raw), ''), 'NA') as timestamptz)) as date), "
        "date '1900-01-01') in (select unnest(cast(? as date[])))"
    )
    expected = sorted(str(raw) for (raw,) in raw_rows().execute(exact, [months]).fetchall())
    assert selected[index] == expected
    if months == ["2013-01-01"]:  # the offsets decide by their UTC month
        assert "2013-02-01T00:30:00+02:00" in expected
        assert "2013-01-31T23:30:00-02:00" not in expected
