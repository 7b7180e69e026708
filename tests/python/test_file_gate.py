"""The landing gate's reader: encodings, dialects, names, headers and malformed rows, one case
each, without dbt (tests/python/test_faults.py lands the same shapes through a build)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lakehouse import file_gate, landing_stage
from lakehouse.file_gate import StreamSpec, read_delivery

ROW = "2013,1,3,1000,UA,100,{},EWR\n"
HEADER = "year,month,day,dep_time,carrier,flight,tailnum,origin\n"
SPEC = StreamSpec(tuple(HEADER.strip().split(",")), "flights/flights_*.csv")
NAME = "flights/flights_2013-01-03.csv"


def delivery(tailnum: str, encoding: str, rows: int = 3) -> bytes:
    return (HEADER + ROW.format(tailnum) * rows).encode(encoding)


def rows_of(data: bytes, name: str = NAME) -> list[dict[str, object]]:
    result = read_delivery(data, name, SPEC)
    assert result.verdict == "read", result.reason
    assert result.lines_in_rows == result.data_lines  # every line is in exactly one row
    assert result.rows is not None
    return result.rows.to_pylist()


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
        ("Ñ1", "utf-16", "utf-16"),  # a spreadsheet's "Unicode text": UTF-16 with its BOM
    ],
)
def test_detects_the_encoding_of_mostly_ascii_deliveries(
    tailnum: str, encoding: str, detected: str
) -> None:
    assert file_gate.detect_encoding(delivery(tailnum, encoding)) == detected
    assert {row["tailnum"] for row in rows_of(delivery(tailnum, encoding))} == {tailnum}


def test_a_utf8_file_with_one_broken_byte_keeps_that_row_raw() -> None:
    data = delivery("Ñ1", "utf-8") + b"2013,1,3,1000,UA,101,N\xe9,EWR\n"
    assert file_gate.detect_encoding(data) == "utf-8"
    *good, broken = rows_of(data)
    assert [row["tailnum"] for row in good] == ["Ñ1"] * 3
    assert broken["_raw_line"] == "2013,1,3,1000,UA,101,N\\xe9,EWR"
    assert str(broken["_rejected_reason"]).startswith("INVALID ENCODING at line 5")


def test_unknown_when_no_allowed_encoding_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAKEHOUSE_LANDING_ENCODINGS", "cp932")
    data = HEADER.encode() + b"\x81\x20\n"
    assert file_gate.detect_encoding(data) is None
    result = read_delivery(data, NAME, SPEC)
    assert (result.verdict, result.data_lines) == ("rejected", 1)
    assert str(result.reason).startswith("unknown encoding")


@pytest.mark.parametrize(
    ("data", "dialect"),
    [
        (HEADER.replace(",", ";") + ROW.replace(",", ";").format("N1"), "semicolon"),
        (HEADER.replace(",", "\t") + ROW.replace(",", "\t").format("N1"), "tab"),
        (HEADER.replace(",", "|") + ROW.replace(",", "|").format("N1"), "pipe"),
        ("sep=;\n" + HEADER.replace(",", ";") + ROW.replace(",", ";").format("N1"), "semicolon"),
        (HEADER + ROW.format('"N,1"'), "comma"),
    ],
)
def test_reads_common_export_dialects_and_records_them(data: str, dialect: str) -> None:
    result = read_delivery(data.encode(), NAME, SPEC)
    assert (result.verdict, result.dialect) == ("read", dialect)
    assert result.rows is not None and result.rows.column("tailnum").to_pylist()[0] in {
        "N1",
        "N,1",
    }


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_line_ending_reads_the_same_rows(ending: str) -> None:
    data = (HEADER + ROW.format("N1") * 2).replace("\n", ending).encode()
    assert [row["tailnum"] for row in rows_of(data)] == ["N1", "N1"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("flights/notes.txt", "file name does not match the stream's pattern flights_*.csv"),
        ("flights/.DS_Store", "file name does not match"),
        ("flights/old/flights_2013-01-03.csv", "not a delivery of this stream"),
        ("flights/flights_2013-01-03'; drop.csv", "unsafe file name"),
        ("flights/flights_2013-01-03\n.csv", "unsafe file name"),
    ],
)
def test_a_file_the_gate_does_not_read_is_rejected_with_why(name: str, reason: str) -> None:
    result = read_delivery(delivery("N1", "utf-8"), name, SPEC)
    assert result.verdict == "rejected" and str(result.reason).startswith(reason)
    assert result.data_lines == 3  # the rows the rejection accounts for


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            HEADER.replace("carrier", "carrier_code"),
            "missing columns: carrier (unexpected: carrier_code)",
        ),
        (HEADER.replace("flight,", "flight,flight,"), "duplicate columns: flight"),
        (
            HEADER.replace(",", ";").replace("origin", "origin_x"),
            "missing columns reading the header as semicolon-separated: origin"
            " (unexpected: origin_x)",
        ),
    ],
)
def test_a_header_that_breaks_the_contract_rejects_the_file(header: str, reason: str) -> None:
    result = read_delivery((header + ROW.format("N1")).encode(), NAME, SPEC)
    assert result.verdict == "rejected" and str(result.reason).startswith(reason), result.reason


def test_other_columns_are_kept_as_json_never_as_names() -> None:
    header = HEADER.strip() + ',"gate ""B""",,it\'s\x00\n'
    (row,) = rows_of((header + ROW.format("N1").strip() + ",B12,x,y\n").encode())
    assert set(row) == {
        *SPEC.columns,
        "_extra_fields",
        "_row_number",
        "_raw_line",
        "_rejected_reason",
    }
    assert json.loads(str(row["_extra_fields"])) == {
        'gate "b"': "B12",
        "column_10": "x",
        "it's": "y",
    }


