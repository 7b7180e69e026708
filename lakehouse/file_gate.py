"""The landing gate: every delivered file read by one total reader, before bronze sees it.

A client's export can hold any bytes. DuckDB's CSV reader stops the whole statement on some
layouts (a lone carriage return: "state machine reached an invalid state"), and anything
taken from a file and spliced into SQL (a name, a header, a reason) can break the statement
around it. So bronze never parses CSV in SQL and no file text becomes SQL: this module judges
each file's bytes and reads its rows with the stream's contract columns only, and
:mod:`lakehouse.landing_stage` stages them as Parquet for the bronze pre-hook.

For any bytes the reader returns one of three verdicts and never raises:

* ``read``: every non-blank physical line after the header is in exactly one row, either parsed
  (contract columns by header name, any other columns as JSON in ``_extra_fields``) or kept raw
  (``_raw_line``) with ``_rejected_reason`` for silver to quarantine;
* ``empty``: no header, or a header and no rows;
* ``rejected``: the file is not read, with the reason (name outside the stream's pattern,
  unknown encoding, a contract column missing or given twice).

Two parsers, one meaning: clean files (valid text, balanced quotes, every row on one line with
the header's field count) go through Arrow's C++ CSV reader, 30x faster than Python's; any
other file goes through :func:`_read_careful`, Python's ``csv`` module line by line, which is
total. A property test holds the two to the same rows on every input the fast one accepts.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import logging
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa

log = logging.getLogger(__name__)

UTF8_BOM = b"\xef\xbb\xbf"
#: Byte order marks of the UTF-16/32 encodings (spreadsheet "Unicode text" exports), longest first.
UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: Legacy encodings a delivery may use when it is not UTF-8, in the codec names Python uses.
DEFAULT_LEGACY_ENCODINGS = ("cp932", "cp1252", "latin_1")
#: Delimiters a client's export may use, with the names recorded in the audit; the first wins
#: a tie. Anything else is named by a ``sep=X`` first line (a spreadsheet convention) or rejected.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: Landing file names that may reach a path or a log: letters, digits and . _ - per segment.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
#: Bump when the reader's output for some input changes: cached verdicts are keyed by it.
READER_VERSION = "10"
#: Characters a header name is cleaned of (byte order mark, zero-width, controls).
_HEADER_JUNK = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)
LINEAGE = ("_extra_fields", "_source_file", "_row_number", "_raw_line", "_rejected_reason")

csv.field_size_limit(2**31 - 1)  # a huge field is a value, not a reason to stop


@dataclass(frozen=True)
class StreamSpec:
    """A landing stream's contract: its column names and its file name pattern."""

    columns: tuple[str, ...]
    pattern: str  # relative to the landing root, e.g. flights/flights_*.csv

    @classmethod
    def from_json(cls, text: str) -> StreamSpec:
        spec = json.loads(text)
        return cls(tuple(spec["columns"]), spec["pattern"])

    def to_json(self) -> str:
        return json.dumps({"columns": list(self.columns), "pattern": self.pattern})

    @property
    def folder(self) -> str:
        return self.pattern.rsplit("/", 1)[0] if "/" in self.pattern else ""


@dataclass
class Delivery:
    """What the reader made of one file: the verdict, its facts and (when read) its rows."""

    verdict: str
    reason: str | None = None
    encoding: str | None = None
    dialect: str | None = None
    data_lines: int = 0  # non-blank physical lines after the header
    lines_in_rows: int = 0  # non-blank physical lines the rows hold (== data_lines when read)
    malformed_rows: int = 0
    parser: str | None = None  # fast (Arrow) or careful (Python csv)
    rows: pa.Table | None = field(default=None, repr=False)

    @property
    def row_count(self) -> int:
        return self.rows.num_rows if self.rows is not None else 0

    def facts(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "encoding": self.encoding,
            "dialect": self.dialect,
            "data_lines": self.data_lines,
            "row_count": self.row_count,
            "malformed_rows": self.malformed_rows,
            "parser": self.parser,
        }


