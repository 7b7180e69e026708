"""Tests for the simulated client deliveries in ``lakehouse.landing``.

Downstream ingestion relies on the landing zone's file names, on files never changing
once delivered, and on re-runs being harmless; these tests pin those contracts and the
shape of the synthetic corrections and planes snapshots.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from lakehouse.landing import (
    CORRECTION_DATES,
    CORRECTION_WINDOW_DAYS,
    LANDING_ROOT_ENV,
    STREAMS,
    Sources,
    land,
    source_dir,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TOTAL_FLIGHTS = 336_776
KEY_COLUMNS = ("time_hour", "carrier", "flight")


# -- helpers -------------------------------------------------------------------------


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a landed CSV, all as strings."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        return next(reader), list(reader)


def source_text(name: str) -> str:
    """Raw text of a source table, read independently of the code under test."""
    data = source_dir()
    plain = data / f"{name}.csv"
    if plain.exists():
        return plain.read_text(encoding="utf-8")
    with zipfile.ZipFile(data / f"{name}.csv.zip") as archive:
        return archive.read(f"{name}.csv").decode("utf-8")


def source_rows(name: str) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(source_text(name), newline=""))
    return next(reader), list(reader)


def rows_by_date(header: list[str], rows: list[list[str]]) -> dict[date, list[list[str]]]:
    y, m, d = header.index("year"), header.index("month"), header.index("day")
    out: dict[date, list[list[str]]] = {}
    for row in rows:
        out.setdefault(date(int(row[y]), int(row[m]), int(row[d])), []).append(row)
    return out


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` (including hidden ones) with content and mtime."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def file_date(path: Path) -> date:
    return date.fromisoformat(path.stem.rsplit("_", 1)[1])


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources() -> Sources:
    """Parsed sources shared across tests: parsing flights dominates a small landing."""
    return Sources()


@pytest.fixture(scope="module")
def full_year(tmp_path_factory: pytest.TempPathFactory, sources: Sources) -> tuple[Path, dict]:
    """One full-year landing shared by the read-only tests (it takes a few seconds)."""
    root = tmp_path_factory.mktemp("landing_full")
    result = land(root, date(2013, 1, 1), date(2013, 12, 31), sources=sources)
    return root, result


@pytest.fixture(scope="module")
def flights_source() -> tuple[list[str], list[list[str]]]:
    return source_rows("flights")


# -- layout and counts ---------------------------------------------------------------


def test_first_six_days_layout(tmp_path: Path, sources: Sources) -> None:
    result = land(tmp_path, date(2013, 1, 1), date(2013, 1, 6), sources=sources)

    names = {
        stream: sorted(p.name for p in (tmp_path / stream).glob("*.csv")) for stream in STREAMS
    }
    days = [f"2013-01-0{d}" for d in range(1, 7)]
    assert names["flights"] == [f"flights_{d}.csv" for d in days]
    assert names["weather"] == [f"weather_{d}.csv" for d in days]
    assert names["airports"] == ["airports_2013-01-01.csv"]
    assert names["airlines"] == ["airlines_2013-01-01.csv"]
    assert names["planes"] == ["planes_2013-01-01.csv", "planes_2013-01-05.csv"]
    assert names["flight_corrections"] == ["flight_corrections_2013-01-06.csv"]

    assert {s: c["files_written"] for s, c in result.items()} == {
        "flights": 6,
        "weather": 6,
        "airports": 1,
        "airlines": 1,
        "planes": 2,
        "flight_corrections": 1,
    }
    assert all(c["files_skipped"] == 0 for c in result.values())
    assert not [p for p in tmp_path.rglob(".*")], "temporary files left behind"


def test_daily_files_match_source_rows(tmp_path: Path, sources: Sources, flights_source) -> None:
    """Each daily file holds exactly that date's source lines, in source order."""
    land(tmp_path, date(2013, 1, 1), date(2013, 1, 3), sources=sources)
    for name, (header, rows) in (
        ("flights", flights_source),
        ("weather", source_rows("weather")),
    ):
        expected = rows_by_date(header, rows)
        src_header_line = source_text(name).split("\n", 1)[0]
        for path in sorted((tmp_path / name).glob("*.csv")):
            text = path.read_text(encoding="utf-8")
            assert text.split("\n", 1)[0] == src_header_line
            got_header, got_rows = read_rows(path)
            assert got_header == header
            assert got_rows == expected[file_date(path)]
            assert "NA" in text  # "NA" is delivered verbatim, not as an empty field


