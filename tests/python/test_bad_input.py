"""Bad input never crashes the build or loses a row.

A delivery with malformed rows (too many and too few fields, a byte that is not UTF-8), values
that do not parse, an impossible date and a missing key is built next to two clean days: the
build passes, every delivered row is in bronze, and each bad one is in quarantine with its rule.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lakehouse import duckdb_ext

from .conftest import NO_ML, Lakehouse

# UTF-8 with a valid accent, so the file is UTF-8 and its one broken byte rejects one row
GOOD = "2013,1,7,517,515,2,830,819,11,UA,1545,Ñ14228,EWR,IAH,227,1400,5,15,2013-01-07T10:00:00Z"
BAD_ROWS = {
    # line in file (header is line 1) -> expected failed_rule prefix
    3: (
        "2013,1,7,517,515,2,830,819,11,UA,9999,N1,EWR,IAH,227,1400,5,15,2013-01-07T10:00:00Z,X",
        "malformed row: TOO MANY COLUMNS",
    ),
    4: ("2013,1,7,517,515,2,830", "malformed row: MISSING COLUMNS"),
    5: (
        "2013,1,7,517,515,abc,830,819,11,UA,9998,N1,EWR,IAH,227,1400,5,15,2013-01-07T10:00:00Z",
        "unparseable number: dep_delay",
    ),
    6: (
        "2013,2,30,517,515,2,830,819,11,UA,9997,N1,EWR,IAH,227,1400,5,15,2013-01-07T10:00:00Z",
        "invalid date",
    ),
    7: (
        "2013,1,7,517,515,2,830,819,11,NA,9996,N1,EWR,IAH,227,1400,5,15,2013-01-07T10:00:00Z",
        "missing key",
    ),
    8: (
        "2013,1,7,517,515,2,830,819,11,UA,9995,N\xe91,EWR,IAH,227,1400,5,15,2013-01-07T10:00:00Z",
        "malformed row: INVALID ENCODING",
    ),
    9: (
        "2013,1,7,517,515,2,830,819,11,UA,9994,N1,EWR,IAH,227,1400,5,15,2013-01-07T10:99:00Z",
        "unparseable time_hour",
    ),
}


@pytest.fixture(scope="module")
def bad_delivery(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lh = make_lakehouse("bad_input")
    lh.land("2013-01-01", "2013-01-02")
    header = (lh.landing / "flights" / "flights_2013-01-01.csv").read_text().splitlines()[0]
    lines = (
        [header, GOOD]
        + [BAD_ROWS[n][0] for n in sorted(BAD_ROWS)]
        + [
            '2013,1,7,533,529,4,850,830,20,UA,1714,"N2,4211",LGA,IAH,227,1416,5,29,2013-01-07T10:00:00Z'
        ]
    )
    # UTF-8, but row 8's é is the single Latin-1 byte 0xE9: not UTF-8
    (lh.landing / "flights" / "flights_2013-01-07.csv").write_bytes(
        ("\n".join(lines) + "\n").encode("utf-8").replace("é".encode(), b"\xe9")
    )
    lh.dbt("build", *NO_ML)
    return lh


def query(lh: Lakehouse, sql: str) -> list[tuple]:
    with duckdb_ext.connect(str(lh.catalog), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_delivered_row_is_in_bronze(bad_delivery: Lakehouse) -> None:
    rows = query(
        bad_delivery,
        "select count(*), count(_raw_line) from bronze.bronze_flights "
        "where _source_file = 'flights/flights_2013-01-07.csv'",
    )
    assert rows == [(2 + len(BAD_ROWS), 3)]  # 3 lines the reader could not parse, kept raw
    reconciled = query(
        bad_delivery, "select bool_and(is_reconciled) from audit.audit_landing_to_bronze"
    )
    assert reconciled == [(True,)]


def test_each_bad_row_is_quarantined_with_its_rule(bad_delivery: Lakehouse) -> None:
    quarantined = query(
        bad_delivery,
        "select failed_rule, _raw_line from silver.silver_flights_quarantine "
        "where _source_file = 'flights/flights_2013-01-07.csv'",
    )
    rules = sorted(rule for rule, _ in quarantined)
    assert len(rules) == len(BAD_ROWS)
    for _, expected in BAD_ROWS.values():
        assert any(rule.startswith(expected) for rule in rules), (expected, rules)
    raw = {line for _, line in quarantined if line}
    assert BAD_ROWS[4][0] in raw  # the short row is kept verbatim


def test_good_rows_of_the_bad_file_reach_silver(bad_delivery: Lakehouse) -> None:
    flights = query(
        bad_delivery,
        "select flight, tailnum from silver.silver_flights where flight_date = '2013-01-07' "
        "order by flight",
    )
    assert flights == [(1545, "Ñ14228"), (1714, "N2,4211")]


def test_flights_reconcile_with_quarantine(bad_delivery: Lakehouse) -> None:
    ((delivered, silver, quarantined, deleted, unaccounted, ok),) = query(
        bad_delivery,
        "select delivered_daily_rows, silver_flights, quarantined_flights, deleted_flights, "
        "unaccounted_rows, is_reconciled from audit.audit_flight_reconciliation",
    )
    assert quarantined == len(BAD_ROWS)
    assert silver + quarantined + deleted == delivered
    assert unaccounted == 0 and ok