def legacy_encodings() -> tuple[str, ...]:
    """``LAKEHOUSE_LANDING_ENCODINGS`` (comma separated) or the default list."""
    configured = os.environ.get("LAKEHOUSE_LANDING_ENCODINGS")
    if not configured:
        return DEFAULT_LEGACY_ENCODINGS
    return tuple(name.strip() for name in configured.split(",") if name.strip())


def detect_encoding(data: bytes) -> str | None:
    """``utf-8`` for UTF-8 (with or without BOM), ``utf-16``/``utf-32`` for a file that starts
    with their byte order mark, a legacy codec name, or None if unknown.

    A file with at least as many valid multi-byte UTF-8 characters as broken bytes is still
    UTF-8: its broken rows are kept raw one by one instead of the whole file being misread
    in a code page.
    """
    for bom, encoding in UNICODE_BOMS:
        if data.startswith(bom):
            try:
                data.decode(encoding)
                return encoding
            except UnicodeDecodeError:
                break
    body = data.removeprefix(UTF8_BOM)
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = body.decode("utf-8", "replace")
    broken = lenient.count("\ufffd")
    valid = sum(1 for char in lenient if ord(char) > 127) - broken
    if valid >= broken:  # mostly UTF-8: a legacy code page rarely forms valid UTF-8 by chance
        return "utf-8"
    candidates = []
    for position, encoding in enumerate(legacy_encodings()):
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        candidates.append((_plausibility(text), -position, encoding))
    return max(candidates)[2] if candidates else None


def _plausibility(text: str) -> float:
    """How much the non-ASCII characters of ``text`` look like words: letters score 1,
    half-width katakana (a CP932 misreading of Latin-1 accents) 0.5, symbols 0.

    Statistical detectors (charset-normalizer) judge coherence on English text and pick
    CP1252 for a CSV that is ASCII but for a few Japanese names; the non-ASCII characters
    themselves are the only evidence a mostly-numeric delivery carries.
    """
    scores = [
        0.5 if "\uff61" <= char <= "\uff9f" else float(unicodedata.category(char).startswith("L"))
        for char in text
        if ord(char) > 127
    ]
    return sum(scores) / len(scores) if scores else 0.0


def _decode(data: bytes, encoding: str) -> tuple[str, bool]:
    """The file as text, and whether it held broken bytes: bytes that are not UTF-8 in a UTF-8
    file become lone surrogates (``surrogateescape``), so the rows holding them can be kept
    raw and named."""
    if encoding == "utf-8":
        body = data.removeprefix(UTF8_BOM)
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            return body.decode("utf-8", "surrogateescape"), True
    # a spreadsheet may put a UTF-8 byte order mark before text in a code page
    return data.removeprefix(UTF8_BOM).decode(encoding).removeprefix("\ufeff"), False


def header_name(text: str) -> str:
    """A header cell as a column name: NFC, without junk characters or outer blanks, lower
    case; bytes that are not UTF-8 spelled ``\\xa0`` (a name is a JSON key in bronze)."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return unicodedata.normalize("NFC", _HEADER_JUNK.sub("", text)).strip().lower()


def _may_repeat_header(first_column: pa.ChunkedArray, first_name: str) -> bool:
    """Whether a value of the first column may be the header's first name again. Printable
    ASCII values are compared in Arrow (their header name is their trimmed lower case); any
    other value through :func:`header_name`, as the careful reader compares them."""
    import pyarrow.compute as pc

    trimmed = pc.utf8_lower(pc.utf8_trim_whitespace(first_column))
    if pc.any(pc.equal(trimmed, first_name)).as_py():
        return True
    others = pc.filter(first_column, pc.invert(pc.match_substring_regex(first_column, "^[ -~]*$")))
    return any(header_name(value) == first_name for value in others.to_pylist())


def shown(text: str, limit: int = 80) -> str:
    """``text`` safe for a reason or a log line: controls and broken bytes escaped, cut."""
    escaped = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    escaped = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in escaped
    )
    return escaped if len(escaped) <= limit else escaped[: limit - 3] + "..."


def _name_problem(name: str, spec: StreamSpec) -> str | None:
    """Why a landing file name is not read, or None."""
    folder = spec.folder + "/" if spec.folder else ""
    relative = name[len(folder) :] if name.startswith(folder) else None
    if relative is None or "/" in relative:
        return f"not a delivery of this stream: only files directly in {folder or './'} are read"
    pattern = spec.pattern.rsplit("/", 1)[-1]
    if not fnmatch.fnmatchcase(relative, pattern):
        return f"file name does not match the stream's pattern {pattern}"
    if not SAFE_NAME.fullmatch(name):
        return "unsafe file name: only letters, digits and . _ - are accepted"
    return None


def _physical_lines(text: str) -> list[str]:
    """The file's lines with their endings. A file with any LF breaks lines at LF (CRLF
    included); a carriage return alone there is part of a value (DuckDB's reader stopped on
    it). A file without LF is an old Mac export: CR breaks its lines."""
    ending = "\n" if "\n" in text else "\r"
    parts = text.split(ending)
    lines = [part + ending for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _line_body(line: str) -> str:
    """A physical line without its ending (CRLF, LF or CR: one of them, once)."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(("\n", "\r")) else line