@pytest.mark.slow
def test_full_year_counts(full_year) -> None:
    root, result = full_year
    flight_files = sorted((root / "flights").glob("*.csv"))
    assert len(flight_files) == 365
    assert sum(len(read_rows(p)[1]) for p in flight_files) == TOTAL_FLIGHTS
    assert result["flights"]["rows_written"] == TOTAL_FLIGHTS

    _, weather = source_rows("weather")
    weather_dates = {(r[1], r[2], r[3]) for r in weather}
    assert len(list((root / "weather").glob("*.csv"))) == len(weather_dates)
    assert result["weather"]["rows_written"] == len(weather)

    assert len(list((root / "planes").glob("*.csv"))) == 3
    assert len(list((root / "flight_corrections").glob("*.csv"))) == len(CORRECTION_DATES)
    assert not [p for p in root.rglob(".*")]


@pytest.mark.slow
def test_reference_snapshots_are_source_files(full_year) -> None:
    root, _ = full_year
    data = source_dir()
    for stream in ("airports", "airlines", "planes"):
        landed = root / stream / f"{stream}_2013-01-01.csv"
        assert landed.read_bytes() == (data / f"{stream}.csv").read_bytes()


# -- immutability and determinism ----------------------------------------------------


def test_second_run_writes_nothing(tmp_path: Path, sources: Sources) -> None:
    first = land(tmp_path, date(2013, 1, 1), date(2013, 1, 6), sources=sources)
    before = snapshot(tmp_path)
    second = land(tmp_path, date(2013, 1, 1), date(2013, 1, 6), sources=sources)

    assert snapshot(tmp_path) == before
    for stream in STREAMS:
        assert second[stream]["files_written"] == 0
        assert second[stream]["rows_written"] == 0
        assert second[stream]["files_skipped"] == first[stream]["files_written"]


def test_existing_file_is_never_overwritten(tmp_path: Path, sources: Sources) -> None:
    target = tmp_path / "flights" / "flights_2013-01-02.csv"
    target.parent.mkdir(parents=True)
    target.write_text("client sent something else\n")

    result = land(tmp_path, date(2013, 1, 1), date(2013, 1, 2), sources=sources)

    assert target.read_text() == "client sent something else\n"
    assert result["flights"] == {
        "files_written": 1,
        "files_skipped": 1,
        "rows_written": len(read_rows(tmp_path / "flights" / "flights_2013-01-01.csv")[1]),
    }


def test_split_range_matches_single_range(tmp_path: Path) -> None:
    """Fresh ``Sources`` per run, as separate CLI invocations would have."""
    one, split = tmp_path / "one", tmp_path / "split"
    land(one, date(2013, 1, 1), date(2013, 1, 6))
    land(split, date(2013, 1, 1), date(2013, 1, 3))
    land(split, date(2013, 1, 4), date(2013, 1, 6))

    one_files = {k: v[0] for k, v in snapshot(one).items()}
    split_files = {k: v[0] for k, v in snapshot(split).items()}
    assert one_files.keys() == split_files.keys()
    assert one_files == split_files


def test_out_of_range_deliveries_are_not_written(tmp_path: Path, sources: Sources) -> None:
    result = land(tmp_path, date(2013, 1, 2), date(2013, 1, 4), sources=sources)
    assert result["airports"]["files_written"] == 0
    assert result["planes"]["files_written"] == 0
    assert not (tmp_path / "planes").exists()
    assert sorted(p.name for p in (tmp_path / "flights").glob("*.csv")) == [
        "flights_2013-01-02.csv",
        "flights_2013-01-03.csv",
        "flights_2013-01-04.csv",
    ]


# -- corrections ---------------------------------------------------------------------


