"""The landing gate: what kind of file a delivery is, before bronze reads it.

Bronze reads CSV with DuckDB, which reads UTF-8 only. Clients also send Windows code pages
(Latin-1 / CP1252 from European tools, CP932 / Shift-JIS from Japanese ones), a UTF-8 byte
order mark, or a file with only a header. The gate looks at each file's bytes once and says:
its encoding, its header, how many data lines it has and, for a legacy encoding, where a
UTF-8 copy of it was staged for the reader. The rules (which files are rejected and why) live
in the bronze macros; this module only measures. DuckDB calls it as a scalar function that the
dbt plugin registers (``lake_inspect_delivery``), so the gate runs wherever bronze runs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
import unicodedata
from pathlib import Path

UTF8_BOM = b"\xef\xbb\xbf"
#: Legacy encodings a delivery may use when it is not UTF-8, in the codec names Python uses.
DEFAULT_LEGACY_ENCODINGS = ("cp932", "cp1252", "latin_1")


def legacy_encodings() -> tuple[str, ...]:
    """``LAKEHOUSE_LANDING_ENCODINGS`` (comma separated) or the default list."""
    configured = os.environ.get("LAKEHOUSE_LANDING_ENCODINGS")
    if not configured:
        return DEFAULT_LEGACY_ENCODINGS
    return tuple(name.strip() for name in configured.split(",") if name.strip())


def detect_encoding(data: bytes) -> str | None:
    """``utf-8`` for UTF-8 (with or without BOM), a legacy codec name, or None if unknown.

    A file with at least as many valid multi-byte UTF-8 characters as broken bytes is still
    UTF-8: its broken rows are rejected by the reader one by one instead of the whole file
    being misread in a code page.
    """
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


def staging_dir() -> Path:
    """Where UTF-8 copies of legacy-encoded deliveries go: ``LAKEHOUSE_STAGING_DIR`` or temp."""
    configured = os.environ.get("LAKEHOUSE_STAGING_DIR")
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / "lakehouse-staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage_utf8(data: bytes, encoding: str) -> str:
    """Write the file decoded from ``encoding`` as UTF-8; the copy is named by its content."""
    text = data.decode(encoding)
    target = staging_dir() / f"{hashlib.sha256(data).hexdigest()}.{encoding}.csv"
    if not target.exists():
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8", newline="")
        partial.replace(target)  # atomic: a concurrent reader sees all of it or nothing
    return str(target)


def inspect_delivery(data: bytes | None) -> str:
    """JSON with ``encoding``, ``header`` (column names), ``layout``, ``data_lines``, ``staged``.

    ``layout`` (byte order mark, line ending, and ``noquote`` when the file holds an odd
    number of double quotes, so one never closes) says how bronze reads the file: files are
    read together only when their layouts match. Reading an unbalanced file with quoting
    would swallow every line after the open quote into one value; without quoting each line
    stays a row and the stray quote a value that silver quarantines.

    ``data_lines`` counts the non-empty physical lines after the header: for a file that is
    rejected whole it is the number of rows the rejection accounts for.
    """
    data = data or b""
    encoding = detect_encoding(data)
    if encoding is None:
        text = data.decode("utf-8", "replace")
    elif encoding == "utf-8":
        text = data.removeprefix(UTF8_BOM).decode("utf-8", "replace")
    else:
        text = data.decode(encoding)
    lines = [line for line in text.splitlines() if line.strip()]
    header = next(csv.reader(io.StringIO(lines[0]))) if lines else []
    staged = stage_utf8(data, encoding) if encoding not in (None, "utf-8") and lines else None
    first_line = data.split(b"\n", 1)[0]
    layout = ("bom " if data.startswith(UTF8_BOM) else "") + (
        "crlf" if first_line.endswith(b"\r") else "lf"
    )
    if text.count('"') % 2:  # a quote that never closes: read the file without quoting
        layout += " noquote"
    return json.dumps(
        {
            "encoding": encoding,
            "layout": layout,
            "header": [name.strip() for name in header],
            "data_lines": max(len(lines) - 1, 0),
            "staged": staged,
        }
    )