def test_trailing_delimiters_and_blank_lines_are_not_rows_or_faults() -> None:
    data = HEADER.strip() + ",\n\n" + ROW.format("N1").strip() + ",,\n   \n" + ROW.format("N2")
    assert [row["tailnum"] for row in rows_of(data.encode())] == ["N1", "N2"]


def test_malformed_rows_are_kept_raw_in_file_order() -> None:
    data = (
        HEADER
        + ROW.format("N1")
        + "2013,1,3\n"  # too few
        + ROW.format("N2").strip()
        + ",x\n"  # too many
        + HEADER  # the header again
        + '2013,1,3,1000,UA,100,"N3,EWR\n'  # a quote that never closes
        + ROW.format("N4")
    )
    rows = rows_of(data.encode())
    assert [row["_row_number"] for row in rows] == [1, 2, 3, 4, 5, 6]
    reasons = [str(row["_rejected_reason"] or "").split(" at ")[0] for row in rows]
    assert reasons == [
        "",
        "MISSING COLUMNS",
        "TOO MANY COLUMNS",
        "REPEATED HEADER",
        "UNCLOSED QUOTE",
        "",
    ]
    assert rows[4]["_raw_line"] == '2013,1,3,1000,UA,100,"N3,EWR'
    assert rows[5]["tailnum"] == "N4"  # the unclosed quote did not swallow the next row


def test_stray_quotes_on_two_lines_do_not_merge_the_rows() -> None:
    """The second line's quote closes the first's: Python's csv module reads one row with the
    line break inside, as many fields as the header; each line must stay its own row."""
    row = ROW.format("N1").replace(",1000,", ',"1000,')
    rows = rows_of((HEADER + row * 3).encode())
    assert [str(r["_rejected_reason"]).split(" at ")[0] for r in rows] == ["UNCLOSED QUOTE"] * 3


def test_a_quoted_header_name_may_hold_a_line_break() -> None:
    header = HEADER.strip() + ',"gate\nnumber"\n'
    (row,) = rows_of((header + ROW.format("N1").strip() + ",B12\n").encode())
    assert row["_extra_fields"] == '{"gatenumber": "B12"}'


def test_a_repeated_header_alone_is_named_not_read_as_a_row() -> None:
    """Two exports concatenated: the second header is the file's only anomaly."""
    rows = rows_of((HEADER + ROW.format("N1") + HEADER + ROW.format("N2")).encode())
    assert [row["tailnum"] for row in rows] == ["N1", None, "N2"]
    assert str(rows[1]["_rejected_reason"]).startswith("REPEATED HEADER at line 3")


