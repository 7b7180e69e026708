"""Hypothesis strategies for landing files: the bytes and names a client could deliver.

Why these exist (issue #17, "one bad file must never stop the build"): the landing gate
(:mod:`lakehouse.file_gate`, listed by :mod:`lakehouse.landing_stage`) promises a verdict for
any bytes under any name. Hand-written cases only cover the shapes someone thought of, so
these strategies generate the rest: mostly real flight rows of a clean delivery with
perturbations a real export produces (encodings and byte order marks, line endings,
delimiters and ``sep=`` lines, quoting gone wrong, odd headers, huge fields, control bytes,
trailing delimiters, repeated headers), some pure noise, and odd file names (bytes that are
not UTF-8, backslashes, glob characters, quotes, line breaks, leading dots, subfolders, names
outside the stream's pattern). They are shared by the unit tier and the build tier of
tests/python/test_landing_fuzz.py and by benchmarks/fuzz_landing.py, so the long run
explores exactly what the tests do.

Known reader findings are kept out of the generators (each exclusion names its xfail test in
tests/python/test_landing_fuzz.py) so the fuzzing keeps looking for new ones.
"""

from __future__ import annotations

import csv
import json
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from lakehouse.file_gate import DELIMITERS, StreamSpec, header_name
from lakehouse.landing_stage import shown_name

T = TypeVar("T")

#: The flights stream's contract (models/bronze/_sources.yml), in delivery order.
FLIGHT_COLUMNS: tuple[str, ...] = (
    "year",
    "month",
    "day",
    "dep_time",
    "sched_dep_time",
    "dep_delay",
    "arr_time",
    "sched_arr_time",
    "arr_delay",
    "carrier",
    "flight",
    "tailnum",
    "origin",
    "dest",
    "air_time",
    "distance",
    "hour",
    "minute",
    "time_hour",
)
FLIGHTS = StreamSpec(FLIGHT_COLUMNS, "flights/flights_*.csv")
STREAM_FOLDER = b"flights"

#: Real rows of the clean 2013-01-03 delivery (scripts/land.py), so the unit tier fuzzes
#: realistic files without landing anything; the build tier passes the whole day instead.
SAMPLE_ROWS: tuple[str, ...] = (
    "2013,1,3,32,2359,33,504,442,22,B6,707,N763JB,JFK,SJU,193,1598,23,59,2013-01-04T04:00:00Z",
    "2013,1,3,50,2145,185,203,2311,172,B6,104,N329JB,JFK,BUF,58,301,21,45,2013-01-04T02:00:00Z",
    "2013,1,3,458,500,-2,650,650,0,US,1030,N172US,EWR,CLT,94,529,5,0,2013-01-03T10:00:00Z",
    "2013,1,3,520,525,-5,830,820,10,UA,1018,N78511,EWR,IAH,238,1400,5,25,2013-01-03T10:00:00Z",
    "2013,1,3,532,530,2,851,831,20,UA,1136,N76522,LGA,IAH,241,1416,5,30,2013-01-03T10:00:00Z",
    "2013,1,3,535,540,-5,835,850,-15,AA,1141,N618AA,JFK,MIA,158,1089,5,40,2013-01-03T10:00:00Z",
    "2013,1,3,550,600,-10,843,846,-3,B6,79,N708JB,JFK,MCO,152,944,6,0,2013-01-03T11:00:00Z",
    "2013,1,3,552,600,-8,759,801,-2,DL,731,N954DL,LGA,DTW,99,502,6,0,2013-01-03T11:00:00Z",
    "2013,1,3,553,600,-7,721,715,6,EV,5716,N828AS,JFK,IAD,57,228,6,0,2013-01-03T11:00:00Z",
    "2013,1,3,637,636,1,827,808,19,EV,3839,N14916,EWR,BNA,154,748,6,36,2013-01-03T11:00:00Z",
    "2013,1,3,1025,1032,-7,1521,1240,NA,EV,4255,N34110,EWR,CHS,NA,628,10,32,2013-01-03T15:00:00Z",
    "2013,1,3,1348,1350,-2,1821,1628,NA,DL,1705,N324NB,LGA,MSY,NA,1183,13,50,2013-01-03T18:00:00Z",
)

ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
#: Values a real export (or a broken one) puts in a field: markers of missing values,
#: numbers in other spellings, quotes, delimiters, line breaks, control and invisible
#: characters, non-Latin text, a formula, the header's own first name.
SPECIAL_VALUES: tuple[str, ...] = (
    "",
    " ",
    "NA",
    "null",
    "\\N",
    '"',
    '""',
    "'",
    ",",
    ";",
    "\t",
    "|",
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "\x85",
    "\u2028",
    "\x1b[31m",
    "\x7f",
    "\ufeff",
    "\u200b",
    "\u00a0",
    "1,400",
    "2.0",
    "-0",
    "1e309",
    "NaN",
    "Ñandú",
    "機体",
    "=1+1",
    "year",
    "sep=;",
    "\\",
    "\ufffd",
)
_NOISY = ',;\t|"\r\n \x00\x01\x1f\x7f\x85\u00a0\u200b\u2028\ufeffNA1éｱ'
#: How a header may differ from the contract's: benign (the file is read: columns reordered,
#: names shuffled over the values, names spelled with case, blanks, BOM, NUL, accents, extra
#: columns) or breaking (rejected: a column missing, twice or renamed; no header line).
HEADER_CHANGES: tuple[str, ...] = (
    ("none",) * 14
    + ("reordered", "names_shuffled", "name_spelling", "extra_columns") * 2
    + ("missing_column", "duplicate_column", "renamed_column", "no_header", "blank_header")
)
#: Header names that are not contract names: empty, spaced, quoted, with NUL, control
#: characters, a line break, a delimiter, a contract name in disguise.
ODD_HEADER_NAMES: tuple[str, ...] = (
    "",
    " ",
    "gate_number",
    'gate "B"',
    "it's",
    "x\x00y",
    "\x01\x02",
    "line\nbreak",
    "a,b",
    "a;b",
    "carrier_code",
    "Year ",
    "\ufeffnote",
    "機体",
    "_extra_fields",
    "_raw_line",
    "column_20",
)


