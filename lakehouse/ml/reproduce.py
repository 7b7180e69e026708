"""Rebuild a past training run from its Delta snapshot and check it gives the same metrics.

Why: a model is only auditable if "what was it trained on, with what" can be answered by doing
it again. A run records each input table's path and Delta version, the window, the parameters
and the seed; this reads the training input *as of that version* (Delta time travel, so a table
rebuilt since then does not matter), retrains without registering anything, logs the result as
a new run tagged ``reproduces=<run_id>`` and compares every metric the original logged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mlflow
from mlflow import MlflowClient

from lakehouse.ml import frames
from lakehouse.ml.dataset import TrainingWindow
from lakehouse.ml.tracking import configure, git_tags, model_params_from_mlflow, run_params
from lakehouse.ml.train import fit_and_evaluate

TOLERANCE = 1e-9


@dataclass(frozen=True)
class ReproduceResult:
    """Original and reproduced metrics (same names), whether they all match, and the new run."""

    original_metrics: dict[str, float]
    reproduced_metrics: dict[str, float]
    matches: bool
    run_id: str = ""
    differences: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)


def compare_metrics(
    original: dict[str, float], reproduced: dict[str, float], tolerance: float = TOLERANCE
) -> dict[str, tuple[float | None, float | None]]:
    """Metrics that differ by more than ``tolerance`` or exist on one side only."""
    differences: dict[str, tuple[float | None, float | None]] = {}
    for name in sorted(set(original) | set(reproduced)):
        a, b = original.get(name), reproduced.get(name)
        if a is None or b is None or not math.isclose(a, b, rel_tol=0.0, abs_tol=tolerance):
            differences[name] = (a, b)
    return differences


def reproduce(run_id: str) -> ReproduceResult:
    """Retrain run ``run_id`` from its recorded inputs and compare metrics to 1e-9.

    Raises ValueError when the run lacks what is needed (it was not logged by
    :func:`~lakehouse.ml.tracking.train_and_register`). Nothing is registered and no alias moves.
    """
    configure()
    client = MlflowClient()
    original = client.get_run(run_id)
    params = original.data.params
    name = params.get("training_input")
    if name is None or "seed" not in params:
        raise ValueError(f"run {run_id} has no training_input/seed params: not a training run")
    path = params.get(f"input.{name}.path")
    version = params.get(f"input.{name}.delta_version")
    if path is None or version is None:
        raise ValueError(f"run {run_id} does not record the path and Delta version of {name!r}")
    window = TrainingWindow.from_vars(params)
    seed = int(params["seed"])
    model_params = model_params_from_mlflow(params)

    df = frames.read_delta(path, int(version))
    outcome = fit_and_evaluate(df, window, model_params, seed)
    reproduced = outcome.all_metrics()
    # The champion's scores are about the registry at the time, not a property of the run.
    original_metrics = {
        k: v for k, v in original.data.metrics.items() if not k.startswith("champion_")
    }
    differences = compare_metrics(original_metrics, reproduced)

    with mlflow.start_run(
        experiment_id=original.info.experiment_id,
        run_name=f"reproduce-{run_id[:8]}",
        nested=mlflow.active_run() is not None,
    ) as run:
        mlflow.set_tags(
            {
                "reproduces": run_id,
                "reproduction_matches": str(not differences).lower(),
                **git_tags(),
            }
        )
        inputs = {k: v for k, v in params.items() if k.startswith("input.")}
        logged = run_params(outcome.params, seed, window, [], name)
        mlflow.log_params({**logged, **inputs})
        mlflow.log_metrics(reproduced)
    return ReproduceResult(
        original_metrics=original_metrics,
        reproduced_metrics=reproduced,
        matches=not differences,
        run_id=run.info.run_id,
        differences=differences,
    )
