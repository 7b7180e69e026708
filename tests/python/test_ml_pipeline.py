"""The ML platform end to end on a slice: January trains, February evaluates.

dbt builds the features, the training set, an MLflow run with a registered champion and the
batch scores; a second build reuses the run; a forced re-train of an equal model registers a
version but does not move the champion; a run reproduces from its logged Delta version; a
window without rows fails with a clear message; the notebook runs headless.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from lakehouse import duckdb_ext

from .conftest import REPO, Lakehouse

WINDOW = {
    "train_start": "2013-01-01",
    "train_end": "2013-01-31",
    "eval_start": "2013-02-01",
    "eval_end": "2013-02-28",
}
MODEL = "flight_delay_classifier"


def build(lh: Lakehouse, check: bool = True, **extra: object) -> subprocess.CompletedProcess[str]:
    return lh.dbt("build", "--vars", json.dumps({**WINDOW, **extra}), check=check)


@pytest.fixture(scope="module")
def trained(make_lakehouse: Callable[..., Lakehouse]) -> Lakehouse:
    lh = make_lakehouse("ml")
    lh.land("2013-01-01", "2013-02-28")
    build(lh)
    return lh


@pytest.fixture()
def mlflow_client(trained: Lakehouse, monkeypatch: pytest.MonkeyPatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_TRACKING_URI", trained.env()["MLFLOW_TRACKING_URI"])
    import mlflow

    mlflow.set_tracking_uri(trained.env()["MLFLOW_TRACKING_URI"])
    mlflow.set_registry_uri(trained.env()["MLFLOW_TRACKING_URI"])
    return MlflowClient()


def query(lh: Lakehouse, sql: str) -> list[tuple]:
    with duckdb_ext.connect(str(lh.catalog), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_training_registers_a_champion(trained: Lakehouse, mlflow_client):
    ((run_id, version, promoted, auc, baseline_auc, log_loss, baseline_log_loss),) = query(
        trained,
        "select run_id, model_version, promoted, eval_roc_auc, baseline_eval_roc_auc, "
        "eval_log_loss, baseline_eval_log_loss from gold.ml_train",
    )
    assert (version, promoted) == (1, True)
    # One month of history is too little to beat the baseline (the full year does: see the
    # README); the slice checks the numbers are real probabilities' scores, not their ranking.
    assert 0.5 < auc < 1 and 0.5 < baseline_auc < 1
    assert 0 < log_loss < 1 and 0 < baseline_log_loss < 1
    assert str(mlflow_client.get_model_version_by_alias(MODEL, "champion").version) == "1"

    run = mlflow_client.get_run(run_id)
    location = str(trained.lake / "gold" / "ml_training_set")
    assert run.data.params["input.ml_training_set.path"] == location
    version_read = int(run.data.params["input.ml_training_set.delta_version"])
    assert version_read == DeltaTable(location).version()
    assert run.data.params["window.eval_start"] == "2013-02-01"
    for metric in ("eval_roc_auc", "eval_pr_auc", "eval_log_loss", "eval_brier"):
        assert metric in run.data.metrics and f"baseline_{metric}" in run.data.metrics
    assert run.data.tags.get("git_commit")
    artifacts = {a.path for a in mlflow_client.list_artifacts(run_id, "plots")}
    assert len([p for p in artifacts if p.endswith(".png")]) >= 4, artifacts


def test_every_flight_is_scored_by_the_champion(trained: Lakehouse) -> None:
    ((scored, versions, low, high),) = query(
        trained,
        "select count(*), count(distinct model_version), min(probability), max(probability) "
        "from gold.ml_predictions",
    )
    ((flights,),) = query(trained, "select count(*) from gold.ml_flight_features")
    assert scored == flights
    assert versions == 1 and 0.0 < low < high < 1.0


def test_rebuild_reuses_the_run_and_changes_nothing(trained: Lakehouse, mlflow_client) -> None:
    tables = ("ml_training_set", "ml_train", "ml_predictions")
    before = {t: DeltaTable(str(trained.lake / "gold" / t)).version() for t in tables}
    runs = mlflow_client.search_runs(
        [mlflow_client.get_experiment_by_name("flight-delay").experiment_id]
    )
    log = trained.root / "logs" / "dbt.log"
    log_start = log.stat().st_size
    build(trained)
    after = {t: DeltaTable(str(trained.lake / "gold" / t)).version() for t in tables}
    assert after == before
    # nothing new in the window: the training set and the training row are kept as they are,
    # without reading the features or asking MLflow (lakehouse.model_inputs)
    with log.open(encoding="utf-8", errors="replace") as text:
        text.seek(log_start)
        kept = [line for line in text if "inputs unchanged, table kept" in line]
    assert {m for m in ("ml_training_set", "ml_train") if any(f".{m}:" in k for k in kept)} == {
        "ml_training_set",
        "ml_train",
    }, kept
    again = mlflow_client.search_runs(
        [mlflow_client.get_experiment_by_name("flight-delay").experiment_id]
    )
    assert len(again) == len(runs)


def test_reproduce_gives_the_same_metrics(trained: Lakehouse) -> None:
    ((run_id,),) = query(trained, "select run_id from gold.ml_train")
    env = trained.env()
    result = subprocess.run(
        [sys.executable, "scripts/reproduce_run.py", run_id],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_equal_model_does_not_take_the_champion_alias(trained: Lakehouse, mlflow_client) -> None:
    build(trained, retrain=True)
    ((version, promoted, reason),) = query(
        trained, "select model_version, promoted, promotion_reason from gold.ml_train"
    )
    assert version == 2 and promoted is False, reason
    assert str(mlflow_client.get_model_version_by_alias(MODEL, "champion").version) == "1"


def test_empty_window_fails_clearly_and_keeps_the_champion(trained: Lakehouse, mlflow_client):
    result = build(trained, check=False, eval_start="2014-01-01", eval_end="2014-01-31")
    assert result.returncode != 0
    assert "no rows" in result.stdout.lower()
    assert str(mlflow_client.get_model_version_by_alias(MODEL, "champion").version) == "1"


def test_notebook_runs_headless(trained: Lakehouse) -> None:
    env = {**trained.env(), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "notebooks/delay_model.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert os.path.exists(trained.root / "mlflow.db")


def test_features_parent_check_reads_the_child_months_and_still_fails(trained: Lakehouse) -> None:
    """The features -> fct_flights relationships test reads fct_flights only in the months of
    the feature rows it checks (meta lake_same_partition), and still finds a planted orphan."""
    features = DeltaTable(str(trained.lake / "gold" / "ml_flight_features"))
    version = features.version()
    february = features.to_pyarrow_table(filters=[("_partition_month", "=", date(2013, 2, 1))])
    orphan = february.slice(0, 1).set_column(
        february.schema.get_field_index("flight_key"), "flight_key", pa.array(["no-such-flight"])
    )
    write_deltalake(features, orphan, mode="append")
    try:
        result = trained.dbt(
            "test", "-s", "ml_flight_features,test_name:relationships", check=False
        )
        assert result.returncode != 0
        results = json.loads((trained.root / "target" / "run_results.json").read_text())
        [test] = [
            r for r in results["results"] if "relationships_ml_flight_features" in r["unique_id"]
        ]
        assert (test["status"], test["failures"]) == ("fail", 1)
        assert (
            '"_partition_month" in (select child.from_partition from child)'
            in test["compiled_code"]
        )
    finally:
        DeltaTable(str(trained.lake / "gold" / "ml_flight_features")).restore(version)


def test_leakage_check_reads_silver_from_its_window_and_still_fails(trained: Lakehouse) -> None:
    """The features leakage test reads silver_flights from 30 days before its first sampled
    flight (a literal date, so older Delta files are skipped), and still finds a stored rate
    that a planted change made differ from the one recomputed from silver."""
    features = DeltaTable(str(trained.lake / "gold" / "ml_flight_features"))
    version = features.version()
    [(key,)] = query(
        trained,
        "select min(flight_key) from gold.ml_flight_features "
        "where flight_key like '00%' and carrier_flights_28d > 0",
    )
    features.update(
        predicate=f"flight_key = '{key}'",
        updates={"carrier_flights_28d": "carrier_flights_28d + 1"},
    )
    try:
        result = trained.dbt("test", "-s", "gold_ml_features_no_future_rows", check=False)
        assert result.returncode != 0
        results = json.loads((trained.root / "target" / "run_results.json").read_text())
        [test] = results["results"]
        assert (test["status"], test["failures"]) == ("fail", 1)
        assert "and flight_date >= cast('2012-12-" in test["compiled_code"]
    finally:
        DeltaTable(str(trained.lake / "gold" / "ml_flight_features")).restore(version)
