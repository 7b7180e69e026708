"""Azurite for the Azure-storage suites: one emulator per module, on a free 127.0.0.1 port.

The environment the suites hand to dbt and the scripts names only the emulator: every
``AZURE_*`` variable of the surrounding shell is removed, so no test can reach a real account
or any address but 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from lakehouse import azurite

from .conftest import Lakehouse


def emulator_env(server: azurite.Azurite) -> dict[str, str]:
    """The process environment without Azure credentials, pointed at ``server``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "LAKEHOUSE_AZ"))}
    env.update(server.env())
    return env


@pytest.fixture(scope="module")
def azurite_server() -> Iterator[azurite.Azurite]:
    """Azurite started by the suite itself (``make test`` needs nothing running)."""
    server = azurite.start()
    with pytest.MonkeyPatch.context() as patch:
        for name in [k for k in os.environ if k.startswith(("AZURE_", "LAKEHOUSE_AZ"))]:
            patch.delenv(name)
        for name, value in server.env().items():
            patch.setenv(name, value)
        try:
            yield server
        finally:
            server.stop()


@dataclass
class AzureLakehouse(Lakehouse):
    """A lakehouse whose landing zone and lake are containers on Azurite (target duckdb_azure)."""

    server: azurite.Azurite | None = None
    landing_url: str = "az://landing"
    lake_url: str = "az://lake"
    extra_env: dict[str, str] = field(default_factory=dict)
    upload_output: str = ""

    def env(self) -> dict[str, str]:
        env = super().env()
        assert self.server is not None
        env = {**emulator_env(self.server), **{k: v for k, v in env.items() if k in _OURS}}
        env.update(
            LAKEHOUSE_TARGET="duckdb_azure",
            LAKEHOUSE_LANDING_ROOT=self.landing_url,
            LAKEHOUSE_LAKE_ROOT=self.lake_url,
            **self.extra_env,
        )
        return env


#: What the base Lakehouse sets for a run (paths of its own root).
_OURS = {
    "DBT_PROFILES_DIR",
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "DBT_SEND_ANONYMOUS_USAGE_STATS",
    "LAKEHOUSE_DUCKDB_PATH",
    "MLFLOW_TRACKING_URI",
}