@pytest.mark.slow
def test_corrections_reference_earlier_flights(full_year, flights_source) -> None:
    root, _ = full_year
    src_header, _ = flights_source
    key_idx = [src_header.index(c) for c in KEY_COLUMNS]

    # Flights as landed, keyed, with the date of the file that delivered them.
    landed: dict[tuple[str, ...], tuple[date, list[str]]] = {}
    for path in (root / "flights").glob("*.csv"):
        header, rows = read_rows(path)
        assert header == src_header
        for row in rows:
            key = tuple(row[i] for i in key_idx)
            assert key not in landed, "flight key is not unique"
            landed[key] = (file_date(path), row)

    files = sorted((root / "flight_corrections").glob("*.csv"))
    assert [file_date(p) for p in files] == list(CORRECTION_DATES)
    for path in files:
        delivered = file_date(path)
        header, rows = read_rows(path)
        assert header == [*src_header, "change_type"]
        kinds = Counter(row[-1] for row in rows)
        assert set(kinds) == {"update", "delete"}
        keys = [tuple(row[i] for i in key_idx) for row in rows]
        assert len(keys) == len(set(keys)), "a flight is both updated and deleted"

        for key, row in zip(keys, rows, strict=True):
            assert key in landed, f"{path.name} references unknown flight {key}"
            flight_date, original = landed[key]
            assert flight_date < delivered
            assert flight_date >= delivered - timedelta(days=CORRECTION_WINDOW_DAYS)
            values = row[:-1]
            if row[-1] == "delete":
                assert values == original
            else:
                assert values != original
                for old, new in zip(original, values, strict=True):
                    if old == "NA":
                        assert new == "NA"

        if delivered == date(2013, 1, 6):
            assert kinds["update"] >= 20
            assert kinds["delete"] >= 5
        else:
            # Roughly 0.5 % / 0.1 % of a month of flights (~27-29k).
            assert 100 <= kinds["update"] <= 200
            assert 20 <= kinds["delete"] <= 40


def test_first_correction_delivery_in_six_day_landing(tmp_path: Path, sources: Sources) -> None:
    land(tmp_path, date(2013, 1, 1), date(2013, 1, 6), sources=sources)
    _, rows = read_rows(tmp_path / "flight_corrections" / "flight_corrections_2013-01-06.csv")
    kinds = Counter(row[-1] for row in rows)
    assert kinds["update"] >= 20 and kinds["delete"] >= 5
    assert {(r[0], r[1]) for r in rows} <= {("2013", "1")}
    assert {int(r[2]) for r in rows} <= {1, 2, 3, 4, 5}


# -- planes snapshots ----------------------------------------------------------------


def _planes(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    header, rows = read_rows(path)
    return header, {row[0]: row for row in rows}


@pytest.mark.slow
def test_planes_snapshots_evolve(full_year) -> None:
    root, _ = full_year
    header, first = _planes(root / "planes" / "planes_2013-01-01.csv")
    assert header[0] == "tailnum"
    previous = first
    for name in ("planes_2013-01-05.csv", "planes_2013-07-01.csv"):
        got_header, current = _planes(root / "planes" / name)
        assert got_header == header

        removed = previous.keys() - current.keys()
        added = current.keys() - previous.keys()
        changed = [t for t in previous.keys() & current.keys() if previous[t] != current[t]]
        n = len(previous)
        assert 0 < len(removed) <= 0.02 * n
        assert 1 <= len(added) <= 10
        assert all(t.startswith("N9990") for t in added)
        assert 0.01 * n <= len(changed) <= 0.05 * n

        # Which columns changed: seats/engine/model and manufacturer spellings.
        cols = Counter(
            header[i]
            for t in changed
            for i, (a, b) in enumerate(zip(previous[t], current[t], strict=True))
            if a != b
        )
        assert cols.keys() <= {"seats", "engine", "model", "manufacturer"}
        assert cols["manufacturer"] > 0 and cols["seats"] + cols["engine"] + cols["model"] > 0

        # "NA" stays "NA": unchanged planes are identical and NA fields never vanish.
        speed = header.index("speed")
        assert sum(r[speed] == "NA" for r in current.values()) > 0.9 * len(current)
        for t in previous.keys() & current.keys():
            for old, new in zip(previous[t], current[t], strict=True):
                if old == "NA":
                    assert new == "NA"
        previous = current


# -- CLI -----------------------------------------------------------------------------


def test_cli_uses_env_landing_root_and_prints_summary(tmp_path: Path) -> None:
    env = {**os.environ, LANDING_ROOT_ENV: str(tmp_path / "from_env")}
    proc = subprocess.run(
        [
            sys.executable,
            "scripts/land.py",
            "--start",
            "2013-01-01",
            "--end",
            "2013-01-02",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "flights" in proc.stdout and "written" in proc.stdout
    assert len(list((tmp_path / "from_env" / "flights").glob("*.csv"))) == 2

    explicit = tmp_path / "explicit"
    subprocess.run(
        [
            sys.executable,
            "scripts/land.py",
            "--landing-root",
            str(explicit),
            "--start",
            "2013-01-01",
            "--end",
            "2013-01-01",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert (explicit / "flights" / "flights_2013-01-01.csv").exists()


def test_cli_rejects_bad_dates(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "scripts/land.py",
            "--landing-root",
            str(tmp_path),
            "--start",
            "2013-01-05",
            "--end",
            "2013-01-01",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert not any(tmp_path.iterdir())
