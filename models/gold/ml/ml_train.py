"""Train, track and register the flight-delay model; one row per build describing the run.

The training set is read at a pinned Delta version, which the MLflow run records, so the run
can be reproduced. When a finished run already trained on that exact version with the same
window, parameters and seed, it is reused instead of training again: re-running the build
changes nothing. When this table was already written from the same training-set version,
settings, code and MLflow store, it is kept without asking MLflow at all. Set the var
retrain: true to train anyway.
"""

import os

from lakehouse import model_inputs
from lakehouse.ml import dataset, frames


def model(dbt, session):
    dbt.config(materialized="table")
    dbt.ref("ml_training_set")  # lineage; the rows are read below at a pinned Delta version
    training_set_path = dbt.lake_location("ml_training_set")
    training_set_version = frames.delta_version(training_set_path)
    # dbt passes a config to a Python model only when the code names it literally
    window = dataset.TrainingWindow.from_vars(
        {
            "train_start": dbt.config.get("train_start"),
            "train_end": dbt.config.get("train_end"),
            "eval_start": dbt.config.get("eval_start"),
            "eval_end": dbt.config.get("eval_end"),
        }
    )
    model_name = dbt.config.get("registered_model_name")
    experiment = dbt.config.get("experiment")
    seed = int(dbt.config.get("seed") or 0)
    retrain = str(dbt.config.get("retrain")).lower() == "true"
    inputs = model_inputs.ModelInputs(
        dbt,
        session,
        [training_set_path, training_set_version],
        window.as_params(),
        [model_name, experiment, seed, os.environ.get("MLFLOW_TRACKING_URI", "")],
        model_inputs.code_digest(
            "lakehouse.ml.runs", "lakehouse.ml.tracking", "lakehouse.ml.train"
        ),
    )
    if not retrain and inputs.unchanged():
        return inputs.keep()

    from lakehouse.ml import runs, tracking  # MLflow: imported only when it is asked

    training_set = tracking.InputTable("ml_training_set", training_set_path, training_set_version)
    request = runs.TrainingRequest(
        model_name=model_name,
        experiment=experiment,
        inputs=[training_set],
        window=window,
        seed=seed,
    )
    if not retrain:
        previous = runs.previous_result(request)
        if previous is not None:
            return inputs.result(runs.result_frame(previous))
    result = tracking.train_and_register(
        frames.read_delta(training_set.path, training_set.version),
        model_name=request.model_name,
        experiment=request.experiment,
        inputs=request.inputs,
        window=request.window,
        seed=request.seed,
    )
    return inputs.result(runs.result_frame(result))