def test_a_quoted_line_break_stays_in_its_value() -> None:
    (row,) = rows_of((HEADER + ROW.format('"N1,\r\n2"')).encode())
    assert row["tailnum"] == "N1,\r\n2"


@pytest.mark.parametrize(
    ("data", "verdict"),
    [(b"", "empty"), (b"\n\n", "empty"), (HEADER.encode(), "empty"), (b"sep=;\n", "empty")],
)
def test_empty_files_say_so(data: bytes, verdict: str) -> None:
    result = read_delivery(data, NAME, SPEC)
    assert result.verdict == verdict and result.reason


def test_the_fast_and_the_careful_reader_agree_on_a_clean_file() -> None:
    data = (HEADER + ROW.format("N1") + ROW.format('"N,2"')).encode()
    fast = read_delivery(data, NAME, SPEC)
    assert fast.parser == "fast" and fast.rows is not None
    lines = file_gate._physical_lines(data.decode())
    header = [file_gate.header_name(c) for c in HEADER.strip().split(",")]
    careful, lines_in_rows, malformed = file_gate._read_careful(lines, 1, header, ",", SPEC)
    assert careful.to_pylist() == fast.rows.to_pylist() and malformed == 0


def test_the_stream_is_listed_and_judged_in_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names DuckDB's glob and read_blob could not take: bytes that are not UTF-8 (glob
    failed), glob characters (read_blob read flights_x1.csv twice and flights_x[1].csv
    never), a subfolder, a FIFO (reading it would block the build)."""
    monkeypatch.setenv("LAKEHOUSE_STAGING_DIR", str(tmp_path / "staging"))
    folder = tmp_path / "landing" / "flights"
    (folder / "archive").mkdir(parents=True)
    for name in (b"flights_x1.csv", b"flights_x[1].csv", b"flights_bad\xff.csv", b"archive/a.csv"):
        Path(os.fsdecode(bytes(folder) + b"/" + name)).write_bytes(delivery("N1", "utf-8"))
    os.mkfifo(folder / "flights_pipe.csv")
    judged = json.loads(
        landing_stage.judge_stream_udf(
            str(tmp_path / "landing"), SPEC.to_json(), ["flights/flights_x1.csv"], True
        )
    )
    verdicts = {facts["_source_file"]: (facts["verdict"], facts["reason"]) for facts in judged}
    assert verdicts == {
        "flights/archive/a.csv": (
            "rejected",
            "not a delivery of this stream: only files directly in flights/ are read",
        ),
        "flights/flights_bad\\xff.csv": (
            "rejected",
            "unsafe file name: only letters, digits and . _ - are accepted",
        ),
        "flights/flights_pipe.csv": ("rejected", "not a regular file"),
        "flights/flights_x[1].csv": (
            "rejected",
            "unsafe file name: only letters, digits and . _ - are accepted",
        ),
    }  # flights_x1.csv was excluded (already ingested)


def test_the_udf_stages_rows_and_caches_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_STAGING_DIR", str(tmp_path))
    import pyarrow.parquet as pq

    facts = landing_stage.judge_file(delivery("N1", "utf-8"), NAME, SPEC.to_json(), True)
    assert (facts["verdict"], facts["row_count"]) == ("read", 3)
    staged = Path(str(facts["staged"]))
    assert pq.read_table(staged).column("_source_file").to_pylist() == [NAME] * 3
    assert landing_stage.discard_staged_udf(str(staged)) and not staged.exists()
    assert not landing_stage.discard_staged_udf(str(tmp_path / "elsewhere.parquet"))
    again = landing_stage.judge_file(delivery("N1", "utf-8"), NAME, SPEC.to_json(), False)
    assert again == {key: value for key, value in facts.items() if key != "staged"}


def test_the_udf_turns_a_reader_bug_into_a_rejected_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAKEHOUSE_STAGING_DIR", str(tmp_path))

    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(file_gate, "read_delivery", broken)
    facts = landing_stage.judge_file(b"a\n1\n", NAME, SPEC.to_json(), True)
    assert (facts["verdict"], facts["reason"], facts["data_lines"]) == (
        "rejected",
        "reader error: RuntimeError: boom",
        1,
    )
