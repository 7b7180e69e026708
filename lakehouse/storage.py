"""Where the lake lives: local folders by default, Azure (ADLS Gen2 / Azurite) by URL.

Paths are kept as given for URLs; local paths are made absolute so the DuckDB views over
Delta tables keep working from any working directory. Credentials for Azure URLs come from
the environment only (``lakehouse.azure``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lakehouse import azure

if TYPE_CHECKING:
    import duckdb
    from fsspec import AbstractFileSystem

REMOTE_SCHEMES = ("az://", "abfs://", "abfss://", "s3://", "gs://")
AZURE_SCHEMES = ("az://", "abfs://", "abfss://")


def is_remote(location: str) -> bool:
    """True for object-store URLs, False for local folders."""
    return str(location).startswith(REMOTE_SCHEMES)


def is_azure(location: str) -> bool:
    """True for Azure Blob / ADLS Gen2 URLs."""
    return str(location).startswith(AZURE_SCHEMES)


def resolve(location: str) -> str:
    """Absolute local path, or the URL unchanged."""
    if is_remote(location):
        return str(location).rstrip("/")
    return str(Path(location).expanduser().resolve())


def join(location: str, *parts: str) -> str:
    """``location/part/...`` for a folder or a URL alike."""
    return "/".join([resolve(location), *parts])


def storage_options(location: str) -> dict[str, str] | None:
    """delta-rs storage options for ``location``; None for local folders.

    Azure URLs get the credential configured in the environment (``lakehouse.azure``);
    ``LAKEHOUSE_AZURE_EMULATOR=1`` points delta-rs at Azurite on 127.0.0.1.
    """
    if not is_remote(location):
        return None
    if is_azure(location):
        return azure.require_credentials().delta_options()
    return {}


def filesystem(location: str) -> tuple[AbstractFileSystem, str]:
    """An fsspec file system for ``location`` and the path it uses for it."""
    if is_azure(location):
        from adlfs import AzureBlobFileSystem  # lazy: local lakes never need the Azure SDK

        fs = AzureBlobFileSystem(**azure.require_credentials().adlfs_options())
        return fs, fs._strip_protocol(resolve(location))
    if is_remote(location):
        raise ValueError(f"{location}: only local folders and Azure URLs are supported")
    from fsspec.implementations.local import LocalFileSystem

    return LocalFileSystem(), resolve(location)


def ensure_container(location: str) -> None:
    """Create the container of an Azure ``location`` if it is missing (a first build).

    DuckDB's glob fails on a missing container where a missing local folder is just empty.
    """
    if not is_azure(location):
        return
    fs, path = filesystem(location)
    container = path.split("/", 1)[0]
    if not fs.exists(container):
        fs.mkdir(container)


def configure_duckdb(con: duckdb.DuckDBPyConnection, *locations: str) -> bool:
    """Give DuckDB the Azure secret when any location is on Azure or a credential is set.

    Runs the ``CREATE SECRET`` from Python, so the credential never appears in dbt's logs
    or compiled SQL. Returns whether a secret was created. With every location local, an
    Azure variable that does not make a credential (meant for another tool) is ignored.
    """
    if any(is_azure(loc) for loc in locations if loc):
        creds = azure.require_credentials()
    else:
        try:
            creds = azure.credentials()
        except azure.AzureConfigError:
            return False
    if creds is None:
        return False
    con.execute(creds.duckdb_secret_sql())
    return True


def duckdb_path(location: str) -> str:
    """The same location as DuckDB's ``delta_scan`` spells it, quoted for a SQL literal."""
    return location.replace("'", "''")
