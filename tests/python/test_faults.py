"""Every fault of the catalogue (lakehouse.faults), delivered at once next to two clean days.

Each faulty file gets its own slice of real flights (day 3 of the year), so its rows can be
followed through bronze, quarantine and silver. The build must pass (a rejected file is a
warning, not an error), every fault must have its promised outcome, and the row accounting
must hold: rows delivered = bronze + rejected files; bronze = silver + quarantine + superseded.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lakehouse import duckdb_ext, faults

from .conftest import NO_ML, REPO, Lakehouse

DAY = "2013-01-03"


def query(lh: Lakehouse, sql: str, *params: object) -> list[tuple]:
    with duckdb_ext.connect(str(lh.catalog), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def delivered(make_lakehouse: Callable[..., Lakehouse]) -> tuple[Lakehouse, dict[str, list[str]]]:
    """The lake after the build, and each fault's clean rows (before the fault was applied)."""
    lh = make_lakehouse("faults")
    lh.land("2013-01-01", "2013-01-02")
    header, rows = lh.clean_flights(DAY)
    faults.write_all(lh.landing / "flights", header, rows, DAY)
    slices = {fault.name: faults.rows_for(fault, rows) for fault in faults.FAULTS}
    lh.dbt("build", *NO_ML)
    return lh, slices


def keys(rows: list[str]) -> list[tuple[str, int]]:
    return [(row.split(",")[faults.CARRIER], int(row.split(",")[faults.FLIGHT])) for row in rows]


@pytest.mark.parametrize("fault", faults.FAULTS, ids=lambda fault: fault.name)
def test_fault_has_its_promised_outcome(
    delivered: tuple[Lakehouse, dict[str, list[str]]], fault: faults.Fault
) -> None:
    lh, slices = delivered
    name = f"flights/{faults.file_name(fault, DAY)}"
    ((verdict, reason, dialect, delivered, rows_in_bronze),) = query(
        lh,
        "select verdict, reason, dialect, rows_delivered, rows_in_bronze "
        "from audit.audit_landing_files where _source_file = ?",
        name,
    )
    assert (verdict, rows_in_bronze) == (fault.verdict, fault.bronze_rows), reason
    assert delivered == faults.delivered_rows(fault)
    if verdict != "read":
        assert reason, "a file that is not read says why"
    else:
        assert dialect == (fault.dialect or "comma")

    rules = [
        rule
        for (rule,) in query(
            lh,
            "select failed_rule from silver.silver_flights_quarantine where _source_file = ?",
            name,
        )
    ]
    expected = fault.bronze_rows - fault.silver_rows if fault.quarantined else 0
    assert len(rules) == expected, rules
    assert all(rule.startswith(fault.quarantined) for rule in rules), rules

    in_silver = query(
        lh,
        "select carrier, flight, tailnum from silver.silver_flights "
        "where flight_date = cast(? as date) and list_contains(?, carrier || ':' || flight)",
        DAY,
        [f"{carrier}:{flight}" for carrier, flight in keys(slices[fault.name])],
    )
    assert len(in_silver) == fault.silver_rows
    if "tailnum" in fault.checks:
        assert {tailnum for _, _, tailnum in in_silver} == {fault.checks["tailnum"]}


def test_new_and_reordered_columns_keep_their_values(
    delivered: tuple[Lakehouse, dict[str, list[str]]],
) -> None:
    lh, _ = delivered
    added = query(
        lh,
        "select distinct _extra_fields from bronze.bronze_flights where _source_file = ?",
        f"flights/flights_{DAY}_column_added.csv",
    )
    assert added == [('{"gate_number": "B12"}',)]
    columns = [
        name for (name,) in query(lh, "select column_name from (describe bronze.bronze_flights)")
    ]
    assert "gate_number" not in columns  # a delivered header never names a column
    clean, reordered, bom = (
        query(
            lh,
            "select year, carrier, flight, dep_delay from bronze.bronze_flights "
            "where _source_file = ? order by _row_number",
            f"flights/flights_{DAY}_{name}.csv",
        )
        for name in ("column_added", "columns_reordered", "utf8_bom")
    )
    assert all(row[0] == "2013" for row in clean + reordered + bom)
    crlf = query(
        lh,
        "select count(*) from bronze.bronze_flights where _source_file = ? "
        "and (contains(dep_delay, chr(13)) or contains(time_hour, chr(13)))",
        f"flights/flights_{DAY}_crlf.csv",
    )
    assert crlf == [(0,)]


def test_every_row_is_accounted_for(delivered: tuple[Lakehouse, dict[str, list[str]]]) -> None:
    lh, _ = delivered
    ((delivered_rows, in_bronze, in_rejected, ok),) = query(
        lh,
        "select rows_delivered, rows_in_bronze, rows_in_rejected_files, is_reconciled "
        "from audit.audit_landing_to_bronze where stream = 'flights'",
    )
    assert ok and delivered_rows == in_bronze + in_rejected
    assert in_rejected == sum(
        faults.delivered_rows(f) for f in faults.FAULTS if f.verdict == "rejected"
    )
    ((silver, quarantined, deleted, rejected_rows, unaccounted, reconciled),) = query(
        lh,
        "select silver_flights, quarantined_flights, deleted_flights, rejected_file_rows, "
        "unaccounted_rows, is_reconciled from audit.audit_flight_reconciliation",
    )
    assert unaccounted == 0 and reconciled
    statuses = dict(
        query(
            lh,
            "select status, count(*) from audit.audit_flight_row_status group by status",
        )
    )
    # bronze = silver + quarantine + superseded (duplicates and re-deliveries) + deleted
    assert sum(statuses.values()) == in_bronze
    assert statuses["superseded"] == 2 * faults.ROWS_PER_FAULT  # 2 extra copies of 3 flights


def test_same_file_delivered_again_is_not_ingested_twice(
    delivered: tuple[Lakehouse, dict[str, list[str]]],
) -> None:
    lh, _ = delivered
    before = query(lh, "select count(*) from bronze.bronze_flights")
    target = lh.landing / "flights" / f"flights_{DAY}_crlf.csv"
    target.write_bytes(target.read_bytes())  # the client uploads the same file again
    lh.dbt("build", "-s", "bronze_flights", "audit_landing_files", "audit_landing_to_bronze")
    assert query(lh, "select count(*) from bronze.bronze_flights") == before
    assert query(lh, "select bool_and(is_reconciled) from audit.audit_landing_to_bronze") == [
        (True,)
    ]


def test_docs_document_every_fault() -> None:
    """docs/landing.md holds the catalogue (scripts/faulty_delivery.py --table)."""
    assert faults.markdown_table() in (REPO / "docs" / "landing.md").read_text()


def test_audit_counts_are_integers(delivered: tuple[Lakehouse, dict[str, list[str]]]) -> None:
    """Row and file counts are BIGINT in the audit tables (a sum once made them DECIMAL(38))."""
    lh, _ = delivered
    for table in ("audit_landing_files", "audit_landing_to_bronze"):
        types = dict(query(lh, f"select column_name, column_type from (describe audit.{table})"))
        counts = {
            name: kind for name, kind in types.items() if name.startswith(("rows_", "files_"))
        }
        assert counts and set(counts.values()) == {"BIGINT"}, (table, counts)
