"""lakehouse.ml.dataset: the time-based window and the labeled training set."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lakehouse.ml.dataset import SPLIT, TrainingWindow, build_training_set
from lakehouse.ml.features import LABEL, FeatureTableError, flight_dates
from lakehouse.ml.synthetic import make_features


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    return make_features(1500, seed=3)


def test_default_window_is_q1_q3_then_q4() -> None:
    window = TrainingWindow()
    assert (window.train_start, window.train_end) == (date(2013, 1, 1), date(2013, 9, 30))
    assert (window.eval_start, window.eval_end) == (date(2013, 10, 1), date(2013, 12, 31))


def test_window_must_not_overlap_or_be_empty() -> None:
    with pytest.raises(ValueError, match="training must end before evaluation starts"):
        TrainingWindow(train_end=date(2013, 10, 1))
    with pytest.raises(ValueError, match="evaluation period is empty"):
        TrainingWindow(eval_start=date(2013, 12, 1), eval_end=date(2013, 11, 1))
    with pytest.raises(TypeError, match="must be a date"):
        TrainingWindow(train_start="2013-01-01")  # type: ignore[arg-type]


def test_from_vars_parses_strings_and_keeps_defaults() -> None:
    window = TrainingWindow.from_vars(
        {"train_end": "2013-08-31", "eval_start": "2013-09-01", "unrelated": 1, "eval_end": None}
    )
    assert window == TrainingWindow(train_end=date(2013, 8, 31), eval_start=date(2013, 9, 1))
    assert TrainingWindow.from_vars(window.as_params()) == window  # logged params round-trip
    with pytest.raises(ValueError, match="train_start must be an ISO date"):
        TrainingWindow.from_vars({"train_start": "01/02/2013"})


def test_training_set_split_by_date_labeled_only(features: pd.DataFrame) -> None:
    window = TrainingWindow(
        train_start=date(2013, 2, 1),
        train_end=date(2013, 6, 30),
        eval_start=date(2013, 8, 1),
        eval_end=date(2013, 9, 30),
    )
    out = build_training_set(features, window)
    dates = flight_dates(out)
    train, evaluation = out[SPLIT] == "train", out[SPLIT] == "eval"
    assert (train | evaluation).all()
    assert dates[train].between(pd.Timestamp("2013-02-01"), pd.Timestamp("2013-06-30")).all()
    assert dates[evaluation].between(pd.Timestamp("2013-08-01"), pd.Timestamp("2013-09-30")).all()
    assert out[LABEL].dtype == "int64" and out[LABEL].isin([0, 1]).all()
    all_dates = flight_dates(features)
    in_periods = all_dates.between(pd.Timestamp("2013-02-01"), pd.Timestamp("2013-06-30")) | (
        all_dates.between(pd.Timestamp("2013-08-01"), pd.Timestamp("2013-09-30"))
    )
    assert len(out) == int((in_periods & features[LABEL].notna()).sum())
    assert out["flight_key"].is_monotonic_increasing  # deterministic order


def test_training_set_is_order_independent_and_idempotent(features: pd.DataFrame) -> None:
    window = TrainingWindow()
    once = build_training_set(features, window)
    shuffled = build_training_set(features.sample(frac=1.0, random_state=1), window)
    pd.testing.assert_frame_equal(once, shuffled)
    pd.testing.assert_frame_equal(build_training_set(once, window), once)


def test_duplicate_keys_are_rejected(features: pd.DataFrame) -> None:
    doubled = pd.concat([features, features.head(3)])
    with pytest.raises(FeatureTableError, match="flight_key must be unique"):
        build_training_set(doubled, TrainingWindow())


def test_single_class_period_is_rejected(features: pd.DataFrame) -> None:
    broken = features.copy()
    late = flight_dates(broken) >= pd.Timestamp("2013-10-01")
    broken.loc[late & broken[LABEL].notna(), LABEL] = 0
    with pytest.raises(FeatureTableError, match="evaluation period needs both"):
        build_training_set(broken, TrainingWindow())


def test_empty_eval_window_is_explained(features: pd.DataFrame) -> None:
    early = features[flight_dates(features) < pd.Timestamp("2013-10-01")]
    with pytest.raises(FeatureTableError, match="no rows in the window 2013-10-01 to 2013-12-31"):
        build_training_set(early, TrainingWindow())
