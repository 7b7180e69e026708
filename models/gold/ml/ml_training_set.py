"""Training set of the flight-delay model: labeled flights of the training and evaluation
windows (dbt vars train_start .. eval_end), split by time, never at random."""

from lakehouse import model_inputs
from lakehouse.ml import dataset, features, frames


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt passes a config to a Python model only when the code names it literally
    window = dataset.TrainingWindow.from_vars(
        {
            "train_start": dbt.config.get("train_start"),
            "train_end": dbt.config.get("train_end"),
            "eval_start": dbt.config.get("eval_start"),
            "eval_end": dbt.config.get("eval_end"),
        }
    )
    feature_table = dbt.ref("ml_flight_features")
    # the rows depend only on the feature files of the window's months: a build whose new
    # deliveries are outside the window keeps the table instead of computing it again
    inputs = model_inputs.ModelInputs(
        dbt,
        session,
        window.as_params(),
        model_inputs.code_digest("lakehouse.ml.dataset", "lakehouse.ml.features"),
        lambda: model_inputs.partition_files(
            dbt.lake_location("ml_flight_features"), "_partition_month", window.months(1)
        ),
    )
    if inputs.unchanged():
        return inputs.keep()
    # only the two windows reach pandas; the whole table only to explain an empty window
    in_windows = frames.rows_between(
        feature_table, "flight_date", window.train_start, window.eval_end
    )
    flights = frames.to_pandas(in_windows)
    if flights.empty:
        flights = frames.to_pandas(feature_table)
    features.validate_features(flights, window.train_start, window.eval_end)
    return inputs.result(dataset.build_training_set(flights, window))
