"""lakehouse.ml.tracking: what a run logs, and when the ``champion`` alias moves (and not)."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from deltalake import write_deltalake
from mlflow import MlflowClient

from lakehouse.ml import tracking
from lakehouse.ml.dataset import TrainingWindow
from lakehouse.ml.features import LABEL, FeatureTableError, flight_dates, prepare_features
from lakehouse.ml.plots import PLOT_FILES
from lakehouse.ml.synthetic import make_features
from lakehouse.ml.tracking import InputTable, decide_promotion, train_and_register

WEAK = {"n_estimators": 8, "n_jobs": 1}
NEAR_CONSTANT = {"n_estimators": 1, "learning_rate": 0.001, "n_jobs": 1}
STRONG = {"n_estimators": 120, "n_jobs": 1}


@pytest.fixture(scope="module")
def features(store: Path) -> tuple[pd.DataFrame, InputTable]:
    df = make_features(5000, seed=21)
    path = store / "ml_training_set"
    write_deltalake(str(path), df)
    return df, InputTable.current("ml_training_set", str(path))


def _train(features: tuple[pd.DataFrame, InputTable], name: str, params: dict, df=None):
    frame, table = features
    return train_and_register(
        frame if df is None else df,
        model_name=name,
        experiment="delay-tests",
        inputs=[table],
        window=TrainingWindow(),
        params=params,
        seed=1,
    )


def _champion(name: str) -> int | None:
    aliases = MlflowClient().get_registered_model(name).aliases
    return int(aliases["champion"]) if "champion" in aliases else None


def test_tracking_uri_from_env_or_cwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "databricks")
    assert tracking.tracking_uri() == "databricks"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    monkeypatch.chdir(tmp_path)
    assert tracking.tracking_uri() == f"sqlite:///{tmp_path.resolve()}/mlflow.db"


def test_decide_promotion_rules() -> None:
    champion = {"log_loss": 0.40, "roc_auc": 0.70}
    assert decide_promotion({"log_loss": 0.5, "roc_auc": 0.5}, None) == (
        True,
        "no champion yet: the first registered model becomes champion",
    )
    assert decide_promotion({"log_loss": 0.39, "roc_auc": 0.71}, champion, 3)[0]
    assert decide_promotion({"log_loss": 0.39, "roc_auc": 0.70}, champion, 3)[0]  # AUC tie ok
    tie, reason = decide_promotion({"log_loss": 0.40, "roc_auc": 0.80}, champion, 3)
    assert not tie and "not below champion v3's" in reason  # log loss must be strictly lower
    lower_auc, reason = decide_promotion({"log_loss": 0.39, "roc_auc": 0.69}, champion, 3)
    assert not lower_auc and "ROC AUC" in reason


def test_git_commit_only_in_a_checkout(tmp_path: Path) -> None:
    assert tracking.git_commit(tmp_path) is None
    found = tracking.git_commit()
    assert found is not None and len(found[0]) == 40


def test_champion_moves_only_for_a_strictly_better_model(features) -> None:
    name = "delay_champion"
    client = MlflowClient()

    first = _train(features, name, WEAK)
    assert first.promoted and first.model_version == 1 and _champion(name) == 1
    assert first.champion_metrics_on_eval is None

    worse = _train(features, name, NEAR_CONSTANT)
    assert worse.model_version == 2 and not worse.promoted
    assert _champion(name) == 1
    assert worse.champion_metrics_on_eval is not None
    champion_on_eval = worse.champion_metrics_on_eval
    assert champion_on_eval["log_loss"] == pytest.approx(first.metrics["eval_log_loss"])
    assert "not below champion v1" in worse.reason

    better = _train(features, name, STRONG)
    assert better.promoted and better.model_version == 3 and _champion(name) == 3
    assert better.metrics["eval_log_loss"] < first.metrics["eval_log_loss"]
    assert better.metrics["eval_roc_auc"] >= first.metrics["eval_roc_auc"]
    assert better.previous_champion_version == 1

    tags = {v: client.get_model_version(name, str(v)).tags for v in (1, 2, 3)}
    assert [tags[v]["promoted"] for v in (1, 2, 3)] == ["true", "false", "true"]
    assert all(tags[v]["promotion_reason"] for v in (1, 2, 3))

    # Same data, same params, same seed: same metrics, and a tie never moves the alias.
    again = _train(features, name, STRONG)
    assert again.metrics == better.metrics and not again.promoted and _champion(name) == 3


def test_run_records_lineage_params_metrics_and_artifacts(features) -> None:
    frame, table = features
    result = _train(features, "delay_lineage", WEAK)
    client = MlflowClient()
    run = client.get_run(result.run_id)
    params, metrics, tags = run.data.params, run.data.metrics, run.data.tags

    assert params["input.ml_training_set.path"] == table.path
    assert params["input.ml_training_set.delta_version"] == "0"
    assert params["training_input"] == "ml_training_set"
    assert params["seed"] == "1"
    assert params["window.train_end"] == "2013-09-30"
    assert params["window.eval_start"] == "2013-10-01"
    assert params["model.n_estimators"] == "8" and params["model.learning_rate"] == "0.05"
    for prefix in ("train_", "eval_", "baseline_train_", "baseline_eval_"):
        for name in ("roc_auc", "pr_auc", "log_loss", "brier"):
            assert f"{prefix}{name}" in metrics
    assert metrics["eval_roc_auc"] == result.metrics["eval_roc_auc"]
    assert metrics["baseline_eval_log_loss"] == result.baseline_metrics["eval_log_loss"]
    assert len(tags["git_commit"]) == 40
    assert tags["promoted"] == "true" and tags["model_version"] == str(result.model_version)

    plots = {Path(a.path).name for a in client.list_artifacts(result.run_id, "plots")}
    assert set(PLOT_FILES) | {"feature_importance.csv"} <= plots

    version = client.get_model_version("delay_lineage", str(result.model_version))
    assert version.run_id == result.run_id
    # The logged model loads back offline, through pyfunc too, and honours its signature.
    model = mlflow.pyfunc.load_model(f"models:/delay_lineage/{result.model_version}")
    sample = prepare_features(frame.head(20))
    sample.loc[sample.index[0], "route"] = None  # optional columns may be null
    sample.loc[sample.index[1], "wx_temp"] = np.nan
    p = np.asarray(model.predict(sample))
    assert p.shape == (20, 2) and np.isfinite(p).all()
    assert model.metadata.get_input_schema().input_names()[-1] == "route"


def test_broken_features_register_nothing_and_keep_the_alias(features) -> None:
    frame, _ = features
    name = "delay_broken"
    _train(features, name, WEAK)
    client = MlflowClient()
    versions_before = len(client.search_model_versions(f"name='{name}'"))

    no_eval_labels = frame.copy()
    no_eval_labels.loc[flight_dates(frame) >= pd.Timestamp("2013-10-01"), LABEL] = pd.NA
    with pytest.raises(FeatureTableError, match="is null for all"):
        _train(features, name, STRONG, df=no_eval_labels)
    with pytest.raises(FeatureTableError, match="missing required column.*wx_visib"):
        _train(features, name, STRONG, df=frame.drop(columns=["wx_visib"]))
    with pytest.raises(ValueError, match="inputs must name"):
        train_and_register(frame, model_name=name, experiment="delay-tests", inputs=[])

    assert len(client.search_model_versions(f"name='{name}'")) == versions_before
    assert _champion(name) == 1
    experiment = client.get_experiment_by_name("delay-tests")
    failed = client.search_runs(
        [experiment.experiment_id], "attributes.status = 'FAILED'", max_results=10
    )
    assert len(failed) == 2
    assert any("FeatureTableError" in r.data.tags.get("error", "") for r in failed)
    assert all(r.data.params["input.ml_training_set.delta_version"] == "0" for r in failed)
