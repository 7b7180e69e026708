"""Azure credentials from environment variables, spelled for delta-rs, DuckDB and adlfs."""

from __future__ import annotations

import pytest

from lakehouse import azure, storage

AZURITE = {"LAKEHOUSE_AZURE_EMULATOR": "1", "AZURITE_BLOB_STORAGE_URL": "http://127.0.0.1:4567"}


def test_emulator_points_every_client_at_the_loopback_port() -> None:
    creds = azure.credentials(AZURITE)
    options = creds.delta_options()
    assert options["endpoint"] == "http://127.0.0.1:4567/devstoreaccount1"
    assert options["allow_http"] == "true" and options["account_name"] == "devstoreaccount1"
    conn = azure.parse_connection_string(creds.effective_connection_string())
    assert conn["BlobEndpoint"] == "http://127.0.0.1:4567/devstoreaccount1"
    assert conn["AccountKey"] == options["account_key"]
    assert "connection_string" in creds.duckdb_secret_sql()


def test_emulator_wins_over_real_account_variables() -> None:
    env = {**AZURITE, "AZURE_STORAGE_ACCOUNT_NAME": "prod", "AZURE_STORAGE_ACCOUNT_KEY": "k"}
    assert azure.credentials(env).account == "devstoreaccount1"


def test_connection_string_of_a_real_account() -> None:
    text = (
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=abc==;"
        "EndpointSuffix=core.windows.net"
    )
    creds = azure.credentials({"AZURE_STORAGE_CONNECTION_STRING": text})
    assert creds.account == "acme" and creds.account_key == "abc=="
    assert creds.delta_options() == {
        "account_name": "acme",
        "account_key": "abc==",
        "endpoint": "https://acme.blob.core.windows.net",
    }
    assert creds.adlfs_options() == {"connection_string": text}


def test_key_sas_and_entra_id_for_a_real_account() -> None:
    key = azure.credentials(
        {"AZURE_STORAGE_ACCOUNT_NAME": "acme", "AZURE_STORAGE_ACCOUNT_KEY": "k=="}
    )
    assert key.delta_options() == {"account_name": "acme", "account_key": "k=="}
    assert "BlobEndpoint=https://acme.blob.core.windows.net" in key.effective_connection_string()
    sas = azure.credentials(
        {"AZURE_STORAGE_ACCOUNT_NAME": "acme", "AZURE_STORAGE_SAS_TOKEN": "?sv=1&sig=x"}
    )
    assert sas.delta_options() == {"account_name": "acme", "sas_key": "sv=1&sig=x"}
    assert "SharedAccessSignature=sv=1&sig=x" in sas.effective_connection_string()
    chain = azure.credentials({"AZURE_STORAGE_ACCOUNT_NAME": "acme"})
    assert chain.kind == "credential_chain"
    assert "provider credential_chain" in chain.duckdb_secret_sql()
    assert chain.adlfs_options() == {"account_name": "acme", "anon": False}
    assert chain.delta_options() == {"account_name": "acme"}


def test_azure_url_without_credentials_says_which_variables(monkeypatch) -> None:
    for name in ("LAKEHOUSE_AZURE_EMULATOR", "AZURE_STORAGE_CONNECTION_STRING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AZURE_STORAGE_ACCOUNT_NAME", raising=False)
    with pytest.raises(azure.AzureConfigError, match="AZURE_STORAGE_CONNECTION_STRING"):
        storage.storage_options("az://lake/silver/t")
    assert storage.storage_options("/tmp/lake/silver/t") is None
