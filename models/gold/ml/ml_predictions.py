"""Batch scores: each flight's probability of arriving 15+ minutes late, by the champion
model, for flights not scored yet (incremental append)."""

from datetime import UTC, datetime

from lakehouse.ml import frames, scoring


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="append",
        on_schema_change="append_new_columns",
    )
    dbt.ref("ml_train")  # score only after this build's training decided the champion
    # pandas at the edge: the same code runs on DuckDB and on a Spark session
    flights = frames.to_pandas(dbt.ref("ml_flight_features"))
    if dbt.is_incremental:
        scored = frames.to_pandas(session.sql(f"select flight_key from {dbt.this}"))
        flights = flights[~flights["flight_key"].isin(scored["flight_key"])]
    name = dbt.config.get("registered_model_name")
    champion, version = scoring.load_champion(name)
    return scoring.score(flights, champion, name, version, datetime.now(UTC))