def _stand_in(text: str) -> str:
    """A private-use character absent from ``text``."""
    return next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)


def _lone_cr_stand_in(lines: list[str]) -> str | None:
    """A character absent from the lines, to carry lone carriage returns through Python's
    csv module (which takes any CR for the end of a record), or None if no line holds one."""
    if not any("\r" in _line_body(line) for line in lines):
        return None
    return _stand_in("".join(lines))


def _is_blank(line: str) -> bool:
    return not line.strip()


def _split(line: str, delimiter: str, stand_in: str | None = None) -> list[str]:
    """One line as fields (quotes honoured; an unclosed quote runs to the end of the line)."""
    body = _line_body(line)
    if stand_in or "\r" in body:
        stand_in = stand_in or _stand_in(body)
        fields = next(
            csv.reader([body.replace("\r", stand_in)], delimiter=delimiter, strict=False), []
        )
        return [field.replace(stand_in, "\r") for field in fields]
    return next(csv.reader([body], delimiter=delimiter, strict=False), [])


def _hide_lone_cr(line: str, stand_in: str) -> str:
    """``line`` with every carriage return but its ending replaced by ``stand_in``."""
    body = _line_body(line)
    return body.replace("\r", stand_in) + line[len(body) :]


def _choose_dialect(lines: list[str], start: int, spec: StreamSpec) -> tuple[str, int]:
    """The delimiter and the header's line index: a ``sep=X`` line names it; otherwise the
    candidate that finds the most contract columns in the header (comma on a tie)."""
    first = _line_body(lines[start]).strip(" ")  # not strip(): sep=<tab> names a tab
    if _SEP_LINE.fullmatch(first):
        delimiter = first[4]
        header_at = next((i for i in range(start + 1, len(lines)) if not _is_blank(lines[i])), None)
        return delimiter, header_at if header_at is not None else len(lines)
    contract = set(spec.columns)
    scored = [
        (len(contract & {header_name(cell) for cell in _split(lines[start], d)}), -rank, d)
        for rank, d in enumerate(DELIMITERS)
    ]
    return max(scored)[2], start


def _dialect_name(delimiter: str) -> str:
    return DELIMITERS.get(delimiter, f"sep={shown(delimiter)}")