@dataclass(frozen=True)
class LandingFile:
    """One generated delivery: where it lands under the stream folder, its bytes, and the
    perturbations that made it (``shape``, for reports and failure messages).

    The name is kept in parts so a serial number can make it unique in a batch without
    changing what is odd about it: ``folder + stem + _NNNN + suffix``.
    """

    stem: bytes
    suffix: bytes = b".csv"
    folder: bytes = b""  # subfolders under the stream folder, each ending in "/"
    data: bytes = b""
    shape: tuple[str, ...] = field(default=())

    def name(self, serial: int | None = None) -> bytes:
        """The file's name relative to the stream folder, numbered when ``serial`` is given."""
        number = b"" if serial is None else b"_%04d" % serial
        return self.folder + self.stem + number + self.suffix

    def listed_name(self, serial: int | None = None) -> str:
        """The name the gate and the audit give the file (relative to the landing root)."""
        return shown_name(STREAM_FOLDER + b"/" + self.name(serial))


# ---------------------------------------------------------------------------------------
# names


_NAME_ODDITIES: tuple[bytes, ...] = (
    b"\xff",
    b"\xc3",  # a UTF-8 lead byte without its continuation
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xe9",  # Latin-1 e-acute
    "é".encode(),
    "\u200b".encode(),
    b"\\",
    b"\\xff",  # what a 0xFF byte is shown as
    b"\\x5c",  # what a backslash is shown as
    b"[",
    b"]",
    b"[1]",
    b"*",
    b"?",
    b"'",
    b'"',
    b"\n",
    b"\r",
    b"\t",
    b" ",
    b"%",
    b"$",
    b";",
    b"\x01",
    b"\x7f",
    b"~",
)
_SUBFOLDERS: tuple[bytes, ...] = (
    b"archive/",
    b"old/",
    b".hidden/",
    b"sub[1]/",
    b"b\xffad/",
    b"a\\b/",
    b"x/y/",
    b"flights_2013-01-03.csv/",  # a folder named like a delivery
)
_OUTSIDE: tuple[tuple[bytes, bytes], ...] = (
    (b"notes", b".txt"),
    (b"flights", b".csv"),  # matches flights_*.csv only with the serial's underscore
    (b"Flights_2013-01-03", b".csv"),
    (b"flight_2013-01-03", b".csv"),
    (b"flights_2013-01-03", b".CSV"),
    (b"flights_2013-01-03", b".csv.tmp"),
    (b"flights_2013-01-03", b".csv~"),
    (b"flights_2013-01-03", b".csv.gz"),
    (b"flights_2013-01-03", b""),
    (b"", b".DS_Store"),
    (b"-flights", b".csv"),
)


