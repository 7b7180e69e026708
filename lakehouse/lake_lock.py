"""One build at a time per lake: an exclusive lock held for the whole dbt process.

Two builds on one lake would both see a landing file as new and append it twice, or race two
merges into one silver table. Delta's optimistic commits keep each table consistent, but not
the set of tables, so the build takes ``<lake root>/_lakehouse.lock`` (``flock``) first. The
kernel releases it when the process ends, however it ends (SIGKILL included): no stale locks.
A second build waits ``LAKEHOUSE_LOCK_TIMEOUT`` seconds (default 0), then fails naming the
holder. A remote lake (Azure) is locked per machine, in the temp folder, keyed by its URL;
across machines Delta's commit protocol is the guard (a stale writer's commit fails).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from lakehouse import storage

LOCK_NAME = "_lakehouse.lock"


class LakeBusyError(RuntimeError):
    """Another process holds the lake's lock."""


def lock_path(lake_root: str) -> Path:
    """The lock file for ``lake_root``: inside it when local, in the temp folder when remote."""
    if storage.is_remote(lake_root):
        key = hashlib.sha256(storage.resolve(lake_root).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"lakehouse-{key}.lock"
    return Path(storage.resolve(lake_root)) / LOCK_NAME


def timeout_seconds() -> float:
    return float(os.environ.get("LAKEHOUSE_LOCK_TIMEOUT", "0"))


def acquire(lake_root: str, timeout: float | None = None) -> IO[str]:
    """Take the lake's lock or raise :class:`LakeBusyError`; keep the returned file open.

    The holder writes who it is into the file, so the error can say which build to wait for.
    """
    path = lock_path(lake_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 (held for the life of the process)
    deadline = time.monotonic() + (timeout_seconds() if timeout is None else timeout)
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _holder(path)
                handle.close()
                raise LakeBusyError(
                    f"another build is writing the lake {lake_root} ({holder}); "
                    "wait for it, or set LAKEHOUSE_LOCK_TIMEOUT=<seconds> to wait automatically"
                ) from None
            time.sleep(0.5)
    handle.seek(0)
    handle.truncate()
    handle.write(
        json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": " ".join(os.path.basename(arg) for arg in sys.argv[:3]),
            }
        )
    )
    handle.flush()
    return handle


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return "holder unknown"
    return ", ".join(f"{key} {value}" for key, value in info.items()) or "holder unknown"