def read_delivery(data: bytes | None, name: str, spec: StreamSpec) -> Delivery:
    """Judge and read one landing file (see the module docstring). Never raises on any bytes."""
    data = data or b""
    problem = _name_problem(name, spec)
    if problem:
        return Delivery("rejected", problem, data_lines=count_lines(data))
    encoding = detect_encoding(data)
    if encoding is None:
        return Delivery(
            "rejected",
            "unknown encoding: neither UTF-8 nor one of LAKEHOUSE_LANDING_ENCODINGS",
            data_lines=count_lines(data),
        )
    text, broken = _decode(data, encoding)
    lines = _physical_lines(text)
    start = next((i for i, line in enumerate(lines) if not _is_blank(line)), None)
    if start is None:
        return Delivery("empty", "empty file: no header, no rows", encoding)
    delimiter, header_at = _choose_dialect(lines, start, spec)
    dialect = _dialect_name(delimiter)
    if header_at >= len(lines):
        return Delivery("empty", "a sep= line and no header", encoding, dialect)
    cells, body_start = _header_cells(lines, header_at, delimiter)
    header = [header_name(cell) for cell in cells]
    body = lines[body_start:]
    data_lines = len(body) - sum(map(str.isspace, body))  # C speed: a year in 30 ms
    facts = {"encoding": encoding, "dialect": dialect, "data_lines": data_lines}
    problem = _header_problem(header, spec, dialect)
    if problem:
        return Delivery("rejected", problem, **facts)
    if data_lines == 0:
        return Delivery("empty", "header only: no rows", **facts)
    fast = _read_fast(text, broken, lines, body_start, header, delimiter, spec, data_lines)
    if fast is not None:
        return Delivery("read", None, rows=fast, lines_in_rows=data_lines, parser="fast", **facts)
    rows, lines_in_rows, malformed = _read_careful(lines, body_start, header, delimiter, spec)
    return Delivery(
        "read",
        None,
        rows=rows,
        lines_in_rows=lines_in_rows,
        malformed_rows=malformed,
        parser="careful",
        **facts,
    )


def count_lines(data: bytes) -> int:
    """Non-blank lines after the first one: the rows a rejected file accounts for."""
    lines = [line for line in data.splitlines() if line.strip()]
    return max(len(lines) - 1, 0)


def _header_problem(header: list[str], spec: StreamSpec, dialect: str) -> str | None:
    missing = [c for c in spec.columns if c not in header]
    if missing:
        unexpected = [shown(h, 40) for h in header if h not in spec.columns]
        found = f" (unexpected: {', '.join(unexpected[:10])})" if unexpected else ""
        delimiter = "" if dialect == "comma" else f" reading the header as {dialect}-separated"
        return f"missing columns{delimiter}: {', '.join(missing)}{found}"
    repeated = sorted({c for c in spec.columns if header.count(c) > 1})
    if repeated:
        return f"duplicate columns: {', '.join(repeated)} (which value is meant is unknown)"
    return None


def _extra_names(header: list[str], spec: StreamSpec) -> dict[int, str]:
    """Positions of the header's non-contract columns and the JSON key each is kept under."""
    extras: dict[int, str] = {}
    for position, name in enumerate(header):
        if name in spec.columns:
            continue
        key = name or f"column_{position + 1}"
        while key in extras.values():
            key += "_"
        extras[position] = key
    return extras


def _extra_json(fields: list[str], extras: dict[int, str]) -> str | None:
    values = {key: fields[i] for i, key in extras.items() if i < len(fields) and fields[i] != ""}
    return json.dumps(values, ensure_ascii=False) if values else None


def _table(columns: dict[str, list[object]], spec: StreamSpec) -> pa.Table:
    """The staged rows: contract columns, then the lineage columns (no _source_file yet)."""
    arrays = {c: pa.array(columns[c], pa.string()) for c in spec.columns}
    arrays["_extra_fields"] = pa.array(columns["_extra_fields"], pa.string())
    arrays["_row_number"] = pa.array(columns["_row_number"], pa.int64())
    arrays["_raw_line"] = pa.array(columns["_raw_line"], pa.string())
    arrays["_rejected_reason"] = pa.array(columns["_rejected_reason"], pa.string())
    return pa.table(arrays)


