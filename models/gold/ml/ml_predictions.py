"""Batch scores: each flight's probability of arriving 15+ minutes late, by the champion
model, for flights not scored yet (incremental append)."""

from datetime import UTC, datetime

from lakehouse.ml import frames, scoring


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="append",
        on_schema_change="append_new_columns",
        test_scope_column="flight_key",  # tests check the flights scored in this build
    )
    dbt.ref("ml_train")  # score only after this build's training decided the champion
    # the engine picks the unscored flights; pandas sees them a batch at a time, and on DuckDB
    # the scored batches stream into the table's write, so memory does not grow with the table
    flights = dbt.ref("ml_flight_features")
    if dbt.is_incremental:
        scored = session.sql(f"select flight_key from {dbt.this}")
        flights = frames.without_keys_in(flights, scored, "flight_key")
    name = dbt.config.get("registered_model_name")
    champion, version = scoring.load_champion(name)
    scored_at = datetime.now(UTC)
    scored_batches = (
        scoring.score(batch.to_pandas(), champion, name, version, scored_at)
        for batch in frames.arrow_batches(flights)
    )
    # nothing new: an empty frame with the table's columns
    empty = scoring.score(frames.to_pandas(flights.limit(0)), champion, name, version, scored_at)
    return frames.model_result(session, scored_batches, empty)
