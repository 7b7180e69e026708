"""Batch scores: each flight's probability of arriving 15+ minutes late, by the champion
model, for flights not scored yet (incremental append, partitioned by month like the
features, so a day's scoring and its tests touch one month)."""

import functools
from datetime import UTC, datetime

from lakehouse import model_inputs
from lakehouse.ml import frames

MONTH = "_partition_month"


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="append",
        on_schema_change="append_new_columns",
        partition_by=["_partition_month"],  # literal: dbt parses config() statically
    )
    dbt.ref("ml_train")  # score only after this build's training decided the champion
    # the engine picks the unscored flights; pandas sees them a batch at a time, and on DuckDB
    # the scored batches stream into the table's write, so memory does not grow with the table.
    # On DuckDB only the feature months with new files since the last scoring are searched,
    # and only those months of this table (a flight's month is the same in both tables).
    progress = model_inputs.UpstreamProgress(dbt, session, "ml_flight_features", MONTH)
    flights = dbt.ref("ml_flight_features")
    if dbt.is_incremental:
        own_location = dbt.lake_location(dbt.this.identifier) if progress.enabled else None
        if own_location and model_inputs.is_partitioned_by(own_location, MONTH):
            scored_months = session.sql(f"select flight_key, {MONTH} from {dbt.this}")
            already_scored = progress.only_changed(scored_months)
        else:  # another engine, or a table from before the partitioning (no months to match)
            already_scored = session.sql(f"select flight_key from {dbt.this}")
        flights = frames.without_keys_in(
            progress.only_changed(flights), already_scored.select("flight_key"), "flight_key"
        )
    name = dbt.config.get("registered_model_name")
    scored_at = datetime.now(UTC)

    @functools.cache
    def champion():  # MLflow and the model are loaded only when there is something to score
        from lakehouse.ml import scoring

        return scoring, *scoring.load_champion(name)

    def scored(features):
        scoring, model, version = champion()
        return scoring.score(features, model, name, version, scored_at, carry=(MONTH,))

    def nothing_new():  # no rows, the table's columns (without loading the model if it exists)
        if dbt.is_incremental:
            return session.sql(f"select * from {dbt.this} where 1 = 0").to_arrow_table()
        return scored(frames.to_pandas(flights.limit(0)))

    scored_batches = (scored(batch.to_pandas()) for batch in frames.arrow_batches(flights))
    return progress.result(frames.model_result(session, scored_batches, nothing_new))
