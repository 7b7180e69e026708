"""Train, track and register the flight-delay model; one row per build describing the run.

The training set is read at a pinned Delta version, which the MLflow run records, so the run
can be reproduced. When a finished run already trained on that exact version with the same
window, parameters and seed, it is reused instead of training again: re-running the build
changes nothing. Set the var retrain: true to train anyway.
"""

from lakehouse.ml import dataset, frames, runs, tracking


def model(dbt, session):
    dbt.config(materialized="table")
    dbt.ref("ml_training_set")  # lineage; the rows are read below at a pinned Delta version
    training_set = tracking.InputTable.current(
        "ml_training_set", dbt.lake_location("ml_training_set")
    )
    # dbt passes a config to a Python model only when the code names it literally
    window = dataset.TrainingWindow.from_vars(
        {
            "train_start": dbt.config.get("train_start"),
            "train_end": dbt.config.get("train_end"),
            "eval_start": dbt.config.get("eval_start"),
            "eval_end": dbt.config.get("eval_end"),
        }
    )
    request = runs.TrainingRequest(
        model_name=dbt.config.get("registered_model_name"),
        experiment=dbt.config.get("experiment"),
        inputs=[training_set],
        window=window,
        seed=int(dbt.config.get("seed") or 0),
    )
    if str(dbt.config.get("retrain")).lower() != "true":
        previous = runs.previous_result(request)
        if previous is not None:
            return runs.result_frame(previous)
    result = tracking.train_and_register(
        frames.read_delta(training_set.path, training_set.version),
        model_name=request.model_name,
        experiment=request.experiment,
        inputs=request.inputs,
        window=request.window,
        seed=request.seed,
    )
    return runs.result_frame(result)
