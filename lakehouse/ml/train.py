"""The delay classifier, the naive baseline it must beat, and the metrics both are judged by.

Model choice: LightGBM's scikit-learn API inside a scikit-learn Pipeline. On ~250k rows x 21
features it trains in a few seconds on 2 cores, handles the string columns natively as
categories (route and destination have hundreds of values; one-hot would not scale, ordinal
codes alone would impose a meaningless order), and treats missing weather or plane data as
missing rather than needing imputation. With ``deterministic=True``, ``force_row_wise=True`` and
a fixed seed it gives bit-identical models run after run, and (tested) the same model with 1 or
2 threads, which is what lets :mod:`.reproduce` compare metrics to 1e-9. scikit-learn's
HistGradientBoostingClassifier was measured too: as deterministic and about as fast, but its
native categorical support caps a column at 255 categories (2013 already has 224 routes), and
it scored a little lower in a quick comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from lakehouse.ml.dataset import EVAL, SPLIT, TRAIN, TrainingWindow, build_training_set
from lakehouse.ml.features import (
    CATEGORICAL_FEATURES,
    FEATURE_COLUMNS,
    LABEL,
    NUMERIC_FEATURES,
    RATE_FEATURES,
    prepare_features,
    require_columns,
)

#: LightGBM parameters unless the caller overrides them. Small trees (7 leaves), many of them,
#: chosen by a time-based validation inside the default training period of the real table (fit
#: Jan-Jun 2013, validate Jul-Sep): 7 leaves gave ROC AUC 0.730 / log loss 0.486 against
#: 0.724 / 0.493 for 31 leaves, which over-fit (train AUC 0.83), and they train faster.
#: ``n_jobs`` is the thread count; it does not change the model.
DEFAULT_PARAMS: dict[str, Any] = {
    "n_estimators": 300,
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_child_samples": 50,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "cat_smooth": 10.0,
    "min_data_per_group": 50,
    "n_jobs": 2,
}

#: Set by the code, never by the caller: they are what makes a fit reproducible.
_FIXED_PARAMS: dict[str, Any] = {"deterministic": True, "force_row_wise": True, "verbose": -1}
_SEED_KEYS = ("random_state", "seed", "random_seed")

METRIC_NAMES = ("roc_auc", "pr_auc", "log_loss", "brier")

#: Train metrics are computed on a seeded sample of at most this many training rows: they only
#: diagnose over-fitting, and scoring all ~250k training rows costs about as much as the fit.
TRAIN_METRICS_SAMPLE = 50_000


def model_params(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The effective model parameters: DEFAULT_PARAMS updated with ``params``.

    These, not the caller's overrides alone, are what a run logs, so a later change of a default
    cannot change what reproducing an old run means. Seeds are refused here (pass ``seed``) and
    the determinism switches cannot be overridden.
    """
    merged = dict(DEFAULT_PARAMS)
    for key, value in (params or {}).items():
        if key in _SEED_KEYS:
            raise ValueError(f"pass the seed as seed=..., not as the model parameter {key!r}")
        if key in _FIXED_PARAMS:
            raise ValueError(f"{key!r} is fixed to {_FIXED_PARAMS[key]!r} for reproducibility")
        merged[key] = value
    return merged


