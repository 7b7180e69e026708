"""A month whose every flight is deleted upstream is emptied in gold too.

``fct_flights`` and ``ml_flight_features`` rebuild whole months (insert_overwrite). They
declare the months they recompute to the Delta writer (``lake_replaced_months``), so a month
left without flights in silver is replaced by nothing instead of keeping its old rows, which
overwriting only the months present in the new rows would do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from deltalake import DeltaTable

from lakehouse import duckdb_ext

from .conftest import Lakehouse

MODELS = ("+fct_flights", "+ml_flight_features")
JANUARY, FEBRUARY = date(2013, 1, 1), date(2013, 2, 1)


@pytest.fixture(scope="module")
def lakehouse(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lh = make_lakehouse("emptied_month")
    lh.land("2013-01-01", "2013-01-01")
    lh.land("2013-02-15", "2013-02-15")  # February's only day: all its flights in February (UTC)
    lh.dbt("seed")
    lh.dbt("run", "-s", *MODELS)
    return lh


def rows_per_month(lh: Lakehouse, layer: str, table: str) -> dict[date, int]:
    with duckdb_ext.connect() as con:
        return dict(
            con.execute(
                "select _partition_month, count(*) from delta_scan(?) group by _partition_month",
                [str(lh.lake / layer / table)],
            ).fetchall()
        )


def test_a_month_deleted_upstream_is_emptied_in_gold(lakehouse: Lakehouse) -> None:
    before = {
        t: rows_per_month(lakehouse, "gold", t) for t in ("fct_flights", "ml_flight_features")
    }
    assert all(counts.get(FEBRUARY, 0) > 0 for counts in before.values())

    header, *rows = (
        (lakehouse.landing / "flights" / "flights_2013-02-15.csv").read_text().splitlines()
    )
    corrections = lakehouse.landing / "flight_corrections" / "flight_corrections_2013-02-16.csv"
    corrections.parent.mkdir(exist_ok=True)
    corrections.write_text(
        "\n".join([f"{header},change_type", *(f"{row},delete" for row in rows)]) + "\n"
    )
    lakehouse.dbt("run", "-s", *MODELS)

    assert FEBRUARY not in rows_per_month(lakehouse, "silver", "silver_flights")
    for table, counts in before.items():
        after = rows_per_month(lakehouse, "gold", table)
        assert FEBRUARY not in after, table
        assert after[JANUARY] == counts[JANUARY], table  # the other month untouched
    # nothing left to replace: the next build commits nothing to fct_flights
    fct = str(lakehouse.lake / "gold" / "fct_flights")
    version = DeltaTable(fct).version()
    lakehouse.dbt("run", "-s", *MODELS)
    assert DeltaTable(fct).version() == version