def _without_separators(raw: bytes) -> bytes:
    """A name segment a file system accepts: no NUL, no slash, at most 100 bytes."""
    return raw.replace(b"\x00", b"").replace(b"/", b"")[:100]


@st.composite
def file_names(draw: st.DrawFn) -> tuple[bytes, bytes, bytes, str]:
    """(folder, stem, suffix, kind) of a delivery's name. Five in six are clean names of the
    stream's pattern (so the content is read); the rest carry one kind of oddity."""
    clean_stem = b"flights_2013-01-03" + draw(st.sampled_from([b"", b"_fz", b"_x.y", b"-2"]))
    kind = draw(
        st.sampled_from(
            ["clean"] * 25 + ["odd_bytes", "leading_dot", "outside_pattern", "subfolder", "random"]
        )
    )
    if kind == "clean":
        return b"", clean_stem, b".csv", kind
    if kind == "odd_bytes":
        stem = clean_stem
        for oddity in draw(st.lists(st.sampled_from(_NAME_ODDITIES), min_size=1, max_size=3)):
            at = draw(st.integers(0, len(stem)))
            stem = stem[:at] + oddity + stem[at:]
        return b"", stem, b".csv", kind
    if kind == "leading_dot":
        return b"", b"." + clean_stem, draw(st.sampled_from([b".csv", b""])), kind
    if kind == "outside_pattern":
        stem, suffix = draw(st.sampled_from(_OUTSIDE))
        return b"", stem, suffix, kind
    if kind == "subfolder":
        return draw(st.sampled_from(_SUBFOLDERS)), clean_stem, b".csv", kind
    stem = _without_separators(draw(st.binary(min_size=1, max_size=40)))
    suffix = _without_separators(draw(st.sampled_from([b".csv", b"", b".CSV"]) | st.binary()))
    return b"", stem, suffix, kind


# ---------------------------------------------------------------------------------------
# values and rows


def odd_values() -> st.SearchStrategy[str]:
    """A field value as a broken or unusual export would write it."""
    return st.one_of(
        st.sampled_from(SPECIAL_VALUES),
        st.text(max_size=16),
        st.text(alphabet=_NOISY, max_size=12),
    )


