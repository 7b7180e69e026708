"""Clean values in silver (docs/clean_values.md), proven through one real build.

Two clean days are landed, then one extra delivery per stream whose rows are real rows with
junk planted in one field each: whitespace-like characters (every one of them), invisible
format characters (every one), control characters (every one, in flights' tailnum), text in
decomposed form (NFD) or with a canonical singleton (the Kelvin sign for K), missing markers
hidden by junk, and numbers in the dialects the client's tools write (2.0, 1,400) or that
stay unparseable (2.5, 1,4, 14,00, 12,5). Each case names the silver value it must give, or
the quarantine rule. Cases are found by their lineage (_source_file, _row_number).

NFC is proven on every free-text column and on the codes a canonical singleton can spell
(K); dst, tzone and change_type are closed ASCII vocabularies where no NFD value can be
valid, so they get the other classes only. On DuckDB a value is normalised, never
quarantined as non-NFC (that rule exists on Databricks and Synapse only).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest

from lakehouse import duckdb_ext

from .conftest import NO_ML, Lakehouse

#: whitespace-like characters: each becomes a space (then the value is trimmed)
SPACES = (
    "\t\n\x0b\x0c\r\x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
#: invisible format characters: removed wherever they are
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\xad"
#: control characters: the row is quarantined (C0 but whitespace, DEL, C1 but NEL)
CONTROLS = [
    chr(c)
    for c in [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0x85), *range(0x86, 0xA0)]
]
DAY = "2013-01-05"


@dataclass(frozen=True)
class Rule:
    """The quarantine rule a case must give."""

    name: str


Value = str | Callable[[str], str]


@dataclass(frozen=True)
class Case:
    """Junk `value` in `column` of one row of `stream`'s extra delivery.

    value and expected may be functions of the base row's value of the column. expected is
    the value of `silver_column` (default: column) in the stream's silver table, or a Rule.
    `base` picks the real row the case starts from (default: the next unused one); `append`
    (snapshots) adds the row instead of replacing the base row in place; `also` sets other
    columns of the row.
    """

    stream: str
    column: str
    value: Value
    expected: object
    silver_column: str | None = None
    base: Callable[[dict[str, str]], bool] | None = None
    append: bool = False
    also: dict[str, str] = field(default_factory=dict)

    def label(self, number: int) -> str:
        value = self.value if isinstance(self.value, str) else f"f({self.column})"
        shown = value.encode("unicode_escape").decode()
        return f"{number:03d}-{self.stream}.{self.column}={shown[:30]}"


def around(value: str) -> str:
    """Every whitespace-like character before and after the value."""
    return SPACES + value + SPACES[::-1]


def threaded(value: str) -> str:
    """Every invisible character between the value's characters (and at the ends)."""
    out = INVISIBLE[0]
    for i, char in enumerate(value):
        out += char + INVISIBLE[(i + 1) % len(INVISIBLE)]
    return out + INVISIBLE


def is_(column: str, value: str) -> Callable[[dict[str, str]], bool]:
    return lambda row: row[column] == value


