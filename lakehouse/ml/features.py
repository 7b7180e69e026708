"""The feature contract between gold ``ml_flight_features`` and the model, and its checks.

Why a contract in code: the model, its MLflow signature, the scoring model and the dbt table
must agree on column names and types. Keeping the lists here (and validating the table against
them before anything is trained) turns a renamed or broken upstream column into one clear error
instead of a silently worse model or a stack trace from deep inside scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

KEY = "flight_key"
DATE = "flight_date"
LABEL = "label_arr_delayed_15"

#: Numeric features, all known before departure. ``month`` is deliberately left out: with one
#: year of data and a time-based split, the evaluation months (Oct-Dec) never occur in training,
#: so the model could only extrapolate September's effect onto them. Seasonality reaches the
#: model through the weather and the 28-day delay rates instead.
NUMERIC_FEATURES: tuple[str, ...] = (
    "sched_dep_hour",
    "day_of_week",
    "distance",
    "plane_age_years",
    "plane_seats",
    "wx_temp",
    "wx_humid",
    "wx_wind_speed",
    "wx_precip",
    "wx_visib",
    "wx_pressure",
    "carrier_delay_rate_28d",
    "route_delay_rate_28d",
    "origin_delay_rate_28d",
    "carrier_flights_28d",
    "route_flights_28d",
    "origin_flights_28d",
)

#: Categorical features (strings), encoded inside the model pipeline, never in SQL, so a
#: category first seen at scoring time is handled by the model (as missing) instead of failing.
CATEGORICAL_FEATURES: tuple[str, ...] = ("carrier", "origin", "dest", "route")

FEATURE_COLUMNS: tuple[str, ...] = NUMERIC_FEATURES + CATEGORICAL_FEATURES

#: The historical-rate columns the naive baseline uses.
RATE_FEATURES: tuple[str, ...] = (
    "carrier_delay_rate_28d",
    "route_delay_rate_28d",
    "origin_delay_rate_28d",
)

REQUIRED_COLUMNS: tuple[str, ...] = (KEY, DATE, LABEL, *FEATURE_COLUMNS)


class FeatureTableError(ValueError):
    """The feature table cannot be trained on or scored as given; the message says why."""


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str = "feature table") -> None:
    """Raise FeatureTableError naming every column of ``columns`` that ``df`` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise FeatureTableError(
            f"{what} is missing required column(s): {', '.join(missing)} "
            f"(it has: {', '.join(map(str, df.columns)) or 'no columns'})"
        )


def flight_dates(df: pd.DataFrame) -> pd.Series:
    """``flight_date`` as datetime64 at midnight, whatever the engine delivered.

    DuckDB's pandas output gives datetime64, Arrow and Spark give ``datetime.date`` objects and a
    CSV gives strings; comparing the normalized column with a window is correct for all of them.
    """
    values = pd.to_datetime(df[DATE])
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    return values.dt.normalize()


def in_window(df: pd.DataFrame, start: date, end: date) -> pd.Series:
    """Boolean mask of the rows whose flight date is in ``[start, end]`` (both inclusive)."""
    dates = flight_dates(df)
    return (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))


def label_values(df: pd.DataFrame) -> pd.Series:
    """The label as float (1.0, 0.0, NaN for unknown), whatever nullable dtype it arrived in."""
    return pd.to_numeric(df[LABEL], errors="coerce").astype("float64")


def validate_features(df: pd.DataFrame, start: date, end: date) -> None:
    """Check that ``df`` can be trained on for flights from ``start`` to ``end`` (inclusive).

    Raises FeatureTableError when required columns are missing (all of them are named), when
    no row falls in the window (the message gives the window and the table's own date range, the
    usual cause being a window that does not match the data loaded), when every label in the
    window is null (typically the label join upstream broke), or when the label holds values
    other than 0, 1 and null.
    """
    require_columns(df, REQUIRED_COLUMNS)
    if start > end:
        raise FeatureTableError(f"window starts after it ends: {start} > {end}")
    dates = flight_dates(df)
    mask = (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
    if not mask.any():
        if dates.notna().any():
            table_range = f"{dates.min().date()} to {dates.max().date()}"
        else:
            table_range = "no dated rows at all"
        raise FeatureTableError(
            f"no rows in the window {start} to {end}; the feature table has {len(df):,} rows "
            f"with flight_date from {table_range}"
        )
    labels = label_values(df)[mask]
    if labels.isna().all():
        raise FeatureTableError(
            f"{LABEL} is null for all {int(mask.sum()):,} rows in the window {start} to {end}: "
            "nothing to learn from or evaluate on (is the arrival data missing upstream?)"
        )
    bad = labels.notna() & ~labels.isin([0.0, 1.0])
    if bad.any():
        examples = ", ".join(map(str, sorted(labels[bad].unique())[:5]))
        raise FeatureTableError(
            f"{LABEL} must be 0, 1 or null; {int(bad.sum()):,} rows in the window have other "
            f"values (e.g. {examples})"
        )


def prepare_features(df: pd.DataFrame, columns: Sequence[str] = FEATURE_COLUMNS) -> pd.DataFrame:
    """The model's input: ``columns`` of ``df`` with engine-independent dtypes.

    Numeric columns become float64 (nullable integers and decimals included, missing as NaN)
    and categorical ones object strings (missing as NaN). The same rows then give the same input
    whether they came from DuckDB, Delta, Spark or a test, and the MLflow signature (inferred
    from this frame) describes what scoring must send.
    """
    require_columns(df, columns)
    categorical = set(CATEGORICAL_FEATURES)
    out: dict[str, pd.Series] = {}
    for column in columns:
        values = df[column]
        if column in categorical:
            strings = [_category_string(v) for v in values.to_numpy(dtype=object)]
            out[column] = pd.Series(strings, index=df.index, dtype=object)
        else:
            out[column] = pd.to_numeric(values, errors="coerce").astype("float64")
    return pd.DataFrame(out, index=df.index)


def _category_string(value: object) -> object:
    """A category as ``str``; any missing marker (None, NaN, pd.NA) as NaN, which the encoder
    treats as missing. Non-string codes (e.g. an integer carrier id) become their text."""
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return np.nan
    return str(value)