@st.composite
def huge_value(draw: st.DrawFn) -> str:
    """A field of 10 kB to ~1 MB (a pasted document, a runaway export), drawn cheaply: a
    short chunk repeated."""
    chunk = draw(st.sampled_from(["x", "ab,", 'q"', "é\n", "\x00", "N14228 "]))
    size = draw(st.sampled_from([10_000, 100_000, 1_000_000]))
    return (chunk * (size // len(chunk) + 1))[:size]


# A shape of an open finding (a strict xfail test in tests/python/test_landing_fuzz.py) is
# kept out of generated files where it is made, with a comment naming the test, so the
# fuzzing looks for other ones; the exclusion goes when the finding is fixed. None is open.


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws. Not ``integers(0, n - 1) == 0``: Hypothesis favours
    bounds, which would make a rare shape (a 1 MB field) common and the tier slow."""
    return st.sampled_from([False] * (n - 1) + [True])


def _parse(row: str) -> list[str]:
    return next(csv.reader([row]))


# ---------------------------------------------------------------------------------------
# rendering


def _needs_quotes(value: str, delimiter: str) -> bool:
    return any(char in value for char in (delimiter, '"', "\r", "\n"))


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def render_line(values: Sequence[str], delimiter: str, quoting: str, raw: frozenset[int]) -> str:
    """One record as text. ``quoting``: minimal (only values that need it), all, none (never,
    so a value holding the delimiter breaks the row). Positions in ``raw`` are written as
    they are (an unclosed quote must stay unclosed)."""
    cells = []
    for position, value in enumerate(values):
        if position in raw or quoting == "none":
            cells.append(value)
        elif quoting == "all" or _needs_quotes(value, delimiter):
            cells.append(_quoted(value))
        else:
            cells.append(value)
    return delimiter.join(cells)


def join_lines(lines: Sequence[str], endings: Sequence[str], final: bool) -> str:
    """``lines`` joined by ``endings`` (one per gap, cycled), with or without a last one."""
    if not lines:
        return ""
    out = []
    for index, line in enumerate(lines):
        out.append(line)
        if index < len(lines) - 1 or final:
            out.append(endings[index % len(endings)])
    return "".join(out)


_BOMS = {"utf-8-sig": b"", "utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}


def encode(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; characters it cannot hold become ``?`` (as an export does).
    ``utf-16``/``utf-32``/``utf-8-sig`` write their byte order mark; ``utf-16-be`` gets one."""
    return _BOMS.get(encoding, b"") + text.encode(encoding, "replace")


# ---------------------------------------------------------------------------------------
# whole files


_ENCODINGS = (["utf-8"] * 8 + ["utf-8-sig", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"]) + [
    "cp1252",
    "cp932",
    "latin-1",
]


@st.composite
def flight_file(draw: st.DrawFn, rows: Sequence[str] = SAMPLE_ROWS) -> tuple[bytes, list[str]]:
    """A flights delivery made from real rows with perturbations; (bytes, what was done)."""
    shape: list[str] = []
    header = list(FLIGHT_COLUMNS)
    body = [_parse(row) for row in draw(st.lists(st.sampled_from(list(rows)), max_size=25))]
    raw_cells: list[set[int]] = [set() for _ in body]

    # header variations
    changes = [draw(st.sampled_from(HEADER_CHANGES))]
    if draw(one_in(4)):
        changes.append(draw(st.sampled_from(HEADER_CHANGES)))
    for change in dict.fromkeys(changes):
        if change == "none":
            continue
        shape.append(change)
        if change == "reordered":
            order = draw(st.permutations(range(len(header))))
            header = [header[i] for i in order]
            body = [[row[i] if i < len(row) else "" for i in order] for row in body]
        elif change == "names_shuffled":
            header = list(draw(st.permutations(header)))
        elif change == "name_spelling":
            for i in draw(st.lists(st.integers(0, len(header) - 1), max_size=4)):
                spelled = draw(
                    st.sampled_from(
                        [
                            header[i].upper(),
                            f" {header[i]} ",
                            f"\ufeff{header[i]}",
                            f"{header[i][:1]}\x00{header[i][1:]}",
                            f"{header[i]}\u200b",
                            f"{header[i]}\x07",
                            f'"{header[i]}"',
                            f"{header[i]}\u0301",
                        ]
                    )
                )
                header[i] = spelled
        elif change == "extra_columns":
            for _ in range(draw(st.integers(1, 3))):
                at = draw(st.integers(0, len(header)))
                header.insert(at, draw(st.sampled_from(ODD_HEADER_NAMES)))
                for row in body:
                    row.insert(min(at, len(row)), draw(st.sampled_from(["B12", "", "x,y", "é"])))
        elif change == "missing_column" and len(header) > 1:
            at = draw(st.integers(0, len(header) - 1))
            del header[at]
            for row in body:
                if at < len(row):
                    del row[at]
        elif change == "duplicate_column":
            at = draw(st.integers(0, len(header) - 1))
            header.insert(at, header[at])
            for row in body:
                if at < len(row):
                    row.insert(at, row[at])
        elif change == "renamed_column":
            at = draw(st.integers(0, len(header) - 1))
            header[at] = draw(st.sampled_from(ODD_HEADER_NAMES))

    # row perturbations
    edits = draw(
        st.lists(
            st.tuples(
                st.integers(0, max(len(body) - 1, 0)),
                st.sampled_from(
                    [
                        "value",
                        "value",
                        "control",
                        "invisible",
                        "drop_field",
                        "add_field",
                        "trailing_delimiter",
                        "unclosed_quote",
                        "stray_quote",
                        "newline_in_value",
                    ]
                ),
            ),
            max_size=6,
        )
    )
    if not body:
        edits = []
    for index, edit in edits:
        row = body[index]
        at = draw(st.integers(0, max(len(row) - 1, 0)))
        shape.append(edit)
        if not row:
            row.append("")
        if edit == "value":
            row[at] = draw(odd_values())
        elif edit == "control":
            row[at] = row[at] + draw(st.sampled_from(["\x00", "\x01", "\x1b", "\x7f", "\x9f"]))
        elif edit == "invisible":
            row[at] = draw(st.sampled_from(["\u200b", "\u00a0", "\ufeff", " "])) + row[at]
        elif edit == "drop_field":
            del row[at]
        elif edit == "add_field":
            row.insert(at, draw(odd_values()))
        elif edit == "trailing_delimiter":
            row.extend([""] * draw(st.integers(1, 2)))
        elif edit == "unclosed_quote":
            row[at] = '"' + row[at]
            raw_cells[index].add(at)
        elif edit == "stray_quote":
            row[at] = row[at][:1] + '"' + row[at][1:]
            raw_cells[index].add(at)
        elif edit == "newline_in_value":
            row[at] = row[at] + draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"])) + "x"
    if body and draw(one_in(15)):
        shape.append("huge_field")
        index = draw(st.integers(0, len(body) - 1))
        if body[index]:
            body[index][draw(st.integers(0, len(body[index]) - 1))] = draw(huge_value())

    # the dialect
    delimiter = draw(st.sampled_from([",", ",", ",", ";", "\t", "|"]))
    sep_line = None
    if draw(one_in(6)):
        sep_line = draw(st.sampled_from([delimiter, delimiter, ":", '"', "a", "\x00", ";;"]))
        if len(sep_line) == 1 and sep_line not in ('"', "a"):
            delimiter = sep_line
        shape.append("sep_line")
    if delimiter != ",":
        shape.append(f"delimiter {DELIMITERS.get(delimiter, repr(delimiter))}")
    quoting = draw(st.sampled_from(["minimal"] * 4 + ["all", "none"]))
    if quoting != "minimal":
        shape.append(f"quoting {quoting}")
    lines = []
    if sep_line is not None:
        lines.append(f"sep={sep_line}")
    if "no_header" not in shape:
        lines.append(
            "" if "blank_header" in shape else render_line(header, delimiter, quoting, frozenset())
        )
    header_line = render_line(header, delimiter, quoting, frozenset())
    for index, row in enumerate(body):
        lines.append(render_line(row, delimiter, quoting, frozenset(raw_cells[index])))
    for extra in draw(
        st.lists(
            st.sampled_from(["repeated_header", "blank_line", "blank_spaces", "noise_line"]),
            max_size=3,
        )
    ):
        at = draw(st.integers(min(len(lines), 1), len(lines)))
        shape.append(extra)
        lines.insert(
            at,
            {
                "repeated_header": header_line,
                "blank_line": "",
                "blank_spaces": " \t ",
                "noise_line": draw(st.text(alphabet=_NOISY, max_size=30)),
            }[extra],
        )

    # line endings
    convention = draw(st.sampled_from(["lf"] * 3 + ["crlf", "crlf", "cr", "mixed"]))
    if convention == "mixed":
        endings = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=8))
    else:
        endings = [ENDINGS[convention]]
    if convention != "lf":
        shape.append(f"endings {convention}")
    text = join_lines(lines, endings, final=draw(st.booleans()))

    # encoding and bytes
    encoding = draw(st.sampled_from(_ENCODINGS))
    if encoding != "utf-8":
        shape.append(f"encoding {encoding}")
    data = encode(text, encoding)
    if draw(one_in(7)):
        damage, data = draw(damaged(data))
        shape.append(damage)
    return data, shape


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> tuple[str, bytes]:
    """``data`` with one kind of byte damage: inserted, flipped or cut bytes, a byte that is
    not UTF-8, a stray byte order mark, binary garbage at the end."""
    kind = draw(
        st.sampled_from(["insert", "flip", "truncate", "bad_byte", "stray_bom", "garbage_tail"])
    )
    at = draw(st.integers(0, len(data)))
    if kind == "insert":
        return kind, data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if kind == "flip" and data:
        at = min(at, len(data) - 1)
        return kind, data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "truncate":
        return kind, data[:at]
    if kind == "bad_byte":
        return kind, data[:at] + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x81"])) + data[
            at:
        ]
    if kind == "stray_bom":
        bom = draw(
            st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"])
        )
        return kind, bom + data
    return "garbage_tail", data + draw(st.binary(min_size=1, max_size=64))