FLIGHTS = [
    # carrier (key: the base row's carrier is kept so the flight stays a real one)
    Case("flights", "carrier", around("UA"), "UA", base=is_("carrier", "UA")),
    Case("flights", "carrier", threaded("UA"), "UA", base=is_("carrier", "UA")),
    Case("flights", "carrier", "U\x01A", Rule("control character in carrier")),
    Case("flights", "carrier", "U\u03089", "\u00dc9"),  # the airline is delivered below
    Case("flights", "carrier", "\xa0NA\t", Rule("missing key (time_hour, carrier, flight)")),
    # tailnum
    Case("flights", "tailnum", around("N14228"), "N14228"),
    Case("flights", "tailnum", "N1,\n2", "N1, 2"),
    Case("flights", "tailnum", "N1\xa02\u3000\r\n3", "N1 2   3"),
    Case("flights", "tailnum", threaded("N14228"), "N14228"),
    Case("flights", "tailnum", "N\u030314228", "\u00d114228"),
    Case("flights", "tailnum", "\u200bNA\xa0", None),
    Case("flights", "tailnum", "\u3000\ufeff", None),
    *[
        Case("flights", "tailnum", f"N1{char}4228", Rule("control character in tailnum"))
        for char in CONTROLS
    ],
    # origin (EWR, JFK, LGA only) and dest (a known airport: its time zone is needed)
    Case("flights", "origin", around("JFK"), "JFK", base=is_("origin", "JFK")),
    Case("flights", "origin", threaded("EWR"), "EWR", base=is_("origin", "EWR")),
    Case("flights", "origin", "LG\x1fA", Rule("control character in origin")),
    Case("flights", "origin", "JF\u212a", "JFK", base=is_("origin", "JFK")),
    Case("flights", "dest", around("IAH"), "IAH", base=is_("dest", "IAH")),
    Case("flights", "dest", threaded("ATL"), "ATL", base=is_("dest", "ATL")),
    Case("flights", "dest", "OR\x7fD", Rule("control character in dest")),
    Case("flights", "dest", "M\u212aE", "MKE", base=is_("dest", "MKE")),
    # numbers, dates and timestamps read the cleaned text
    Case("flights", "dep_delay", "2.0", 2),
    Case("flights", "arr_delay", "-3.00", -3),
    Case("flights", "distance", "1,400", 1400),
    Case("flights", "distance", "+1,416.0", 1416),
    Case(
        "flights", "flight", lambda v: f"{int(v):,}", int, base=lambda r: int(r["flight"]) >= 1000
    ),
    Case(
        "flights",
        "dep_time",
        lambda v: "\xa0" + v + "\t",
        int,
        base=lambda r: r["dep_time"] != "NA",
    ),
    Case("flights", "year", "2013.0", date(2013, 1, 5), silver_column="flight_date"),
    Case(
        "flights",
        "time_hour",
        lambda v: "\ufeff" + v + "\xa0",
        lambda v: datetime.fromisoformat(v),
    ),
    Case("flights", "dep_delay", "2.5", Rule("unparseable number: dep_delay")),
    Case("flights", "distance", "1,4", Rule("unparseable number: distance")),
    Case("flights", "distance", "14,00", Rule("unparseable number: distance")),
    Case("flights", "air_time", "1,4000", Rule("unparseable number: air_time")),
    Case("flights", "arr_delay", "12,5", Rule("unparseable number: arr_delay")),
    Case("flights", "dep_time", "5\x0017", Rule("unparseable number: dep_time")),
    Case("flights", "sched_dep_time", "5\x0115", Rule("unparseable number: sched_dep_time")),
]

WEATHER = [
    Case("weather", "origin", around("EWR"), "EWR", base=is_("origin", "EWR")),
    Case("weather", "origin", threaded("LGA"), "LGA", base=is_("origin", "LGA")),
    Case("weather", "origin", "EW\x9fR", Rule("control character in origin")),
    Case("weather", "origin", "JF\u212a", "JFK", base=is_("origin", "JFK")),
    Case("weather", "origin", "\xa0NA", Rule("missing key (origin, time_hour)")),
    Case("weather", "pressure", "1,012.5", 1012.5),
    Case("weather", "hour", lambda v: v + ".0", int, silver_column="observed_hour"),
    Case("weather", "temp", "\t39.02\u3000", 39.02),
    Case("weather", "humid", "1,4", Rule("unparseable number: humid")),
    Case("weather", "dewp", "12,5", Rule("unparseable number: dewp")),
    Case("weather", "pressure", "1,0123", Rule("unparseable number: pressure")),
    Case("weather", "wind_dir", "2\x0070", Rule("unparseable number: wind_dir")),
]

PLANES = [
    Case("planes", "tailnum", around("N10156"), "N10156", base=is_("tailnum", "N10156")),
    Case("planes", "tailnum", threaded("N102UW"), "N102UW", base=is_("tailnum", "N102UW")),
    Case("planes", "tailnum", "N1200\u212a", "N1200K", base=is_("tailnum", "N1200K")),
    Case("planes", "tailnum", "N103\x02US", Rule("control character in tailnum")),
    Case("planes", "type", "Fixed\xa0wing\u2003multi engine\t", "Fixed wing multi engine"),
    Case("planes", "type", threaded("Fixed wing"), "Fixed wing"),
    Case("planes", "type", "Fixed wing\x0e multi engine", Rule("control character in type")),
    Case("planes", "type", "Fi\u0301xed wing", "F\u00edxed wing"),
    Case("planes", "type", "\u200bNA", None),
    Case("planes", "manufacturer", around("BOEING"), "BOEING"),
    Case("planes", "manufacturer", threaded("BOEING"), "BOEING"),
    Case("planes", "manufacturer", "BOE\x1bING", Rule("control character in manufacturer")),
    Case("planes", "manufacturer", "Bo\u0308eing", "B\u00f6eing"),
    Case("planes", "model", around("737-832"), "737-832"),
    Case("planes", "model", threaded("737-832"), "737-832"),
    Case("planes", "model", "737-8\x8032", Rule("control character in model")),
    Case("planes", "model", "Ae\u0301ro 1", "A\u00e9ro 1"),
    Case("planes", "engine", around("Turbo-fan"), "Turbo-fan"),
    Case("planes", "engine", threaded("Turbo-fan"), "Turbo-fan"),
    Case("planes", "engine", "Turbo-\x1ffan", Rule("control character in engine")),
    Case("planes", "engine", "Turbo-fa\u0303n", "Turbo-f\u00e3n"),
    Case("planes", "seats", "182.0", 182),
    Case("planes", "year", "1,998", 1998, silver_column="year_built"),
    Case("planes", "engines", "2.5", Rule("unparseable number: engines")),
    Case("planes", "speed", "1,4", Rule("unparseable number: speed")),
]


