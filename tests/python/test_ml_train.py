"""lakehouse.ml.train: the classifier, its determinism, the baseline and the metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from lakehouse.ml.dataset import SPLIT, TrainingWindow, build_training_set
from lakehouse.ml.features import LABEL
from lakehouse.ml.synthetic import make_features
from lakehouse.ml.train import (
    DEFAULT_PARAMS,
    baseline_probabilities,
    evaluate,
    fit_and_evaluate,
    model_params,
    predict_probability,
    train_classifier,
)

FAST = {"n_estimators": 40, "n_jobs": 1}


@pytest.fixture(scope="module")
def training_set() -> pd.DataFrame:
    return build_training_set(make_features(4000, seed=11), TrainingWindow())


@pytest.fixture(scope="module")
def train_rows(training_set: pd.DataFrame) -> pd.DataFrame:
    return training_set[training_set[SPLIT] == "train"]


@pytest.fixture(scope="module")
def model(train_rows: pd.DataFrame) -> Pipeline:
    return train_classifier(train_rows, FAST, seed=5)


def test_classifier_is_a_fitted_pipeline(model: Pipeline, training_set: pd.DataFrame) -> None:
    assert isinstance(model, Pipeline)
    p = predict_probability(model, training_set)
    assert p.dtype == np.float64 and p.shape == (len(training_set),)
    assert ((p > 0) & (p < 1)).all()


def test_same_seed_same_model_whatever_the_thread_count(
    model: Pipeline, train_rows: pd.DataFrame, training_set: pd.DataFrame
) -> None:
    expected = predict_probability(model, training_set)
    again = train_classifier(train_rows, FAST, seed=5)
    np.testing.assert_array_equal(predict_probability(again, training_set), expected)
    two_threads = train_classifier(train_rows, {**FAST, "n_jobs": 2}, seed=5)
    np.testing.assert_array_equal(predict_probability(two_threads, training_set), expected)
    other_seed = train_classifier(train_rows, FAST, seed=6)
    assert not np.array_equal(predict_probability(other_seed, training_set), expected)


def test_unknown_and_missing_categories_are_scored(
    model: Pipeline, training_set: pd.DataFrame
) -> None:
    rows = training_set.head(3).copy()
    rows["route"] = ["NEW-ROUTE", None, rows["route"].iloc[2]]
    rows["dest"] = rows["dest"].astype("object")
    rows.loc[rows.index[0], "dest"] = "ZZZ"
    rows["wx_temp"] = np.nan
    p = predict_probability(model, rows)
    assert np.isfinite(p).all()


def test_model_params_merge_and_guard() -> None:
    merged = model_params({"n_estimators": 7})
    assert merged["n_estimators"] == 7
    assert merged["learning_rate"] == DEFAULT_PARAMS["learning_rate"]
    with pytest.raises(ValueError, match="pass the seed as seed="):
        model_params({"random_state": 1})
    with pytest.raises(ValueError, match="fixed"):
        model_params({"deterministic": False})


def test_training_rows_must_be_labeled(train_rows: pd.DataFrame) -> None:
    broken = train_rows.copy()
    broken[LABEL] = broken[LABEL].astype("Int64")
    broken.loc[broken.index[0], LABEL] = pd.NA
    with pytest.raises(ValueError, match="must all be labeled"):
        train_classifier(broken, FAST)


def test_baseline_is_fitted_on_train_rows_only(training_set: pd.DataFrame) -> None:
    p = baseline_probabilities(training_set)
    assert p.shape == (len(training_set),) and ((p > 0) & (p < 1)).all()
    flipped = training_set.copy()
    is_eval = flipped[SPLIT] == "eval"
    flipped.loc[is_eval, LABEL] = 1 - flipped.loc[is_eval, LABEL]
    np.testing.assert_array_equal(baseline_probabilities(flipped), p)  # eval labels unused


def test_baseline_fills_missing_rates(training_set: pd.DataFrame) -> None:
    holes = training_set.copy()
    holes["route_delay_rate_28d"] = np.nan
    assert np.isfinite(baseline_probabilities(holes)).all()


def test_evaluate_known_values() -> None:
    y = [0, 0, 1, 1]
    perfect = evaluate(y, [0.1, 0.2, 0.8, 0.9])
    assert perfect["roc_auc"] == 1.0 and perfect["pr_auc"] == 1.0
    assert perfect["brier"] == pytest.approx((0.01 + 0.04 + 0.04 + 0.01) / 4)
    assert perfect["log_loss"] == pytest.approx(-np.mean(np.log([0.9, 0.8, 0.8, 0.9])))
    coin = evaluate(y, [0.5] * 4)
    assert coin["roc_auc"] == 0.5 and coin["log_loss"] == pytest.approx(np.log(2))
    assert set(perfect) == {"roc_auc", "pr_auc", "log_loss", "brier"}
    with pytest.raises(ValueError, match="both classes"):
        evaluate([1, 1], [0.2, 0.3])


def test_fit_and_evaluate_beats_baseline_and_names_metrics() -> None:
    outcome = fit_and_evaluate(make_features(4000, seed=11), TrainingWindow(), FAST, seed=5)
    for split in ("train", "eval"):
        for name in ("roc_auc", "pr_auc", "log_loss", "brier", "rows"):
            assert f"{split}_{name}" in outcome.metrics
        assert f"{split}_roc_auc" in outcome.baseline_metrics
    assert outcome.metrics["eval_roc_auc"] > outcome.baseline_metrics["eval_roc_auc"]
    assert outcome.metrics["eval_rows"] == len(outcome.eval_set) == len(outcome.eval_probabilities)
    assert outcome.params == model_params(FAST)