def noise_file() -> st.SearchStrategy[tuple[bytes, list[str]]]:
    """Files that are not CSV at all, or barely: random bytes, CSV-ish characters, a header
    with a random body, and the smallest files (empty, only a byte order mark, only blanks)."""
    header = ",".join(FLIGHT_COLUMNS) + "\n"
    return st.one_of(
        st.binary(max_size=2048).map(lambda data: (data, ["noise bytes"])),
        st.tuples(st.text(alphabet=_NOISY, max_size=400), st.sampled_from(_ENCODINGS)).map(
            lambda pair: (encode(*pair), ["noise text"])
        ),
        st.binary(max_size=512).map(lambda data: (header.encode() + data, ["header, noise body"])),
        st.sampled_from(
            [b"", b"\n", b"\r\n\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"sep=;\n", b" \t \n", b"\x00"]
        ).map(lambda data: (data, ["tiny"])),
    )


@st.composite
def landing_files(draw: st.DrawFn, rows: Sequence[str] = SAMPLE_ROWS) -> LandingFile:
    """A delivery with its name: five in six built from real ``rows``, the rest noise."""
    folder, stem, suffix, name_kind = draw(file_names())
    if draw(one_in(6)):
        data, shape = draw(noise_file())
    else:
        data, shape = draw(flight_file(rows))
    if name_kind != "clean":
        shape = [f"name {name_kind}", *shape]
    return LandingFile(stem=stem, suffix=suffix, folder=folder, data=data, shape=tuple(shape))


# ---------------------------------------------------------------------------------------
# round trips: rows written in a supported dialect must read back as they were


def _cp932_pairs() -> str:
    """Characters CP932 writes as a lead byte 0x81-0x9F and a trail byte 0x40-0x7E: bytes
    no other candidate encoding reads as letters, so detection cannot legitimately guess
    another code page for them."""
    chars = []
    for lead in range(0x81, 0xA0):
        for trail in range(0x40, 0x7F):
            try:
                char = bytes([lead, trail]).decode("cp932")
            except UnicodeDecodeError:
                continue
            if len(char) == 1 and char.encode("cp932") == bytes([lead, trail]):
                chars.append(char)
    return "".join(chars)


_ASCII = "".join(chr(code) for code in range(128))
#: The characters a value may hold per encoding. Legacy code pages get narrow alphabets:
#: with arbitrary bytes detection may legitimately pick another code page. CP1252 gets the
#: letters U+00C0-U+00DF but the multiplication sign (not a letter: CP932 would win).
ALPHABETS: dict[str, str | None] = {
    "utf-8": None,
    "utf-8-sig": None,
    "utf-16": None,
    "utf-16-be": None,
    "utf-32": None,
    "cp1252": _ASCII + "".join(chr(c) for c in range(0xC0, 0xE0) if c != 0xD7),
    "cp932": _ASCII + _cp932_pairs(),
}


@dataclass(frozen=True)
class RoundTrip:
    """Rows written in one dialect, and what the reader must give back."""

    spec: StreamSpec
    data: bytes
    rows: list[dict[str, str]]  # contract values per row
    extras: list[dict[str, str] | None]  # the _extra_fields JSON per row, parsed
    dialect: str
    description: str


@st.composite
def round_trips(draw: st.DrawFn) -> RoundTrip:
    """A small contract, rows of arbitrary values (in the encoding's alphabet), written with
    a supported delimiter, line ending, byte order mark, encoding and quoting (minimal: the
    values that need it, or all), perhaps a ``sep=`` line and columns outside the contract.

    Left out, as the reader defines them: a value with a line break in a CR-only file (any
    LF makes it an LF file), a tab-separated row of blanks only (a blank line), a row equal
    to the header (a repeated header).
    """
    names = draw(
        st.lists(
            st.text(alphabet="abcdefghij_", min_size=1, max_size=6).map(lambda n: f"c_{n}"),
            min_size=2,
            max_size=6,
            unique=True,
        )
    )
    extra_names = draw(
        st.lists(
            st.text(alphabet="klmnop", min_size=1, max_size=4).map(lambda n: f"x_{n}"),
            max_size=2,
            unique=True,
        )
    )
    header = list(draw(st.permutations(names + extra_names)))
    encoding = draw(st.sampled_from(list(ALPHABETS)))
    convention = draw(st.sampled_from(["lf", "crlf", "cr", "mixed"]))
    delimiter = draw(st.sampled_from(list(DELIMITERS)))
    sep_line = draw(st.booleans())
    quoting = draw(st.sampled_from(["minimal", "all"]))
    alphabet = ALPHABETS[encoding]
    if convention == "cr":
        chars = st.characters(codec=None, exclude_characters="\r\n", exclude_categories=["Cs"])
        if alphabet is not None:
            chars = st.sampled_from(alphabet.replace("\r", "").replace("\n", ""))
    else:
        chars = (
            st.characters(exclude_categories=["Cs"])
            if alphabet is None
            else st.sampled_from(alphabet)
        )
    values = st.one_of(st.text(chars, max_size=12), st.sampled_from(["", " ", '"', "NA"]))
    records = draw(
        st.lists(st.lists(values, min_size=len(header), max_size=len(header)), max_size=8)
    )

    lines = [f"sep={delimiter}"] if sep_line else []
    lines.append(render_line(header, delimiter, quoting, frozenset()))
    expected_rows: list[dict[str, str]] = []
    expected_extras: list[dict[str, str] | None] = []
    for record in records:
        if [header_name(value) for value in record] == header:
            record[0] += "x"  # not a repeated header
        line = render_line(record, delimiter, quoting, frozenset())
        if not line.strip():
            line = render_line(record, delimiter, "all", frozenset())  # not a blank line
        lines.append(line)
        by_name = dict(zip(header, record, strict=True))
        expected_rows.append({name: by_name[name] for name in names})
        extras = {header_name(name): by_name[name] for name in header if name in extra_names}
        expected_extras.append({k: v for k, v in extras.items() if v != ""} or None)
    if convention == "mixed":
        endings = draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=1, max_size=6))
    else:
        endings = [ENDINGS[convention]]
    text = join_lines(lines, endings, final=draw(st.booleans()))
    spec = StreamSpec(tuple(names), "flights/flights_*.csv")
    description = (
        f"{encoding}, {convention}, {DELIMITERS[delimiter]}, quoting {quoting}"
        f"{', sep= line' if sep_line else ''}"
    )
    return RoundTrip(
        spec=spec,
        data=encode(text, encoding),
        rows=expected_rows,
        extras=expected_extras,
        dialect=DELIMITERS[delimiter],
        description=description,
    )