def _nyc(row: dict[str, str]) -> bool:
    return row["faa"] in ("EWR", "JFK", "LGA")


AIRPORTS = [
    Case("airports", "faa", around("EWR"), "EWR", base=is_("faa", "EWR")),
    Case("airports", "faa", threaded("LGA"), "LGA", base=is_("faa", "LGA")),
    Case("airports", "faa", "JF\u212a", "JFK", base=is_("faa", "JFK")),
    Case("airports", "faa", lambda v: v[:1] + "\x1b" + v[1:], Rule("control character in faa")),
    Case("airports", "name", around, lambda v: v),
    Case("airports", "name", lambda v: v.replace(" ", "\xa0"), lambda v: v),
    Case("airports", "name", threaded, lambda v: v),
    Case("airports", "name", lambda v: v + "\x03", Rule("control character in name")),
    Case("airports", "name", "Zu\u0308rich Intl", "Z\u00fcrich Intl"),
    Case("airports", "name", "\xa0", None),
    Case("airports", "dst", "\tA\u3000", "A", base=is_("dst", "A")),
    Case("airports", "dst", "\u200bA\xad", "A", base=is_("dst", "A")),
    Case("airports", "dst", "A\x85", "A", base=is_("dst", "A")),  # NEL is whitespace-like
    Case("airports", "dst", "A\x86", Rule("control character in dst")),
    Case("airports", "tzone", around, lambda v: v, base=lambda r: r["tzone"] != "NA"),
    Case("airports", "tzone", threaded, lambda v: v, base=lambda r: r["tzone"] != "NA"),
    Case("airports", "tzone", lambda v: v + "\x7f", Rule("control character in tzone")),
    Case("airports", "alt", "1,044", 1044),
    Case("airports", "alt", "264.0", 264),
    Case("airports", "tz", "-5.0", -5, silver_column="tz_offset_hours"),
    Case("airports", "lat", "4,1.13", Rule("unparseable number: lat")),
    Case("airports", "lon", "-80,6195833", Rule("unparseable number: lon")),
]

AIRLINES = [
    Case("airlines", "carrier", around("9E"), "9E", base=is_("carrier", "9E")),
    Case("airlines", "carrier", threaded("AA"), "AA", base=is_("carrier", "AA")),
    Case("airlines", "carrier", "U\u03089", "\u00dc9", append=True, also={"name": "Umlaut Air"}),
    Case(
        "airlines",
        "carrier",
        "Z\x01Z",
        Rule("control character in carrier"),
        append=True,
        also={"name": "Corrupt Air"},
    ),
    Case("airlines", "name", " JetBlue\xa0Airways\t", "JetBlue Airways", base=is_("carrier", "B6")),
    Case(
        "airlines",
        "name",
        threaded("Delta Air Lines Inc."),
        "Delta Air Lines Inc.",
        base=is_("carrier", "DL"),
    ),
    Case(
        "airlines",
        "name",
        "Envoy\x00 Air",
        Rule("control character in name"),
        base=is_("carrier", "MQ"),
    ),
    Case(
        "airlines",
        "name",
        "Ha\u0304waiian Airlines Inc.",
        "H\u0101waiian Airlines Inc.",
        base=is_("carrier", "HA"),
    ),
    Case("airlines", "name", "\u2060NA\xa0", Rule("missing name"), base=is_("carrier", "YV")),
]

CASES = FLIGHTS + WEATHER + PLANES + AIRPORTS + AIRLINES
IDS = [case.label(number) for number, case in enumerate(CASES)]

#: correction deliveries: change_type cleaned before it is judged
CORRECTIONS = {
    "update": around("update"),
    "delete": "\ufeffDE\u200bLETE",
    "control": "up\x01date",
    "blank": "\u3000\u200b",
}

