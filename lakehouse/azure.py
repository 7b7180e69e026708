"""Azure storage credentials from the environment, spelled for each client the lake uses.

Three clients touch Azure: delta-rs (every Delta write and the Python reads), DuckDB's azure
extension (bronze reads the CSV deliveries, ``delta_scan`` reads the tables) and adlfs (listing
the lake, uploading deliveries). Each wants the same credential in its own words; this module
reads it once from environment variables, so nothing secret lives in the repository, the
profile or dbt's logs.

Precedence, first match wins:

1. ``LAKEHOUSE_AZURE_EMULATOR=1``: Azurite at ``AZURITE_BLOB_STORAGE_URL`` (default
   ``http://127.0.0.1:10000``) with Azurite's public development account.
2. ``AZURE_STORAGE_CONNECTION_STRING``: an account key or SAS connection string.
3. ``AZURE_STORAGE_ACCOUNT_NAME`` + ``AZURE_STORAGE_ACCOUNT_KEY``.
4. ``AZURE_STORAGE_ACCOUNT_NAME`` + ``AZURE_STORAGE_SAS_TOKEN``.
5. ``AZURE_STORAGE_ACCOUNT_NAME`` alone: Entra ID through the credential chain
   (``DefaultAzureCredential`` in adlfs, ``credential_chain`` in DuckDB, object_store's
   environment / managed identity / workload identity chain in delta-rs), e.g. a service
   principal in ``AZURE_CLIENT_ID`` / ``AZURE_TENANT_ID`` / ``AZURE_CLIENT_SECRET``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

#: Azurite's development account. Microsoft publishes the name and key; they open only a
#: local emulator, never a real account.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY_ENV = "LAKEHOUSE_AZURITE_ACCOUNT_KEY"
_AZURITE_PUBLIC_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
AZURITE_URL_ENV = "AZURITE_BLOB_STORAGE_URL"
DEFAULT_AZURITE_URL = "http://127.0.0.1:10000"

#: Name of the DuckDB secret the lake creates; one unscoped secret serves every az:// path.
DUCKDB_SECRET = "lakehouse_azure"


class AzureConfigError(RuntimeError):
    """The lake or landing root is on Azure but no credential is configured."""


@dataclass(frozen=True)
class AzureCredentials:
    """One Azure storage account and how to authenticate against it."""

    account: str
    kind: str  # "connection_string" | "account_key" | "sas" | "credential_chain"
    connection_string: str | None = None
    account_key: str | None = None
    sas_token: str | None = None
    blob_endpoint: str | None = None

    @property
    def emulated(self) -> bool:
        """True for Azurite (plain HTTP on the loopback address)."""
        return bool(self.blob_endpoint and self.blob_endpoint.startswith("http://"))

    def delta_options(self) -> dict[str, str]:
        """delta-rs (object_store) ``storage_options``."""
        options = {"account_name": self.account}
        if self.account_key:
            options["account_key"] = self.account_key
        if self.sas_token:
            options["sas_key"] = self.sas_token.lstrip("?")
        if self.blob_endpoint:
            options["endpoint"] = self.blob_endpoint
        if self.emulated:
            options["allow_http"] = "true"
        return options

    def duckdb_secret_sql(self) -> str:
        """``CREATE SECRET`` for DuckDB's azure extension (run it, never log it)."""
        if self.kind == "credential_chain":
            return (
                f"create or replace secret {DUCKDB_SECRET} (type azure, provider credential_chain, "
                f"account_name '{_literal(self.account)}')"
            )
        return (
            f"create or replace secret {DUCKDB_SECRET} (type azure, "
            f"connection_string '{_literal(self.effective_connection_string())}')"
        )

    def effective_connection_string(self) -> str:
        """The credential as a connection string (the form DuckDB and adlfs both accept)."""
        if self.connection_string:
            return self.connection_string
        protocol = "http" if self.emulated else "https"
        parts = [f"DefaultEndpointsProtocol={protocol}", f"AccountName={self.account}"]
        if self.account_key:
            parts.append(f"AccountKey={self.account_key}")
        if self.sas_token:
            parts.append(f"SharedAccessSignature={self.sas_token.lstrip('?')}")
        parts.append(
            f"BlobEndpoint={self.blob_endpoint or f'https://{self.account}.blob.core.windows.net'}"
        )
        return ";".join(parts) + ";"

    def adlfs_options(self) -> dict[str, Any]:
        """Keyword arguments for ``adlfs.AzureBlobFileSystem``."""
        if self.kind == "credential_chain":
            return {"account_name": self.account, "anon": False}
        return {"connection_string": self.effective_connection_string()}