def _read_fast(
    text: str,
    broken_bytes: bool,
    lines: list[str],
    body_start: int,
    header: list[str],
    delimiter: str,
    spec: StreamSpec,
    data_lines: int,
) -> pa.Table | None:
    """Arrow's CSV reader for a clean file, or None when the file is not clean: text that is
    not all valid, an odd number of quotes, a row Arrow finds invalid, a line break inside a
    value, or a count of rows other than the non-blank lines."""
    from pyarrow import csv as pa_csv

    last = next((line for line in reversed(lines) if not _is_blank(line)), "")
    if broken_bytes or text.count('"') % 2 or _unclosed_quote(last, delimiter):
        # an unclosed quote on the last line swallows only its line ending: Arrow would read
        # it as a value, the careful reader names it
        return None
    body = "".join(lines[body_start:]).encode("utf-8")
    names = [f"f{i}" for i in range(len(header))]
    invalid: list[object] = []

    def refuse(row: object) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(body),
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=True),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=refuse
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None
    if invalid or table.num_rows != data_lines:
        return None
    named = next(i for i, name in enumerate(header) if name)  # the contract's names are here
    if _may_repeat_header(table.column(f"f{named}"), header[named]):
        return None  # perhaps a repeated header: the careful reader names it
    extras = _extra_names(header, spec)
    extra_json: list[str | None] = [None] * table.num_rows
    if extras:
        values = [table.column(f"f{i}").to_pylist() for i in extras]
        keys = dict(enumerate(extras.values()))
        extra_json = [_extra_json(list(row), keys) for row in zip(*values, strict=True)]
    arrays = {c: table.column(f"f{header.index(c)}") for c in spec.columns}
    arrays["_extra_fields"] = pa.array(extra_json, pa.string())
    arrays["_row_number"] = pa.array(range(1, table.num_rows + 1), pa.int64())
    arrays["_raw_line"] = pa.nulls(table.num_rows, pa.string())
    arrays["_rejected_reason"] = pa.nulls(table.num_rows, pa.string())
    return pa.table(arrays)


def _careful_rows(
    lines: list[str], body_start: int, delimiter: str
) -> Iterator[tuple[list[str] | None, list[str], int]]:
    """(fields, physical lines, first line number) per row, Python's csv module over the
    lines after the header. A row that spans lines and does not have the header's field
    count (an unclosed quote swallowed the lines after it) is split back into its lines,
    each read on its own, so one stray quote cannot eat the rest of the file."""
    reader = csv.reader(iter(lines[body_start:]), delimiter=delimiter, strict=False)
    consumed = 0
    while True:
        try:
            fields: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error:  # not expected with strict=False; kept raw if it happens
            fields = None
        span = lines[body_start + consumed : body_start + reader.line_num]
        first = body_start + consumed + 1
        consumed = reader.line_num
        yield fields, span, first


def _quote_state(text: str, delimiter: str) -> str:
    """How the quotes of ``text`` (one or more lines) behave: ``clean`` (every quoted field
    closes right before a delimiter or a line end), ``unclosed`` (a quoted field runs to the
    end) or ``irregular`` (a closing quote with more text after it, as when one stray quote
    pairs with a quote on a later line). A quote inside an unquoted field is a plain
    character, as CSV readers treat it."""
    quoted, at_start, state = False, True, "clean"
    position = 0
    while position < len(text):
        char = text[position]
        if quoted:
            if char == '"':
                if text[position + 1 : position + 2] == '"':
                    position += 1  # a doubled quote inside quotes
                else:
                    quoted = False
                    following = text[position + 1 : position + 2]
                    if following not in ("", delimiter, "\r", "\n"):
                        state = "irregular"
        elif at_start and char == '"':
            quoted = True
        at_start = not quoted and char in (delimiter, "\r", "\n")
        position += 1
    return "unclosed" if quoted else state


def _unclosed_quote(line: str, delimiter: str) -> bool:
    """Whether a field of ``line`` opens a quote that the line does not close."""
    return _quote_state(line.rstrip("\r\n"), delimiter) == "unclosed"


def _header_cells(lines: list[str], header_at: int, delimiter: str) -> tuple[list[str], int]:
    """The header's cells and the index of the first line after it. A quoted name may hold a
    line break, so the header may span lines, but only with quotes that close cleanly: an
    unclosed quote would otherwise make the whole file its header."""
    if _unclosed_quote(lines[header_at], delimiter):
        stand_in = _lone_cr_stand_in(lines[header_at:])
        hidden = [_hide_lone_cr(line, stand_in) if stand_in else line for line in lines[header_at:]]
        reader = csv.reader(iter(hidden), delimiter=delimiter, strict=False)
        try:
            cells = next(reader, [])
        except csv.Error:  # not expected once lone CRs are hidden; one line then
            cells = None
        span = "".join(lines[header_at : header_at + reader.line_num])
        if cells is not None and _quote_state(span, delimiter) == "clean":
            if stand_in:
                cells = [cell.replace(stand_in, "\r") for cell in cells]
            return cells, header_at + reader.line_num
    return _split(lines[header_at], delimiter), header_at + 1


