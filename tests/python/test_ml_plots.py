"""lakehouse.ml.plots: the evaluation PNGs and the seeded permutation importance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lakehouse.ml.dataset import SPLIT, TrainingWindow, build_training_set
from lakehouse.ml.features import FEATURE_COLUMNS, LABEL
from lakehouse.ml.plots import PLOT_FILES, feature_importance, write_plots
from lakehouse.ml.synthetic import make_features
from lakehouse.ml.train import train_classifier

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_plots_and_importance(tmp_path) -> None:
    training_set = build_training_set(make_features(3000, seed=2), TrainingWindow())
    model = train_classifier(
        training_set[training_set[SPLIT] == "train"], {"n_estimators": 20, "n_jobs": 1}
    )
    eval_set = training_set[training_set[SPLIT] == "eval"]

    importance = feature_importance(model, eval_set, seed=3, sample_size=500, n_repeats=2)
    assert list(importance.columns) == ["feature", "importance_mean", "importance_std"]
    assert sorted(importance["feature"]) == sorted(FEATURE_COLUMNS)
    assert importance["importance_mean"].is_monotonic_decreasing
    again = feature_importance(model, eval_set, seed=3, sample_size=500, n_repeats=2)
    pd.testing.assert_frame_equal(importance, again)  # seeded

    y = eval_set[LABEL].to_numpy()
    rng = np.random.default_rng(0)
    paths = write_plots(tmp_path / "plots", y, rng.random(len(y)), rng.random(len(y)), importance)
    assert [p.name for p in paths] == list(PLOT_FILES)
    for path in paths:
        assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 5_000

    without = write_plots(tmp_path / "model_only", y, rng.random(len(y)))
    assert [p.name for p in without] == list(PLOT_FILES[:3])
