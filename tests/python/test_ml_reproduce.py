"""lakehouse.ml.reproduce: a run is retrained from the Delta version it logged, even after the
table was overwritten, and gives the same metrics; the CLI says so (or exits non-zero)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from deltalake import DeltaTable, write_deltalake
from mlflow import MlflowClient

from lakehouse.ml import frames
from lakehouse.ml.dataset import TrainingWindow
from lakehouse.ml.reproduce import compare_metrics, reproduce
from lakehouse.ml.synthetic import make_features
from lakehouse.ml.tracking import InputTable, train_and_register
from lakehouse.ml.train import fit_and_evaluate

REPO = Path(__file__).resolve().parents[2]
PARAMS = {"n_estimators": 30, "learning_rate": 0.1, "n_jobs": 1}


@pytest.fixture(scope="module")
def trained(store: Path) -> tuple[str, str, pd.DataFrame]:
    """Train on version 0 of a Delta table, then overwrite the table (version 1)."""
    path = str(store / "ml_training_set")
    original = make_features(3000, seed=41)
    write_deltalake(path, original)
    table = InputTable.current("ml_training_set", path)
    # The rows reach training through DuckDB in another order than the Delta files hold them.
    relation = duckdb.connect().from_df(original.sample(frac=1.0, random_state=9))
    result = train_and_register(
        relation,
        model_name="delay_reproduce",
        experiment="reproduce-tests",
        inputs=[table],
        window=TrainingWindow(),
        params=PARAMS,
        seed=13,
    )
    write_deltalake(path, make_features(3000, seed=42), mode="overwrite")
    assert DeltaTable(path).version() == 1
    return result.run_id, path, original


def test_reproduce_uses_the_logged_version(trained) -> None:
    run_id, path, _ = trained
    client = MlflowClient()
    versions_before = client.search_model_versions("name='delay_reproduce'")

    result = reproduce(run_id)

    assert result.matches, result.differences
    assert result.original_metrics == client.get_run(run_id).data.metrics
    for name, value in result.original_metrics.items():
        assert result.reproduced_metrics[name] == pytest.approx(value, abs=1e-9)
    new_run = client.get_run(result.run_id)
    assert new_run.data.tags["reproduces"] == run_id
    assert new_run.data.tags["reproduction_matches"] == "true"
    assert new_run.data.params["input.ml_training_set.delta_version"] == "0"
    # nothing registered, alias untouched
    assert len(client.search_model_versions("name='delay_reproduce'")) == len(versions_before)
    aliases = client.get_registered_model("delay_reproduce").aliases
    assert {alias: int(v) for alias, v in aliases.items()} == {"champion": 1}

    # Sanity: the table's current version (1) would not have given these metrics.
    latest = fit_and_evaluate(frames.read_delta(path), TrainingWindow(), PARAMS, 13)
    assert compare_metrics(result.original_metrics, latest.all_metrics())


def test_cli_prints_both_and_exits_zero(trained) -> None:
    run_id, _, _ = trained
    completed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "reproduce_run.py"), run_id],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=REPO,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "eval_log_loss" in completed.stdout and "metrics match" in completed.stdout


def test_cli_exits_non_zero_when_metrics_differ(trained, capsys) -> None:
    run_id, _, _ = trained
    client = MlflowClient()
    tampered = client.create_run(client.get_run(run_id).info.experiment_id)
    for key, value in client.get_run(run_id).data.params.items():
        client.log_param(tampered.info.run_id, key, value)
    for key, value in client.get_run(run_id).data.metrics.items():
        client.log_metric(tampered.info.run_id, key, value + (0.01 if key == "eval_roc_auc" else 0))
    client.set_terminated(tampered.info.run_id)

    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import reproduce_run
    finally:
        sys.path.remove(str(REPO / "scripts"))
    assert reproduce_run.main([tampered.info.run_id]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS" in out and "eval_roc_auc" in out


def test_reproduce_refuses_a_run_without_lineage(store: Path) -> None:
    client = MlflowClient()
    experiment = client.get_experiment_by_name("reproduce-tests")
    run = client.create_run(experiment.experiment_id)
    client.set_terminated(run.info.run_id)
    with pytest.raises(ValueError, match="not a training run"):
        reproduce(run.info.run_id)
