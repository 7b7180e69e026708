"""The scale generator and the benchmark's measuring helpers.

The generator must give the pipeline the same kind of files as the landing replay, only more:
deterministic per seed, dates and time_hour moved consistently (daylight saving included),
one row per flight key per day, about one source year of flights per year, and a corrections
delivery touching 1 % of a month. The helpers must see a command's memory and a Delta
table's file actions. Only a few days are written; whole years are counted in memory.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakehouse.bench import delta_log
from lakehouse.bench.timing import CommandFailed, measure, peak_between
from lakehouse.landing import Sources
from lakehouse.scale import ScaleGenerator, source_day

NEW_YORK = ZoneInfo("America/New_York")
# Spring forward and fall back in 2014, a leap day (2016) that 2013 does not have, and Dec 31
# which has no weather in the source.
DAYS = (date(2014, 3, 9), date(2014, 11, 2), date(2016, 2, 29), date(2016, 12, 31))


@pytest.fixture(scope="module")
def sources() -> Sources:
    return Sources()


@pytest.fixture(scope="module")
def generator(sources: Sources) -> ScaleGenerator:
    return ScaleGenerator(4, seed=7, sources=sources)


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def land_days(generator: ScaleGenerator, root: Path) -> None:
    for day in DAYS:
        generator.land(root, day, day)


def test_same_seed_same_bytes_other_seed_differs(
    generator: ScaleGenerator, sources: Sources, tmp_path: Path
) -> None:
    land_days(generator, tmp_path / "a")
    land_days(ScaleGenerator(4, seed=7, sources=sources), tmp_path / "b")
    land_days(ScaleGenerator(4, seed=8, sources=sources), tmp_path / "c")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert len(files) == 2 * len(DAYS)
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    flights = [name for name in files if name.parts[0] == "flights"]
    assert all(
        (tmp_path / "a" / n).read_bytes() != (tmp_path / "c" / n).read_bytes() for n in flights
    )


def test_dates_and_time_hour_moved_consistently(generator: ScaleGenerator, tmp_path: Path) -> None:
    land_days(generator, tmp_path)
    for day in DAYS:
        for stream, hour_column in (("flights", "hour"), ("weather", "hour")):
            header, rows = read(tmp_path / stream / f"{stream}_{day.isoformat()}.csv")
            col = {name: i for i, name in enumerate(header)}
            assert rows, f"{stream} {day} is empty"
            for row in rows:
                assert (row[col["year"]], row[col["month"]], row[col["day"]]) == (
                    str(day.year),
                    str(day.month),
                    str(day.day),
                )
                moment = datetime.fromisoformat(row[col["time_hour"]].replace("Z", "+00:00"))
                local = moment.astimezone(NEW_YORK)
                assert (local.date(), local.hour) == (day, int(row[col[hour_column]])), row


def test_a_year_holds_about_the_source_year_with_its_flaws(
    generator: ScaleGenerator, sources: Sources
) -> None:
    """A whole (leap) year counted in memory: size, one row per key per day, source flaws."""
    day, flaws = date(2016, 1, 1), Counter()
    while day.year == 2016:
        table = generator.flights_day(day)
        assert table is not None, day
        col = table.col
        keys = Counter(
            (r[col("time_hour")], r[col("carrier")], r[col("flight")]) for r in table.rows
        )
        assert max(keys.values()) == 1, day
        flaws["rows"] += len(table.rows)
        flaws["na_tailnum"] += sum(r[col("tailnum")] == "NA" for r in table.rows)
        flaws["dep_2400"] += sum(r[col("dep_time")] == "2400" for r in table.rows)
        day += timedelta(days=1)
    source_rows = len(sources.flights.rows)
    assert 0.95 * source_rows < flaws["rows"] < 1.05 * source_rows, flaws
    # the source: 2512 NA tail numbers (0.75 %) and 29 departures at 2400 in the year
    assert 0.006 < flaws["na_tailnum"] / flaws["rows"] < 0.009, flaws
    assert 15 <= flaws["dep_2400"] <= 60, flaws
    assert source_day(date(2016, 2, 29)) == date(2013, 2, 28)


def test_years_differ(generator: ScaleGenerator) -> None:
    januaries = [
        sum(len(generator.flights_day(date(year, 1, d)).rows) for d in range(1, 32))
        for year in (2013, 2014, 2015)
    ]
    assert len(set(januaries)) == 3, januaries


def test_month_corrections_update_one_percent(generator: ScaleGenerator, tmp_path: Path) -> None:
    month = [generator.flights_day(date(2014, 6, d)) for d in range(1, 31)]
    flights = {
        (r[t.col("time_hour")], r[t.col("carrier")], r[t.col("flight")]): r
        for t in month
        if t
        for r in t.rows
    }
    path, n = generator.land_month_corrections(tmp_path, date(2014, 12, 31), 2014, 6)
    header, rows = read(path)
    assert path.name == "flight_corrections_2014-12-31.csv"
    assert header[-1] == "change_type" and len(rows) == n
    assert abs(n - 0.01 * len(flights)) <= 1
    col = {name: i for i, name in enumerate(header)}
    for row in rows:
        assert row[col["change_type"]] == "update"
        original = flights[(row[col["time_hour"]], row[col["carrier"]], row[col["flight"]])]
        assert row[:-1] != original

        # taxiing (arrival delay - departure delay - air time) unchanged: still plausible
        def taxi(r: list[str]) -> int:
            return int(r[col["arr_delay"]]) - int(r[col["dep_delay"]]) - int(r[col["air_time"]])

        if original[col["air_time"]] != "NA":
            assert taxi(row) == taxi(original), (row, original)
    with pytest.raises(FileExistsError):
        generator.land_month_corrections(tmp_path, date(2014, 12, 31), 2014, 7)


def test_measure_sees_the_memory_of_the_command() -> None:
    grow = (
        "import time\nb = bytearray(200 * 2**20)\nb[::4096] = b'x' * len(b[::4096])\n"
        "time.sleep(0.5)"
    )
    before = time.time()
    run = measure([sys.executable, "-c", grow])
    assert run.returncode == 0
    assert run.peak_rss_mib >= 200
    # the half-second samples place the memory in time: none of it before the command
    assert peak_between(run.samples, before - 10, before - 5) is None
    assert (peak_between(run.samples, before, time.time()) or 0) >= 200
    with pytest.raises(CommandFailed, match="boom"):
        measure([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])


def test_delta_log_counts_the_files_a_step_added_and_removed(tmp_path: Path) -> None:
    table = tmp_path / "lake" / "silver" / "t"
    write_deltalake(str(table), pa.table({"x": [1, 2, 3]}))
    before = delta_log.latest_versions(tmp_path / "lake")
    assert before == {"silver/t": 0}
    write_deltalake(str(table), pa.table({"x": [4]}), mode="append")
    write_deltalake(str(table), pa.table({"x": [5]}), mode="overwrite")
    changes = delta_log.changes_since(tmp_path / "lake", before)["silver/t"]
    assert (changes.commits, changes.files_added, changes.files_removed) == (2, 2, 2)
    assert changes.bytes_added > 0 and changes.bytes_removed > 0


def test_flights_stay_plausible_across_daylight_saving(
    generator: ScaleGenerator, sources: Sources
) -> None:
    """Days whose clock change moved (2016: Mar 13, not Mar 10; 2015: Nov 1, not Nov 3): gate
    to gate still covers the air time, as silver_flights_plausible_duration checks, also for
    destinations without daylight saving (SJU, PHX, HNL)."""
    zones = {r[sources.airports.col("faa")]: r[-1] for r in sources.airports.rows}
    with (Path(__file__).resolve().parents[2] / "seeds" / "airport_timezone_fallbacks.csv").open(
        encoding="utf-8"
    ) as handle:
        zones.update({r["faa"]: r["tzone"] for r in csv.DictReader(handle)})

    def at(day: date, hhmm: int, zone: str) -> datetime:
        clock = datetime(day.year, day.month, day.day) + timedelta(
            hours=hhmm // 100, minutes=hhmm % 100
        )
        return clock.replace(tzinfo=ZoneInfo(zone))

    checked = 0
    for day in (*(date(2016, 3, d) for d in range(9, 14)), date(2015, 11, 1), date(2015, 11, 2)):
        table = generator.flights_day(day)
        col = table.col
        for row in table.rows:
            values = [row[col(c)] for c in ("sched_dep_time", "dep_delay", "arr_time", "air_time")]
            if "NA" in values or row[col("dest")] not in zones:
                continue
            sched_dep, dep_delay, arr_time, air_time = map(int, values)
            departed = at(day, sched_dep, "America/New_York") + timedelta(minutes=dep_delay)
            arrived = next(
                moment
                for moment in (
                    at(day + timedelta(days=k), arr_time, zones[row[col("dest")]]) for k in range(3)
                )
                if moment >= departed
            )
            minutes = (arrived - departed).total_seconds() / 60
            assert air_time <= minutes <= air_time + 300, row
            checked += 1
    assert checked > 4000