def _literal(text: str) -> str:
    return text.replace("'", "''")


def parse_connection_string(text: str) -> dict[str, str]:
    """``Key=Value;...`` pairs; values may contain ``=`` (keys and SAS tokens do)."""
    pairs = {}
    for part in text.split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            pairs[key.strip()] = value.strip()
    return pairs


def from_connection_string(text: str) -> AzureCredentials:
    """Credentials from a connection string, with the blob endpoint it names or implies."""
    pairs = parse_connection_string(text)
    account = pairs.get("AccountName")
    endpoint = pairs.get("BlobEndpoint")
    if not account and endpoint:
        account = endpoint.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0]
    if not account:
        raise AzureConfigError("AZURE_STORAGE_CONNECTION_STRING names no AccountName")
    if not endpoint and pairs.get("EndpointSuffix"):
        protocol = pairs.get("DefaultEndpointsProtocol", "https")
        endpoint = f"{protocol}://{account}.blob.{pairs['EndpointSuffix']}"
    return AzureCredentials(
        account=account,
        kind="connection_string",
        connection_string=text,
        account_key=pairs.get("AccountKey"),
        sas_token=pairs.get("SharedAccessSignature"),
        blob_endpoint=endpoint.rstrip("/") if endpoint else None,
    )


def azurite(url: str | None = None) -> AzureCredentials:
    """Azurite's development account at ``url`` (default: $AZURITE_BLOB_STORAGE_URL)."""
    base = (url or os.environ.get(AZURITE_URL_ENV) or DEFAULT_AZURITE_URL).rstrip("/")
    key = os.environ.get(AZURITE_KEY_ENV) or _AZURITE_PUBLIC_KEY
    return AzureCredentials(
        account=AZURITE_ACCOUNT,
        kind="account_key",
        account_key=key,
        blob_endpoint=f"{base}/{AZURITE_ACCOUNT}",
    )


def credentials(env: dict[str, str] | None = None) -> AzureCredentials | None:
    """The configured credential, or None when no Azure variable is set."""
    env = dict(os.environ) if env is None else env
    if env.get("LAKEHOUSE_AZURE_EMULATOR") == "1":
        return azurite(env.get(AZURITE_URL_ENV))
    if env.get("AZURE_STORAGE_CONNECTION_STRING"):
        return from_connection_string(env["AZURE_STORAGE_CONNECTION_STRING"])
    account = env.get("AZURE_STORAGE_ACCOUNT_NAME")
    if not account:
        return None
    if env.get("AZURE_STORAGE_ACCOUNT_KEY"):
        key = env["AZURE_STORAGE_ACCOUNT_KEY"]
        return AzureCredentials(account, "account_key", account_key=key)
    if env.get("AZURE_STORAGE_SAS_TOKEN"):
        return AzureCredentials(account, "sas", sas_token=env["AZURE_STORAGE_SAS_TOKEN"])
    return AzureCredentials(account, "credential_chain")


def require_credentials() -> AzureCredentials:
    """The configured credential; a clear error naming the variables when there is none."""
    found = credentials()
    if found is None:
        raise AzureConfigError(
            "the lake or landing root is an Azure URL but no Azure credential is configured: set "
            "LAKEHOUSE_AZURE_EMULATOR=1 (Azurite), AZURE_STORAGE_CONNECTION_STRING, "
            "AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY or AZURE_STORAGE_SAS_TOKEN, "
            "or AZURE_STORAGE_ACCOUNT_NAME alone for Entra ID (DefaultAzureCredential)"
        )
    return found
