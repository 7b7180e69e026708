"""The landing gate's measurements: encoding, header, layout, data lines, staged UTF-8 copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lakehouse import file_gate

ROW = "2013,1,3,1000,UA,100,{},EWR\n"
HEADER = "year,month,day,dep_time,carrier,flight,tailnum,origin\n"


def delivery(tailnum: str, encoding: str, rows: int = 3) -> bytes:
    return (HEADER + ROW.format(tailnum) * rows).encode(encoding)


@pytest.mark.parametrize(
    ("tailnum", "encoding", "detected"),
    [
        ("N14228", "utf-8", "utf-8"),
        ("Ñ14228", "utf-8", "utf-8"),
        ("機体1", "cp932", "cp932"),  # charset-normalizer says cp1252 here
        ("東京", "cp932", "cp932"),
        ("ｱｲｳ", "cp932", "cp932"),
        ("NÉ1", "latin-1", "cp1252"),  # cp932 would read É as the half-width katakana ﾉ
        ("Ñandú “quoted”", "cp1252", "cp1252"),
    ],
)
def test_detects_the_encoding_of_mostly_ascii_deliveries(
    tailnum: str, encoding: str, detected: str
) -> None:
    assert file_gate.detect_encoding(delivery(tailnum, encoding)) == detected


def test_a_utf8_file_with_one_broken_byte_stays_utf8() -> None:
    data = delivery("Ñ1", "utf-8") + b"2013,1,3,1000,UA,101,N\xe9,EWR\n"
    assert file_gate.detect_encoding(data) == "utf-8"


def test_unknown_when_no_allowed_encoding_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_LANDING_ENCODINGS", "cp932")
    assert file_gate.detect_encoding(HEADER.encode() + b"\x81\x20\n") is None


def test_inspect_stages_a_utf8_copy_of_a_legacy_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_STAGING_DIR", str(tmp_path))
    facts = json.loads(file_gate.inspect_delivery(delivery("機体1", "cp932")))
    assert facts["encoding"] == "cp932" and facts["data_lines"] == 3
    assert facts["header"][6] == "tailnum" and facts["layout"] == "lf"
    staged = Path(facts["staged"])
    assert staged.parent == tmp_path
    assert staged.read_text(encoding="utf-8") == HEADER + ROW.format("機体1") * 3


@pytest.mark.parametrize(
    ("data", "header", "lines", "layout"),
    [
        (b"", [], 0, "lf"),
        (HEADER.encode(), HEADER.strip().split(","), 0, "lf"),
        (b"\xef\xbb\xbfa,b\r\n1,2\r\n", ["a", "b"], 1, "bom crlf"),
        (b'a,b\n1,"x\ny"\n', ["a", "b"], 2, "lf"),  # physical lines, not rows
    ],
)
def test_inspect_reports_header_lines_and_layout(
    data: bytes, header: list[str], lines: int, layout: str
) -> None:
    facts = json.loads(file_gate.inspect_delivery(data))
    assert (facts["header"], facts["data_lines"], facts["layout"]) == (header, lines, layout)
    assert facts["staged"] is None
