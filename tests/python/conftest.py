"""Helpers shared by the suites that drive the real command-line tools."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: The ML models train on the default window (2013 Jan-Sep, evaluated Oct-Dec); suites that
#: deliver a few days only build the lakehouse without them (test_ml_pipeline trains a slice).
NO_ML = ("--exclude", "tag:ml")


@dataclass
class Lakehouse:
    """One isolated lakehouse: its landing zone, lake, DuckDB catalog and dbt target folder."""

    root: Path
    landing: Path

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def catalog(self) -> Path:
        return self.root / "lakehouse.duckdb"

    def env(self) -> dict[str, str]:
        # mlflow.set_*_uri() write MLFLOW_* into os.environ: an earlier test's store must not leak
        env = {key: value for key, value in os.environ.items() if not key.startswith("MLFLOW_")}
        env.update(
            DBT_PROFILES_DIR=str(REPO / "profiles"),
            DBT_TARGET_PATH=str(self.root / "target"),
            DBT_LOG_PATH=str(self.root / "logs"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            LAKEHOUSE_LANDING_ROOT=str(self.landing),
            LAKEHOUSE_LAKE_ROOT=str(self.lake),
            LAKEHOUSE_DUCKDB_PATH=str(self.catalog),
            MLFLOW_TRACKING_URI=f"sqlite:///{self.root / 'mlflow.db'}",
        )
        return env

    def land(self, start: str, end: str) -> None:
        run([sys.executable, "scripts/land.py", "--start", start, "--end", end], self.env())

    def clean_flights(self, day: str) -> tuple[str, list[str]]:
        """Header and rows of the clean flights file of ``day``, landed aside (not delivered):
        the raw material of faulty or oversized deliveries."""
        aside = self.root / f"aside_{day}"
        run(
            [
                sys.executable,
                "scripts/land.py",
                "--landing-root",
                str(aside),
                "--start",
                day,
                "--end",
                day,
            ],
            self.env(),
        )
        header, *rows = (aside / "flights" / f"flights_{day}.csv").read_text().splitlines()
        return header, rows

    def dbt(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run([str(BIN / "dbt"), *args], self.env(), check=check)


def run(
    command: list[str], env: dict[str, str], cwd: Path = REPO, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a CLI; on failure show the end of its output so the test says what broke."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
        pytest.fail(f"{' '.join(command)} exited {result.returncode}:\n{tail}")
    return result


@pytest.fixture(scope="session")
def make_lakehouse(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Lakehouse]:
    def factory(name: str, landing: Path | None = None) -> Lakehouse:
        root = tmp_path_factory.mktemp(name)
        return Lakehouse(root=root, landing=landing or root / "landing")

    return factory


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throwaway SQLite MLflow store for the module, MLflow kept offline and quiet."""
    root = tmp_path_factory.mktemp("mlflow")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root}/mlflow.db")
        patch.delenv("MLFLOW_REGISTRY_URI", raising=False)
        patch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        patch.setenv("DO_NOT_TRACK", "true")
        from lakehouse.ml.tracking import configure  # lazy: other suites need no MLflow

        configure()  # MLflow keeps the last URI process-wide; point clients made here at this one
        yield root
