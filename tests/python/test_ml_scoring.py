"""lakehouse.ml.scoring: loading the champion and the shape of the predictions table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from deltalake import write_deltalake
from mlflow import MlflowClient

from lakehouse.ml.features import FeatureTableError
from lakehouse.ml.scoring import PREDICTION_COLUMNS, ChampionNotFoundError, load_champion, score
from lakehouse.ml.synthetic import make_features
from lakehouse.ml.tracking import InputTable, configure, train_and_register

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def features() -> pd.DataFrame:
    return make_features(3000, seed=31)


@pytest.fixture(scope="module")
def champion(store: Path, features: pd.DataFrame) -> tuple[object, int]:
    path = store / "ml_training_set"
    write_deltalake(str(path), features)
    train_and_register(
        features,
        model_name="delay_scoring",
        experiment="scoring-tests",
        inputs=[InputTable.current("ml_training_set", str(path))],
        params={"n_estimators": 20, "n_jobs": 1},
    )
    return load_champion("delay_scoring")


def test_no_registered_model(store: Path) -> None:
    with pytest.raises(ChampionNotFoundError, match="no registered model 'nobody'") as error:
        load_champion("nobody")
    assert str(store) in str(error.value)  # says which store was searched


def test_registered_model_without_champion(store: Path) -> None:
    configure()
    MlflowClient().create_registered_model("never_promoted")
    with pytest.raises(ChampionNotFoundError, match="has no 'champion' alias"):
        load_champion("never_promoted")


def test_load_champion_returns_model_and_version(champion) -> None:
    model, version = champion
    assert version == 1 and isinstance(version, int)
    assert hasattr(model, "predict_proba")


def test_score_carries_named_columns(champion, features: pd.DataFrame) -> None:
    model, version = champion
    rows = features.iloc[10:20].assign(_partition_month=[f"m{i}" for i in range(10)])
    out = score(rows, model, "delay_scoring", version, NOW, carry=("_partition_month",))
    assert tuple(out.columns) == (*PREDICTION_COLUMNS, "_partition_month")
    assert out["_partition_month"].tolist() == [
        f"m{i}" for i in range(10)
    ]  # aligned with the flights
    with pytest.raises(Exception, match="_partition_month"):
        score(features.head(5), model, "delay_scoring", version, NOW, carry=("_partition_month",))


def test_score_schema(champion, features: pd.DataFrame) -> None:
    model, version = champion
    out = score(features.head(50), model, "delay_scoring", version, NOW)
    assert tuple(out.columns) == PREDICTION_COLUMNS
    assert len(out) == 50
    assert out["flight_key"].tolist() == features["flight_key"].head(50).tolist()
    assert out["probability"].dtype == "float64"
    assert out["probability"].between(0, 1, inclusive="neither").all()
    assert out["model_version"].dtype == "int64" and (out["model_version"] == 1).all()
    assert (out["model_name"] == "delay_scoring").all()
    assert str(out["scored_at"].dtype) == "datetime64[us, UTC]"
    assert (out["scored_at"] == pd.Timestamp(NOW)).all()
    schema = pa.Table.from_pandas(out, preserve_index=False).schema
    assert schema.field("scored_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("model_version").type == pa.int64()
    assert schema.field("probability").type == pa.float64()


def test_score_any_engine_and_without_label(champion, features: pd.DataFrame) -> None:
    model, version = champion
    expected = score(features.head(20), model, "m", version, NOW)
    no_label = features.head(20).drop(columns=["label_arr_delayed_15"])
    relation = duckdb.connect().from_arrow(pa.Table.from_pandas(no_label, preserve_index=False))
    pd.testing.assert_frame_equal(score(relation, model, "m", version, NOW), expected)


def test_scored_at_must_be_aware_and_becomes_utc(champion, features: pd.DataFrame) -> None:
    model, version = champion
    with pytest.raises(ValueError, match="timezone-aware"):
        score(features.head(2), model, "m", version, datetime(2026, 1, 1))
    paris = datetime(2026, 11, 29, 7, 0, tzinfo=timezone(timedelta(hours=1)))
    out = score(features.head(2), model, "m", version, paris)
    assert (out["scored_at"] == pd.Timestamp(NOW)).all()


def test_missing_feature_column_and_empty_input(champion, features: pd.DataFrame) -> None:
    model, version = champion
    with pytest.raises(FeatureTableError, match="missing required column.*wx_precip"):
        score(features.drop(columns=["wx_precip"]), model, "m", version, NOW)
    empty = score(features.head(0), model, "m", version, NOW)
    assert tuple(empty.columns) == PREDICTION_COLUMNS and len(empty) == 0
    assert str(empty["scored_at"].dtype) == "datetime64[us, UTC]"


def test_new_categories_and_missing_values_are_scored(champion, features: pd.DataFrame) -> None:
    model, version = champion
    odd = features.head(3).copy()
    odd["route"] = ["XXX-YYY", None, "JFK-ZZZ"]
    odd["wx_visib"] = np.nan
    out = score(odd, model, "m", version, NOW)
    assert out["probability"].notna().all()
