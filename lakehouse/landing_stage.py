"""The landing gate's DuckDB side: list a stream's folder, judge each file, stage its rows.

The bronze pre-hook calls :func:`judge_stream_udf` once per stream (registered by the dbt
plugin as ``lake_judge_stream``). Listing and reading happen here, in Python, not in DuckDB:
DuckDB's ``glob`` stops on a file name that is not UTF-8, and ``read_blob`` expands ``[``,
``*`` and ``?`` in a listed name, reading one file twice and another never. Every file under
the stream's folder gets a verdict, whatever its name or kind; the rows of a read file are
staged as Parquet (:mod:`lakehouse.file_gate` judges and reads), which the hook loads and
then discards with :func:`discard_staged_udf`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from lakehouse import file_gate, storage
from lakehouse.file_gate import Delivery, StreamSpec, shown

log = logging.getLogger(__name__)


def staging_dir() -> Path:
    """Where staged rows and cached verdicts go: ``LAKEHOUSE_STAGING_DIR`` or the temp folder."""
    configured = os.environ.get("LAKEHOUSE_STAGING_DIR")
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / "lakehouse-staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shown_name(raw: bytes) -> str:
    """A listed file name as text: bytes that are not UTF-8 spelled ``\\xff`` (the audit's
    name for a file no SQL string could hold; the gate rejects such a name as unsafe). A
    backslash is spelled ``\\x5c`` first, so two different names never read the same."""
    return raw.replace(b"\\", b"\\x5c").decode("utf-8", "backslashreplace")


def list_stream(root: str, folder: str) -> Iterator[tuple[str, Callable[[], bytes], str | None]]:
    """Every file under ``root/folder`` (subfolders and hidden files too), as (name relative
    to the root, a function returning its bytes, why it cannot be read or None)."""
    if storage.is_remote(root):
        fs, base = storage.filesystem(root)
        top = f"{base}/{folder}"
        if not fs.exists(top):
            return
        for path in sorted(fs.find(top, withdirs=False)):
            yield path[len(base) + 1 :], lambda path=path: fs.cat_file(path), None
        return
    base = os.fsencode(storage.resolve(root))
    top = os.path.join(base, os.fsencode(folder))
    for directory, subfolders, files in os.walk(top):
        subfolders.sort()
        for file in sorted(files):
            path = os.path.join(directory, file)
            name = shown_name(os.path.relpath(path, base))
            try:
                regular = stat.S_ISREG(os.stat(path).st_mode)
            except OSError as error:  # a dangling link, a file removed meanwhile
                yield name, lambda: b"", f"unreadable: {error.strerror}"
                continue
            if not regular:  # a FIFO would block the build forever
                yield name, lambda: b"", "not a regular file"
                continue
            yield name, lambda path=path: Path(os.fsdecode(path)).read_bytes(), None


def _cache_key(data: bytes, name: str, spec_json: str) -> str:
    digest = hashlib.sha256()
    for part in (file_gate.READER_VERSION, name, spec_json):
        digest.update(part.encode("utf-8", "backslashreplace"))
        digest.update(b"\x00")
    digest.update(data)
    return digest.hexdigest()


def _write_atomically(target: Path, write: Callable[[Path], object]) -> None:
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    write(partial)
    partial.replace(target)  # a concurrent reader sees all of it or nothing


def judge_file(data: bytes, name: str, spec_json: str, stage: bool) -> dict[str, object]:
    """One file's facts (verdict, reason, encoding, dialect, data_lines, rows, and ``staged``:
    the Parquet file of its rows when ``stage``). Verdicts are cached by content, name,
    contract and reader version, so the audit's second look at a file costs a hash. A reader
    bug becomes a rejected file naming it, never a stopped build."""
    key = _cache_key(data, name, spec_json)
    cached = staging_dir() / "facts" / f"{key}.json"
    if cached.exists() and not stage:
        return json.loads(cached.read_text(encoding="utf-8"))
    try:
        delivery = file_gate.read_delivery(data, name, StreamSpec.from_json(spec_json))
        facts = delivery.facts()
        if stage and delivery.rows is not None and delivery.row_count:
            import pyarrow.parquet as pq

            folder = staging_dir() / f"run-{os.getpid()}"
            folder.mkdir(parents=True, exist_ok=True)
            rows = delivery.rows.append_column(
                "_source_file", pa.array([name] * delivery.row_count, pa.string())
            )
            target = folder / f"{key}.parquet"
            _write_atomically(target, lambda path: pq.write_table(rows, path))
            facts["staged"] = str(target)
    except Exception as error:  # noqa: BLE001 (a reader bug must not stop every stream)
        log.exception("landing reader failed on %s", shown(name))
        reason = f"reader error: {type(error).__name__}: {shown(str(error))}"
        facts = Delivery("rejected", reason).facts()
        facts["data_lines"] = file_gate.count_lines(data)
    lasting = {key: value for key, value in facts.items() if key != "staged"}
    cached.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(cached, lambda path: path.write_text(json.dumps(lasting), encoding="utf-8"))
    return facts


def judge_stream_udf(root: str, spec_json: str, exclude: list[str] | None, stage: bool) -> str:
    """DuckDB's ``lake_judge_stream(root, spec, exclude, stage)``: a JSON list of every file's
    facts (with ``_source_file``, relative to the root) under the stream's folder, leaving
    out the names in ``exclude`` (files bronze or the audit already hold)."""
    spec = StreamSpec.from_json(spec_json)
    skip = set(exclude or ())
    judged: list[dict[str, object]] = []
    for name, read, problem in list_stream(root.rstrip("/"), spec.folder):
        if name in skip:
            continue
        if problem:
            facts = Delivery("rejected", problem).facts()
        else:
            try:
                data = read()
            except OSError as error:
                facts = Delivery("rejected", f"unreadable: {shown(str(error))}").facts()
            else:
                facts = judge_file(data, name, spec_json, stage)
        judged.append({"_source_file": name, **facts})
    return json.dumps(judged, ensure_ascii=False)


def discard_staged_udf(path: str | None) -> bool:
    """DuckDB's ``lake_discard_staged(path)``: delete a staged Parquet file once loaded."""
    if not path:
        return False
    staged = Path(path)
    if staged.parent.parent != staging_dir() or staged.suffix != ".parquet":
        return False  # only ever this module's own staged files
    staged.unlink(missing_ok=True)
    return True


def sweep_stale_staging() -> None:
    """Remove staged folders of processes that are gone (a compile renders the pre-hook, which
    stages rows it never loads; a killed build leaves its folder)."""
    for folder in staging_dir().glob("run-*"):
        try:
            pid = int(folder.name.removeprefix("run-"))
            if pid != os.getpid():
                os.kill(pid, 0)
        except ValueError:
            continue
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            continue
