"""One delivery of more than a million rows: read, merged and accounted for like a small one."""

from __future__ import annotations

from collections.abc import Callable

from lakehouse import duckdb_ext, faults

from .conftest import Lakehouse

TARGET_ROWS = 1_000_000


def test_a_million_row_delivery_is_fully_accounted_for(
    make_lakehouse: Callable[..., Lakehouse],
) -> None:
    lh = make_lakehouse("large")
    lh.land("2013-01-01", "2013-01-01")
    header, rows = lh.clean_flights("2013-01-02")
    big = lh.landing / "flights" / "flights_2013-01-02_backfill.csv"
    big.write_bytes(faults.large_delivery(header, rows, TARGET_ROWS))
    delivered = len(big.read_text().splitlines()) - 1
    assert delivered >= TARGET_ROWS

    lh.dbt(
        "build",
        "-s",
        "+audit_flight_reconciliation",
        "--exclude",
        "tag:ml",
        "--indirect-selection",
        "cautious",
    )

    with duckdb_ext.connect(str(lh.catalog), read_only=True) as con:
        ((verdict, in_bronze),) = con.execute(
            "select verdict, rows_in_bronze from audit.audit_landing_files "
            "where _source_file = 'flights/flights_2013-01-02_backfill.csv'"
        ).fetchall()
        assert (verdict, in_bronze) == ("read", delivered)
        ((silver,),) = con.execute(
            "select count(*) from silver.silver_flights where flight_date = date '2013-01-02'"
        ).fetchall()
        ((quarantined,),) = con.execute(
            "select count(*) from silver.silver_flights_quarantine "
            "where _source_file = 'flights/flights_2013-01-02_backfill.csv'"
        ).fetchall()
        assert silver + quarantined == delivered and quarantined == 0
        ((reconciled,),) = con.execute(
            "select is_reconciled from audit.audit_flight_reconciliation"
        ).fetchall()
        assert reconciled