def _named_width(header: list[str]) -> int:
    """The header's width without unnamed columns at its end (a trailing delimiter)."""
    width = len(header)
    while width and header[width - 1] == "":
        width -= 1
    return width


def _fits(fields: list[str], header: list[str]) -> bool:
    """Whether a row has the header's fields: as many, or fewer but for unnamed columns at
    the header's end, or more with only empty fields after them (trailing delimiters)."""
    if len(fields) > len(header):
        return not any(fields[len(header) :])
    return len(fields) >= _named_width(header)


def _read_careful(
    lines: list[str], body_start: int, header: list[str], delimiter: str, spec: StreamSpec
) -> tuple[pa.Table, int, int]:
    """Every row of the file, parsed or kept raw with the reason; total on any text."""
    width = len(header)
    positions = {c: header.index(c) for c in spec.columns}
    extras = _extra_names(header, spec)
    columns: dict[str, list[object]] = {c: [] for c in (*spec.columns, *LINEAGE)}
    lines_in_rows = malformed = 0

    def add(fields: list[str] | None, span: list[str], first: int, kind: str = "") -> None:
        nonlocal lines_in_rows, malformed
        raw = _line_body("".join(span))
        reason = None
        if kind:
            reason = f"{kind} at line {first}: a quoted value that does not end on its line"
        elif fields is not None and any("\udc80" <= ch <= "\udcff" for f in fields for ch in f):
            reason = f"INVALID ENCODING at line {first}: bytes that are not UTF-8"
        elif fields is None:
            reason = f"UNREADABLE at line {first}: the CSV reader could not split this line"
        elif [header_name(f) for f in fields[:width]] == header and _fits(fields, header):
            reason = f"REPEATED HEADER at line {first}: the header again, not a row"
        elif not _fits(fields, header):
            kind = "TOO MANY COLUMNS" if len(fields) > width else "MISSING COLUMNS"
            reason = f"{kind} at line {first}: expected {width} fields, found {len(fields)}"
        lines_in_rows += sum(1 for line in span if not _is_blank(line))
        row_number = len(columns["_row_number"]) + 1
        if reason is None:
            for c, i in positions.items():
                columns[c].append(fields[i])  # type: ignore[index]
            columns["_extra_fields"].append(_extra_json(fields, extras))  # type: ignore[arg-type]
            columns["_raw_line"].append(None)
        else:
            malformed += 1
            for c in spec.columns:
                columns[c].append(None)
            columns["_extra_fields"].append(None)
            # as delivered; only bytes that are not UTF-8 are spelled out (\xe9)
            columns["_raw_line"].append(
                raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            )
        columns["_row_number"].append(row_number)
        columns["_rejected_reason"].append(reason)

    stand_in = _lone_cr_stand_in(lines[body_start:])
    if stand_in:
        lines = [_hide_lone_cr(line, stand_in) for line in lines]
    for fields, span, first in _careful_rows(lines, body_start, delimiter):
        if stand_in:
            fields = None if fields is None else [f.replace(stand_in, "\r") for f in fields]
            span = [line.replace(stand_in, "\r") for line in span]
        if all(_is_blank(line) for line in span):
            continue
        if "".join(span).count('"') % 2 or (
            len(span) > 1
            and (
                fields is None
                or not _fits(fields, header)
                or _quote_state("".join(span), delimiter) != "clean"
            )
        ):
            for offset, line in enumerate(span):  # a quote that never closed: line by line
                if _is_blank(line):
                    continue
                if _unclosed_quote(line, delimiter):
                    add(None, [line], first + offset, "UNCLOSED QUOTE")
                else:
                    add(_split(line, delimiter, stand_in), [line], first + offset)
            continue
        add(fields, span, first)  # blank lines were skipped above: "" is a row (too short)
    del columns["_source_file"]
    return _table(columns, spec), lines_in_rows, malformed
