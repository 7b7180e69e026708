"""Where the lake lives: local folders by default, Azure (ADLS Gen2 / Azurite) by URL.

Paths are kept as given for URLs; local paths are made absolute so the DuckDB views over
Delta tables keep working from any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

REMOTE_SCHEMES = ("az://", "abfs://", "abfss://", "s3://", "gs://")


def is_remote(location: str) -> bool:
    """True for object-store URLs, False for local folders."""
    return location.startswith(REMOTE_SCHEMES)


def resolve(location: str) -> str:
    """Absolute local path, or the URL unchanged."""
    if is_remote(location):
        return location.rstrip("/")
    return str(Path(location).expanduser().resolve())


def storage_options(location: str) -> dict[str, str] | None:
    """delta-rs storage options for ``location``; None for local folders.

    Credentials come only from the environment (object_store reads ``AZURE_STORAGE_*``);
    ``LAKEHOUSE_AZURE_EMULATOR=1`` points delta-rs at Azurite on 127.0.0.1.
    """
    if not is_remote(location):
        return None
    options: dict[str, str] = {}
    if os.environ.get("LAKEHOUSE_AZURE_EMULATOR") == "1":
        options["azure_storage_use_emulator"] = "true"
    return options


def duckdb_path(location: str) -> str:
    """The same location as DuckDB's ``delta_scan`` spells it, quoted for a SQL literal."""
    return location.replace("'", "''")
