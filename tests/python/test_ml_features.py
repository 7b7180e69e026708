"""lakehouse.ml.features: the feature contract and the errors a broken table gets."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from lakehouse.ml.features import (
    CATEGORICAL_FEATURES,
    FEATURE_COLUMNS,
    LABEL,
    NUMERIC_FEATURES,
    REQUIRED_COLUMNS,
    FeatureTableError,
    flight_dates,
    prepare_features,
    validate_features,
)
from lakehouse.ml.synthetic import make_features

JAN = (date(2013, 1, 1), date(2013, 1, 31))


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    return make_features(600, seed=7)


def test_contract_lists() -> None:
    assert set(NUMERIC_FEATURES).isdisjoint(CATEGORICAL_FEATURES)
    assert FEATURE_COLUMNS == NUMERIC_FEATURES + CATEGORICAL_FEATURES
    assert "month" not in FEATURE_COLUMNS  # see the comment on NUMERIC_FEATURES
    assert LABEL not in FEATURE_COLUMNS and "flight_key" not in FEATURE_COLUMNS


def test_synthetic_table_matches_the_contract(features: pd.DataFrame) -> None:
    assert set(REQUIRED_COLUMNS) <= set(features.columns)
    validate_features(features, *JAN)


def test_missing_columns_are_all_named(features: pd.DataFrame) -> None:
    broken = features.drop(columns=["wx_temp", "route"])
    with pytest.raises(FeatureTableError, match="missing required column") as error:
        validate_features(broken, *JAN)
    assert "wx_temp" in str(error.value) and "route" in str(error.value)
    assert isinstance(error.value, ValueError)


def test_empty_window_gives_window_and_table_range(features: pd.DataFrame) -> None:
    with pytest.raises(FeatureTableError) as error:
        validate_features(features, date(2014, 1, 1), date(2014, 3, 31))
    message = str(error.value)
    assert "no rows in the window 2014-01-01 to 2014-03-31" in message
    first, last = flight_dates(features).min().date(), flight_dates(features).max().date()
    assert f"from {first} to {last}" in message


def test_all_null_label_in_window(features: pd.DataFrame) -> None:
    broken = features.copy()
    in_january = flight_dates(broken) < pd.Timestamp("2013-02-01")
    broken.loc[in_january, LABEL] = pd.NA
    with pytest.raises(FeatureTableError, match=f"{LABEL} is null for all .* rows in the window"):
        validate_features(broken, *JAN)
    validate_features(broken, date(2013, 2, 1), date(2013, 2, 28))  # other months are fine


def test_label_values_other_than_0_1(features: pd.DataFrame) -> None:
    broken = features.copy()
    broken[LABEL] = broken[LABEL].astype("float64") * 2
    with pytest.raises(FeatureTableError, match="must be 0, 1 or null"):
        validate_features(broken, *JAN)


def test_flight_dates_from_any_engine_type() -> None:
    expected = pd.Series(pd.to_datetime(["2013-01-02", "2013-12-31"]))
    for values in (
        [date(2013, 1, 2), date(2013, 12, 31)],  # Arrow / Spark
        pd.to_datetime(["2013-01-02", "2013-12-31"]),  # DuckDB .df()
        ["2013-01-02", "2013-12-31"],  # CSV
    ):
        got = flight_dates(pd.DataFrame({"flight_date": values}))
        assert got.tolist() == expected.tolist()


def test_prepare_features_normalizes_dtypes(features: pd.DataFrame) -> None:
    messy = features.head(4).copy()
    messy["sched_dep_hour"] = messy["sched_dep_hour"].astype("Int32")
    messy.loc[messy.index[0], "sched_dep_hour"] = pd.NA
    messy["carrier"] = messy["carrier"].astype("object")
    messy.loc[messy.index[1], "carrier"] = None
    messy.loc[messy.index[2], "dest"] = np.nan
    out = prepare_features(messy)
    assert list(out.columns) == list(FEATURE_COLUMNS)
    assert all(out[c].dtype == "float64" for c in NUMERIC_FEATURES)
    assert all(out[c].dtype == object for c in CATEGORICAL_FEATURES)
    assert np.isnan(out["sched_dep_hour"].iloc[0])
    assert out["carrier"].isna().tolist() == [False, True, False, False]
    assert isinstance(out["carrier"].iloc[0], str)
    assert out["dest"].isna().iloc[2]