SILVER = {
    "flights": "silver_flights",
    "weather": "silver_weather",
    "planes": "silver_planes",
    "airports": "silver_airports",
    "airlines": "silver_airlines",
}


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(header)
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerows([[row[c] for c in header] for row in rows])
    return out.getvalue()


def _read(path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _shifted(row: dict[str, str], days: int = 4) -> dict[str, str]:
    """A daily stream's row moved `days` later (a new flight or observation, same values)."""
    moved = dict(row)
    moved["day"] = str(int(row["day"]) + days)
    instant = datetime.fromisoformat(row["time_hour"].replace("Z", "+00:00")) + timedelta(days=days)
    moved["time_hour"] = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moved


@dataclass
class Planted:
    """Where each case's row landed: (source file, row number) and its base row."""

    where: dict[str, tuple[str, int]] = field(default_factory=dict)
    base: dict[str, dict[str, str]] = field(default_factory=dict)


def _plant(lh: Lakehouse) -> Planted:
    planted = Planted()
    flight_dests = set()
    for path in (lh.landing / "flights").glob("*.csv"):
        flight_dests |= {row["dest"] for row in _read(path)[1]}
    for stream in SILVER:
        cases = [
            (label, case) for label, case in zip(IDS, CASES, strict=True) if case.stream == stream
        ]
        header, clean = _read(lh.landing / stream / f"{stream}_2013-01-01.csv")
        daily = stream in ("flights", "weather")
        used: set[int] = set()
        rows = [] if daily else [dict(row) for row in clean]
        for label, case in cases:
            if daily or not case.append:
                index = _pick(clean, used, case, stream, flight_dests)
                base = clean[index]
            else:
                index, base = None, {c: "" for c in header}
            row = _shifted(base) if daily else dict(base)
            row.update(case.also)
            planted.base[label] = dict(row)
            row[case.column] = (
                case.value if isinstance(case.value, str) else case.value(row[case.column])
            )
            if daily or case.append:
                rows.append(row)
                number = len(rows)
            else:
                rows[index] = row
                number = index + 1
            planted.where[label] = (f"{stream}/{stream}_{DAY}.csv", number)
        (lh.landing / stream / f"{stream}_{DAY}.csv").write_text(
            _csv(header, rows), encoding="utf-8", newline=""
        )
    # corrections of real flights of the first day (their keys unchanged)
    header, clean = _read(lh.landing / "flights" / "flights_2013-01-01.csv")
    rows = [dict(clean[-1 - i], change_type=value) for i, value in enumerate(CORRECTIONS.values())]
    folder = lh.landing / "flight_corrections"
    folder.mkdir(exist_ok=True)
    (folder / f"flight_corrections_{DAY}.csv").write_text(
        _csv([*header, "change_type"], rows), encoding="utf-8", newline=""
    )
    for i, name in enumerate(CORRECTIONS):
        planted.where["correction:" + name] = (
            f"flight_corrections/flight_corrections_{DAY}.csv",
            i + 1,
        )
        planted.base["correction:" + name] = rows[i]
    return planted


def _pick(clean, used, case: Case, stream: str, flight_dests: set[str]) -> int:
    """The first unused base row for `case`: its own filter, else any row (airports: one no
    flight uses, so a quarantined or renamed airport changes no flight's time zone)."""

    def fits(row: dict[str, str]) -> bool:
        if case.base is not None:
            return case.base(row)
        if stream == "airports":
            return not _nyc(row) and row["faa"] not in flight_dests and row["tzone"] != "NA"
        if stream == "flights":
            return row["tailnum"] != "NA" and row["dep_time"] != "NA"
        return True

    for index, row in enumerate(clean):
        if index not in used and fits(row):
            used.add(index)
            return index
    raise AssertionError(f"no base row left for {case}")


@dataclass
class Built:
    lh: Lakehouse
    planted: Planted
    returncode: int
    output: str
    silver: dict[tuple[str, str, int], dict] = field(default_factory=dict)
    quarantine: dict[tuple[str, str, int], str] = field(default_factory=dict)
    bronze: dict[tuple[str, str, int], dict] = field(default_factory=dict)


@pytest.fixture(scope="module")
def built(make_lakehouse: Callable[..., Lakehouse]) -> Iterator[Built]:
    lh = make_lakehouse("clean_values")
    lh.land("2013-01-01", "2013-01-02")
    planted = _plant(lh)
    # not checked here: a value that escapes cleaning may fail a data test, and the cases
    # below then say which one (test_the_build_passes reports the build)
    build = lh.dbt("build", *NO_ML, check=False)
    result = Built(lh, planted, build.returncode, build.stdout + build.stderr)
    with duckdb_ext.connect(str(lh.catalog), read_only=True) as con:
        for stream in SILVER:
            cursor = con.execute(
                f"select * from bronze.bronze_{stream} where _source_file like '%{DAY}.csv'"
            )
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                record = dict(zip(names, row, strict=True))
                result.bronze[(stream, record["_source_file"], record["_row_number"])] = record
        for stream, table in SILVER.items():
            cursor = con.execute(
                f"select * from silver.{table} where _source_file like '%{DAY}.csv'"
            )
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                record = dict(zip(names, row, strict=True))
                result.silver[(stream, record["_source_file"], record["_row_number"])] = record
            for source, number, rule in con.execute(
                f"select _source_file, _row_number, failed_rule from silver.{table}_quarantine "
                f"where _source_file like '%{DAY}.csv'"
            ).fetchall():
                result.quarantine[(stream, source, number)] = rule
    yield result


def test_the_build_passes(built: Built) -> None:
    assert built.returncode == 0, "\n".join(built.output.splitlines()[-40:])


def test_bronze_holds_every_value_as_delivered(built: Built) -> None:
    """The junk reaches bronze untouched, so what silver shows is silver's doing."""
    for label, case in zip(IDS, CASES, strict=True):
        source, number = built.planted.where[label]
        row = built.bronze[(case.stream, source, number)]
        base = built.planted.base[label][case.column]
        delivered = case.value if isinstance(case.value, str) else case.value(base)
        assert row[case.column] == delivered, label


@pytest.mark.parametrize(("label", "case"), list(zip(IDS, CASES, strict=True)), ids=IDS)
def test_each_value_is_cleaned_or_quarantined(built: Built, label: str, case: Case) -> None:
    source, number = built.planted.where[label]
    key = (case.stream, source, number)
    base_value = built.planted.base[label].get(case.column, "")
    expected = case.expected
    if isinstance(expected, Rule):
        assert key not in built.silver, (label, built.silver.get(key))
        assert built.quarantine.get(key) == expected.name
        return
    if expected is int:
        expected = int(base_value)
    elif callable(expected):
        expected = expected(base_value)
    assert built.quarantine.get(key) is None, (label, built.quarantine.get(key))
    assert key in built.silver, label
    actual = built.silver[key][case.silver_column or case.column]
    assert actual == expected, (label, actual, expected)


def test_every_planted_row_is_accounted_for(built: Built) -> None:
    """No case row is lost or doubled: each is in silver or in quarantine, never both."""
    for label, case in zip(IDS, CASES, strict=True):
        source, number = built.planted.where[label]
        key = (case.stream, source, number)
        assert (key in built.silver) != (key in built.quarantine), label


def test_change_type_is_cleaned_before_it_is_judged(built: Built) -> None:
    where, base = built.planted.where, built.planted.base
    assert ("flights", *where["correction:update"]) in built.silver
    with duckdb_ext.connect(str(built.lh.catalog), read_only=True) as con:
        deleted = base["correction:delete"]
        remaining = con.execute(
            "select count(*) from silver.silver_flights where carrier = ? and flight = ? "
            "and time_hour = cast(? as timestamptz)",
            [deleted["carrier"], int(deleted["flight"]), deleted["time_hour"]],
        ).fetchone()
        assert remaining == (0,)
        statuses = dict(
            con.execute(
                "select _row_number, status from audit.audit_flight_row_status "
                "where _source_file = ?",
                [where["correction:update"][0]],
            ).fetchall()
        )
    assert built.quarantine[("flights", *where["correction:control"])] == (
        "control character in change_type"
    )
    assert built.quarantine[("flights", *where["correction:blank"])] == "invalid change_type"
    assert statuses == {1: "current", 2: "delete instruction", 3: "quarantined", 4: "quarantined"}


def test_the_audit_recomputes_keys_as_silver_cleans_them(built: Built) -> None:
    """audit_flight_row_status cleans keys with the same macros: nothing is unaccounted."""
    with duckdb_ext.connect(str(built.lh.catalog), read_only=True) as con:
        unaccounted = con.execute(
            "select count(*) from audit.audit_flight_row_status where status = 'unaccounted'"
        ).fetchone()
        current = con.execute(
            "select count(*) from audit.audit_flight_row_status "
            f"where _source_file = 'flights/flights_{DAY}.csv' and status = 'current'"
        ).fetchone()
    assert unaccounted == (0,)
    in_silver = sum(1 for stream, *_ in built.silver if stream == "flights")
    assert current == (in_silver - 1,)  # the correction of the update case is not a daily row
