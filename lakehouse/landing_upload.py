"""Deliveries in an Azure container (ADLS Gen2 or Azurite): write-once uploads.

The landing contract is the same as on a local folder: a delivery is never rewritten and
never visible half-written. A blob upload is atomic (the blob appears only when its upload
commits), and it is sent with "only if it does not exist yet" (``overwrite=False``, the
``If-None-Match: *`` condition), so a second writer of the same delivery loses cleanly
instead of replacing it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from lakehouse import storage


class ContainerLanding:
    """The landing zone at an Azure URL such as ``az://landing`` or ``abfss://landing@acct...``."""

    def __init__(self, url: str) -> None:
        self.url = storage.resolve(url)
        self.fs, self.root = storage.filesystem(self.url)

    def existing(self) -> set[str]:
        """Paths (relative to the root) of every delivery already in the container."""
        if not self.fs.exists(self.root):
            return set()
        return {
            path[len(self.root) + 1 :] for path in self.fs.find(self.root) if path.endswith(".csv")
        }

    def write_once(self, relative: str, data: bytes) -> bool:
        """Upload ``data`` unless the blob exists; return whether this call wrote it."""
        container = self.root.split("/", 1)[0]
        if not self.fs.exists(container):
            self.fs.mkdir(container)
        try:
            self.fs.pipe_file(f"{self.root}/{relative}", data, overwrite=False)
        except FileExistsError:
            return False
        return True


def upload_folder(local_root: Path, url: str) -> dict[str, dict[str, int]]:
    """Upload every delivery of a local landing folder that the container does not hold yet.

    Returns per-stream counts like ``landing.land``. Hidden files (a delivery still being
    written locally) are left alone.
    """
    target = ContainerLanding(url)
    present = target.existing()
    stats: dict[str, dict[str, int]] = {}
    for path in sorted(Path(local_root).glob("*/*.csv")):
        if path.name.startswith("."):
            continue
        relative = f"{path.parent.name}/{path.name}"
        counts = stats.setdefault(
            path.parent.name, {"files_written": 0, "files_skipped": 0, "rows_written": 0}
        )
        data = path.read_bytes()
        if relative in present or not target.write_once(relative, data):
            counts["files_skipped"] += 1
            continue
        counts["files_written"] += 1
        counts["rows_written"] += data_rows(data)
    return stats


def data_rows(data: bytes) -> int:
    """CSV records after the header (quoted newlines are part of a record, not a row)."""
    text = data.decode("utf-8", errors="replace")
    return max(sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1, 0)