def extras_of(value: str | None) -> dict[str, str] | None:
    """A row's ``_extra_fields`` as a dict (None when the row kept none)."""
    return None if value is None else json.loads(value)


# ---------------------------------------------------------------------------------------
# deterministic batches (the build tier and the long run)


def draw_examples(strategy: st.SearchStrategy[T], count: int, seed_value: int) -> list[T]:
    """``count`` examples of ``strategy``, the same ones for the same seed: the build tier
    and the long run land fixed batches, so a failure can be reproduced from its seed.

    Drawn from a pool ten times larger, at random (seeded): Hypothesis starts with the
    simplest example and mutates earlier ones, so ``count`` consecutive examples would be
    small files and runs of near copies."""
    found: list[T] = []
    pool = count * 10

    @settings(
        database=None,
        phases=[Phase.generate],
        max_examples=pool,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(seed_value)
    @given(strategy)
    def collect(example: T) -> None:
        found.append(example)

    collect()
    return random.Random(seed_value).sample(found, min(count, len(found)))


def write_landing_file(stream_folder: bytes, file: LandingFile, serial: int | None) -> bool:
    """Write ``file`` under ``stream_folder`` (bytes paths: names need not be UTF-8); False
    when the file system refuses the name (a file where a subfolder was asked for)."""
    path = stream_folder + b"/" + file.name(serial)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "xb") as handle:
            handle.write(file.data)
    except OSError:
        return False
    return True
