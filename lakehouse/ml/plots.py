"""Evaluation plots for a run: ROC, precision-recall, calibration and feature importance.

Why files: MLflow stores them as run artifacts next to the metrics, so a reviewer deciding
whether to trust a promotion sees how the model ranks (ROC, PR), whether its probabilities mean
what they say (calibration) and what it relies on (importance), against the naive baseline.
Figures are drawn on matplotlib's Agg canvas directly, never through pyplot, so nothing here
depends on or changes the process-wide backend (dbt runs models in one process, often headless).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.inspection import permutation_importance
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from sklearn.pipeline import Pipeline

from lakehouse.ml.features import LABEL, prepare_features

PLOT_FILES = ("roc_curve.png", "pr_curve.png", "calibration.png", "feature_importance.png")


def feature_importance(
    model: Any,
    eval_df: pd.DataFrame,
    *,
    seed: int = 0,
    sample_size: int = 2_000,
    n_repeats: int = 3,
) -> pd.DataFrame:
    """Permutation importance of each input column on a seeded sample of the eval set.

    Measured as the drop in ROC AUC when the column is shuffled, on held-out data, so it shows
    what the model uses to generalise (unlike split counts, which favour high-cardinality
    columns). A 2,000-row sample keeps it to a few seconds (each repeat re-scores the sample
    once per column); the seed makes it repeatable.
    Returns columns ``feature``, ``importance_mean``, ``importance_std``, most important first.
    """
    columns = list(model.feature_names_in_)
    if len(eval_df) > sample_size:
        eval_df = eval_df.sample(n=sample_size, random_state=seed)
    raw = prepare_features(eval_df, columns)
    estimator, data = model, raw
    if isinstance(model, Pipeline) and len(model.steps) > 1:
        # Encoding is row by row, so shuffling an encoded column is shuffling the raw one:
        # encode once instead of once per permutation (a third of the cost otherwise).
        encoded = model[:-1].transform(raw)
        if isinstance(encoded, pd.DataFrame) and set(encoded.columns) == set(columns):
            estimator, data = model[-1], encoded[columns]
    result = permutation_importance(
        estimator,
        data,
        eval_df[LABEL].astype("int64").to_numpy(),
        scoring="roc_auc",
        n_repeats=n_repeats,
        random_state=seed,
        n_jobs=1,
    )
    frame = pd.DataFrame(
        {
            "feature": columns,
            "importance_mean": result.importances_mean,
            "importance_std": result.importances_std,
        }
    )
    return frame.sort_values("importance_mean", ascending=False, kind="stable").reset_index(
        drop=True
    )


def write_plots(
    folder: Path,
    y_true: Any,
    p_model: Any,
    p_baseline: Any | None = None,
    importance: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the evaluation PNGs into ``folder`` (created if needed); return their paths.

    ``p_baseline``, when given, is drawn next to the model on the ROC, PR and calibration plots;
    the importance plot is written only when ``importance`` is given.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    y = np.asarray(y_true, dtype="int64")
    curves = {"model": np.asarray(p_model, dtype="float64")}
    if p_baseline is not None:
        curves["baseline"] = np.asarray(p_baseline, dtype="float64")
    paths = [
        roc_plot(folder / PLOT_FILES[0], y, curves),
        pr_plot(folder / PLOT_FILES[1], y, curves),
        calibration_plot(folder / PLOT_FILES[2], y, curves),
    ]
    if importance is not None:
        paths.append(importance_plot(folder / PLOT_FILES[3], importance))
    return paths


def roc_plot(path: Path, y: np.ndarray, curves: dict[str, np.ndarray]) -> Path:
    """ROC curve of each probability vector in ``curves``, with its AUC in the legend."""
    fig, ax = _figure()
    for name, p in curves.items():
        fpr, tpr, _ = roc_curve(y, p)
        ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, p):.3f})")
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (eval)")
    return _save(fig, ax, path)


def pr_plot(path: Path, y: np.ndarray, curves: dict[str, np.ndarray]) -> Path:
    """Precision-recall curve of each probability vector, with the positive rate for scale."""
    fig, ax = _figure()
    for name, p in curves.items():
        precision, recall, _ = precision_recall_curve(y, p)
        ax.plot(recall, precision, label=f"{name} (AP {average_precision_score(y, p):.3f})")
    ax.axhline(y.mean(), linestyle=":", color="grey", label=f"positive rate {y.mean():.3f}")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (eval)")
    return _save(fig, ax, path)


def calibration_plot(path: Path, y: np.ndarray, curves: dict[str, np.ndarray]) -> Path:
    """Observed delay rate per predicted-probability decile (quantile bins) vs the diagonal."""
    fig, ax = _figure()
    for name, p in curves.items():
        observed, predicted = calibration_curve(y, p, n_bins=10, strategy="quantile")
        ax.plot(predicted, observed, marker="o", label=name)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfectly calibrated")
    ax.set(xlabel="predicted probability", ylabel="observed delay rate", title="Calibration (eval)")
    return _save(fig, ax, path)


def importance_plot(path: Path, importance: pd.DataFrame) -> Path:
    """Horizontal bars of permutation importance (mean drop in ROC AUC, with std)."""
    data = importance.iloc[::-1]
    fig, ax = _figure(height=0.3 * len(data) + 1.5)
    ax.barh(data["feature"], data["importance_mean"], xerr=data["importance_std"], color="tab:blue")
    ax.set(xlabel="drop in ROC AUC when shuffled", title="Permutation importance (eval sample)")
    fig.tight_layout()
    FigureCanvasAgg(fig).print_png(str(path))
    return path


def _figure(height: float = 4.5) -> tuple[Figure, Any]:
    fig = Figure(figsize=(6, height), dpi=100)
    return fig, fig.subplots()


def _save(fig: Figure, ax: Any, path: Path) -> Path:
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    FigureCanvasAgg(fig).print_png(str(path))
    return path
