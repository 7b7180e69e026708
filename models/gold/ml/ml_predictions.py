"""Batch scores: each flight's probability of arriving 15+ minutes late, by the champion
model, for flights not scored yet (incremental append)."""

import functools
from datetime import UTC, datetime

from lakehouse import model_inputs
from lakehouse.ml import frames


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
    # on DuckDB, only the feature partitions with new files since the last scoring are searched
    progress = model_inputs.UpstreamProgress(dbt, session, "ml_flight_features", "_partition_month")
    flights = dbt.ref("ml_flight_features")
    if dbt.is_incremental:
        already_scored = session.sql(f"select flight_key from {dbt.this}")
        flights = frames.without_keys_in(
            progress.only_changed(flights), already_scored, "flight_key"
        )
    name = dbt.config.get("registered_model_name")
    scored_at = datetime.now(UTC)

    @functools.cache
    def champion():  # MLflow and the model are loaded only when there is something to score
        from lakehouse.ml import scoring

        return scoring, *scoring.load_champion(name)

    def scored(features):
        scoring, model, version = champion()
        return scoring.score(features, model, name, version, scored_at)

    def nothing_new():  # no rows, the table's columns (without loading the model if it exists)
        if dbt.is_incremental:
            return session.sql(f"select * from {dbt.this} where 1 = 0").to_arrow_table()
        return scored(frames.to_pandas(flights.limit(0)))

    scored_batches = (scored(batch.to_pandas()) for batch in frames.arrow_batches(flights))
    return progress.result(frames.model_result(session, scored_batches, nothing_new))
