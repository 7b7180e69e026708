"""No secret reaches the repository, target/ or the logs; vars cannot inject code.

Every environment variable the project reads (profiles, dbt project files, Python code) whose
name says it holds a credential gets a unique planted value; a build and the docs run with
them; then the repository, the build's target folder and its logs are searched for them.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import NO_ML, REPO, Lakehouse

SECRET_NAME = re.compile(r"(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CONNECTION_STRING|SAS|CREDENTIAL)")
#: Credentials the cloud tools read on their own, whether or not our files name them.
WELL_KNOWN = {
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_CLIENT_SECRET",
    "DATABRICKS_TOKEN",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_TRACKING_TOKEN",
}
READS = (
    re.compile(r"""env_var\(\s*['"]([A-Z0-9_]+)['"]"""),
    re.compile(r"""environ(?:\.get)?\s*[\[(]\s*['"]([A-Z0-9_]+)['"]"""),
    re.compile(r"""getenv\(\s*['"]([A-Z0-9_]+)['"]"""),
)


def tracked_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [REPO / name for name in names if (REPO / name).is_file()]


def secret_env_names() -> set[str]:
    found = set(WELL_KNOWN)
    for path in tracked_files():
        if path.suffix in {".yml", ".yaml", ".sql", ".py", ".toml"}:
            for pattern in READS:
                found.update(pattern.findall(path.read_text(errors="replace")))
    return {name for name in found if SECRET_NAME.search(name)}


@pytest.fixture(scope="module")
def planted(make_lakehouse: Callable[..., Lakehouse]) -> tuple[Lakehouse, dict[str, str]]:
    lh = make_lakehouse("secrets")
    secrets = {name: f"planted-{uuid.uuid4().hex}" for name in sorted(secret_env_names())}
    original = lh.env

    def env_with_secrets() -> dict[str, str]:
        return {**original(), **secrets}

    lh.env = env_with_secrets  # type: ignore[method-assign]
    lh.land("2013-01-01", "2013-01-01")
    lh.dbt("build", *NO_ML, "--debug")  # debug logs print the most
    lh.dbt("docs", "generate")
    return lh, secrets


def test_the_project_reads_credentials_only_from_the_environment(
    planted: tuple[Lakehouse, dict[str, str]],
) -> None:
    _, secrets = planted
    assert secrets.keys() >= WELL_KNOWN


def test_no_planted_secret_in_repo_target_or_logs(
    planted: tuple[Lakehouse, dict[str, str]],
) -> None:
    lh, secrets = planted
    searched = tracked_files() + [p for p in lh.root.rglob("*") if p.is_file()]
    assert len(searched) > 100
    leaks = []
    for path in searched:
        if path.suffix in {".parquet", ".duckdb", ".png"} or path.stat().st_size > 50_000_000:
            continue
        data = path.read_bytes()
        leaks += [f"{name} in {path}" for name, value in secrets.items() if value.encode() in data]
    assert not leaks


def test_vars_cannot_inject_code_into_models(
    planted: tuple[Lakehouse, dict[str, str]], tmp_path: Path
) -> None:
    """A var is data: the training window must be ISO dates, whatever the var holds."""
    lh, _ = planted
    canary = tmp_path / "injected"
    payload = f"2013-01-01'); import pathlib; pathlib.Path('{canary}').touch(); ('"
    result = lh.dbt(
        "run", "-s", "ml_training_set", "--vars", f'{{train_start: "{payload}"}}', check=False
    )
    assert result.returncode != 0
    assert "train_start must be an ISO date" in result.stdout
    assert not canary.exists()