def build_pipeline(params: Mapping[str, Any] | None = None, seed: int = 0) -> Pipeline:
    """An unfitted pipeline: categorical codes + LightGBM with the effective parameters.

    Unknown or missing categories become NaN codes, which LightGBM routes as missing, so a new
    route at scoring time is scored instead of failing.
    """
    encoder = OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=np.nan,
        encoded_missing_value=np.nan,
        dtype=np.float64,
    )
    prepare = ColumnTransformer(
        [
            ("categorical", encoder, list(CATEGORICAL_FEATURES)),
            ("numeric", "passthrough", list(NUMERIC_FEATURES)),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    classifier = LGBMClassifier(**model_params(params), **_FIXED_PARAMS, random_state=seed)
    return Pipeline([("prepare", prepare), ("classifier", classifier)])


def train_classifier(
    train_df: pd.DataFrame, params: Mapping[str, Any] | None = None, seed: int = 0
) -> Pipeline:
    """Fit the delay classifier on every row of ``train_df`` (the caller picks the rows).

    ``train_df`` needs FEATURE_COLUMNS and a non-null 0/1 label, as produced by
    :func:`~lakehouse.ml.dataset.build_training_set` (filter it to ``split == 'train'``). The
    fitted pipeline takes raw feature columns, in any dtype :func:`prepare_features` accepts.
    """
    require_columns(train_df, (*FEATURE_COLUMNS, LABEL), "training data")
    labels = pd.to_numeric(train_df[LABEL], errors="raise")
    if labels.isna().any():
        raise ValueError(f"training rows must all be labeled; {int(labels.isna().sum())} are null")
    pipeline = build_pipeline(params, seed)
    pipeline.fit(
        prepare_features(train_df),
        labels.astype("int64").to_numpy(),
        classifier__categorical_feature=list(CATEGORICAL_FEATURES),
    )
    return pipeline


def predict_probability(model: Any, df: pd.DataFrame) -> np.ndarray:
    """P(arrival 15+ minutes late) for each row of ``df``, as float64.

    Uses the columns the model was fitted on (``feature_names_in_``), not today's
    FEATURE_COLUMNS, so an older champion still scores after the feature list changes.
    """
    columns = list(getattr(model, "feature_names_in_", FEATURE_COLUMNS))
    if len(df) == 0:
        return np.empty(0, dtype="float64")
    return np.asarray(model.predict_proba(prepare_features(df, columns))[:, 1], dtype="float64")


def baseline_probabilities(training_set: pd.DataFrame) -> np.ndarray:
    """A naive baseline's probabilities for every row of ``training_set``.

    Logistic regression on the three 28-day historical delay rates (nulls filled with the
    training mean), fitted on the ``split == 'train'`` rows only. It answers "is the model worth
    more than yesterday's averages?": a model that does not beat it is not worth deploying.
    """
    require_columns(training_set, (*RATE_FEATURES, LABEL, SPLIT), "training set")
    baseline = Pipeline(
        [
            ("impute", SimpleImputer(strategy="mean", keep_empty_features=True)),
            ("logistic", LogisticRegression()),
        ]
    )
    rates = prepare_features(training_set, RATE_FEATURES)
    is_train = (training_set[SPLIT] == TRAIN).to_numpy()
    baseline.fit(rates[is_train], training_set.loc[is_train, LABEL].astype("int64").to_numpy())
    return np.asarray(baseline.predict_proba(rates)[:, 1], dtype="float64")


def evaluate(y_true: Any, p: Any) -> dict[str, float]:
    """ROC AUC, PR AUC (average precision), log loss and Brier score of probabilities ``p``.

    Ranking (the AUCs) and calibration (log loss, Brier) are both reported because the scores
    are used as probabilities downstream, not just to rank flights.
    """
    y = np.asarray(y_true, dtype="int64")
    prob = np.asarray(p, dtype="float64")
    if len(np.unique(y)) < 2:
        raise ValueError("evaluation needs both classes in y_true")
    return {
        "roc_auc": float(roc_auc_score(y, prob)),
        "pr_auc": float(average_precision_score(y, prob)),
        "log_loss": float(log_loss(y, prob, labels=[0, 1])),
        "brier": float(brier_score_loss(y, prob)),
    }


@dataclass
class TrainingOutcome:
    """A fitted model and everything measured about it, before anything is logged."""

    model: Pipeline
    training_set: pd.DataFrame
    params: dict[str, Any]
    seed: int
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    eval_probabilities: np.ndarray
    baseline_eval_probabilities: np.ndarray

    @property
    def eval_set(self) -> pd.DataFrame:
        return self.training_set[self.training_set[SPLIT] == EVAL]

    def all_metrics(self) -> dict[str, float]:
        """Model and baseline metrics in one flat dict, as logged (``baseline_`` prefixed)."""
        return {**self.metrics, **{f"baseline_{k}": v for k, v in self.baseline_metrics.items()}}


def fit_and_evaluate(
    df: pd.DataFrame,
    window: TrainingWindow,
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
) -> TrainingOutcome:
    """Build the training set, fit model and baseline, and measure both on train and eval.

    The one code path shared by training and reproduction, so both compute the same numbers
    from the same rows. Metric names are ``train_<metric>`` and ``eval_<metric>`` (plus
    ``train_rows`` and ``eval_rows``); eval metrics use every eval row, train metrics a seeded
    sample of at most TRAIN_METRICS_SAMPLE training rows.
    """
    training_set = build_training_set(df, window)
    is_train = (training_set[SPLIT] == TRAIN).to_numpy()
    y = training_set[LABEL].to_numpy()

    effective = model_params(params)
    model = train_classifier(training_set[is_train], effective, seed)
    p_baseline = baseline_probabilities(training_set)

    train_index = np.flatnonzero(is_train)
    if len(train_index) > TRAIN_METRICS_SAMPLE:
        rng = np.random.default_rng(seed)
        train_index = np.sort(rng.choice(train_index, TRAIN_METRICS_SAMPLE, replace=False))
    eval_index = np.flatnonzero(~is_train)
    if len(np.unique(y[train_index])) < 2:  # a tiny sample may hold one class only
        train_index = np.flatnonzero(is_train)

    p_train = predict_probability(model, training_set.iloc[train_index])
    p_eval = predict_probability(model, training_set.iloc[eval_index])

    metrics: dict[str, float] = {}
    baseline: dict[str, float] = {}
    for split, index, p_model in ((TRAIN, train_index, p_train), (EVAL, eval_index, p_eval)):
        for name, value in evaluate(y[index], p_model).items():
            metrics[f"{split}_{name}"] = value
        for name, value in evaluate(y[index], p_baseline[index]).items():
            baseline[f"{split}_{name}"] = value
    metrics["train_rows"] = float(is_train.sum())
    metrics["eval_rows"] = float((~is_train).sum())
    return TrainingOutcome(
        model=model,
        training_set=training_set,
        params=effective,
        seed=seed,
        metrics=metrics,
        baseline_metrics=baseline,
        eval_probabilities=p_eval,
        baseline_eval_probabilities=p_baseline[eval_index],
    )
