"""Batch scoring with the registered ``champion``: the rows of gold ``predictions``.

Why by alias: the scoring model does not know which version is best; the registry does.
Training moves ``champion`` only when a version is proven better, so scoring always uses the
best model so far, and each prediction row records the version that produced it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from lakehouse.ml import frames
from lakehouse.ml.features import KEY, require_columns
from lakehouse.ml.tracking import CHAMPION, configure
from lakehouse.ml.train import predict_probability

PREDICTION_COLUMNS = ("flight_key", "probability", "model_name", "model_version", "scored_at")


class ChampionNotFoundError(LookupError):
    """The registry has no champion for the model, so there is nothing to score with."""


def load_champion(model_name: str, alias: str = CHAMPION) -> tuple[Any, int]:
    """The fitted pipeline behind ``model_name@champion`` and its version number.

    Raises ChampionNotFoundError when the registered model does not exist or has no such alias,
    naming the tracking URI searched (the usual cause is scoring against another store than
    training wrote to). The model is loaded by version, not by alias, so the returned version
    is the one actually loaded even if training moves the alias meanwhile.
    """
    uri = configure()
    client = MlflowClient()
    try:
        aliases = client.get_registered_model(model_name).aliases or {}
    except MlflowException as exc:
        raise ChampionNotFoundError(
            f"no registered model {model_name!r} in the MLflow registry at {uri}: train and "
            "register one first (lakehouse.ml.tracking.train_and_register)"
        ) from exc
    if alias not in aliases:
        raise ChampionNotFoundError(
            f"registered model {model_name!r} at {uri} has no {alias!r} alias "
            f"(aliases: {sorted(aliases) or 'none'}): no version has been promoted yet"
        )
    version = int(aliases[alias])
    model = mlflow.sklearn.load_model(f"models:/{model_name}/{version}")
    return model, version


def score(
    features_df: Any,
    model: Any,
    model_name: str,
    version: int,
    scored_at: datetime,
    carry: Sequence[str] = (),
) -> pd.DataFrame:
    """One prediction row per flight of ``features_df``.

    Columns: ``flight_key`` (str), ``probability`` (float64, P(arrival 15+ min late)),
    ``model_name`` (str), ``model_version`` (int64), ``scored_at`` (timestamp UTC, the same for
    the whole batch so a batch can be identified). ``scored_at`` must be timezone-aware: a naive
    time is ambiguous, and the Delta table stores instants. The label is not needed; rows with
    unknown categories or missing weather are scored, not dropped. ``carry`` names columns of
    ``features_df`` copied as they are after those (the predictions table's partition month).
    """
    if scored_at.tzinfo is None or scored_at.utcoffset() is None:
        raise ValueError("scored_at must be timezone-aware (e.g. datetime.now(timezone.utc))")
    df = frames.to_pandas(features_df)
    columns = list(getattr(model, "feature_names_in_", ()))
    require_columns(df, (KEY, *columns, *carry), "features to score")
    probability = predict_probability(model, df)
    n = len(df)
    stamp = pd.Timestamp(scored_at).tz_convert(UTC).as_unit("us")
    return pd.DataFrame(
        {
            "flight_key": pd.Series(df[KEY].astype(str).to_numpy(), dtype="str"),
            "probability": pd.Series(probability, dtype="float64"),
            "model_name": pd.Series([model_name] * n, dtype="str"),
            "model_version": pd.Series(np.full(n, int(version)), dtype="int64"),
            "scored_at": pd.Series([stamp] * n, dtype="datetime64[us, UTC]"),
            **{column: df[column].reset_index(drop=True) for column in carry},
        }
    )
