"""Reuse of finished training runs, and the one-row summary the ``ml_train`` model writes.

A build that has nothing new to learn must not train again: that would add a run and a model
version per build and rewrite ``gold.ml_train`` with a new run id. A run is reused when it
finished, registered a model version, and logged exactly the parameters this build would log:
the training table's path and Delta version, the window, the seed and the model parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from lakehouse.ml import tracking, train
from lakehouse.ml.dataset import TrainingWindow
from lakehouse.ml.tracking import InputTable, TrainingResult


@dataclass(frozen=True)
class TrainingRequest:
    """What a build asks to train: where, on what, with which window and seed."""

    model_name: str
    experiment: str
    inputs: list[InputTable]
    window: TrainingWindow
    seed: int = 0
    params: dict[str, Any] | None = None

    def expected_params(self) -> dict[str, str]:
        """The params a run for this request logs (see :func:`tracking.run_params`)."""
        return tracking.run_params(
            train.model_params(self.params),
            self.seed,
            self.window,
            self.inputs,
            self.inputs[0].name,
        )


def previous_result(request: TrainingRequest) -> TrainingResult | None:
    """The newest finished, registered run with exactly the request's params, or None."""
    import mlflow
    from mlflow.tracking import MlflowClient

    tracking.configure()
    client = MlflowClient()
    experiment = client.get_experiment_by_name(request.experiment)
    if experiment is None:
        return None
    expected = request.expected_params()
    runs = mlflow.search_runs(
        experiment_ids=[experiment.experiment_id],
        filter_string="attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
        output_format="list",
    )
    for run in runs:
        logged = run.data.params
        if "model_version" in run.data.tags and all(
            logged.get(key) == value for key, value in expected.items()
        ):
            metrics = run.data.metrics
            return TrainingResult(
                run_id=run.info.run_id,
                model_version=int(run.data.tags["model_version"]),
                promoted=run.data.tags.get("promoted") == "true",
                metrics={k: v for k, v in metrics.items() if k.startswith(("train_", "eval_"))},
                baseline_metrics={
                    k[len("baseline_") :]: v
                    for k, v in metrics.items()
                    if k.startswith("baseline_")
                },
                champion_metrics_on_eval=None,
                reason=run.data.tags.get("promotion_reason", ""),
            )
    return None


def result_frame(result: TrainingResult) -> pd.DataFrame:
    """One row describing a training run, for the ``gold.ml_train`` table."""
    row: dict[str, Any] = {
        "run_id": result.run_id,
        "model_version": result.model_version,
        "promoted": result.promoted,
        "promotion_reason": result.reason,
    }
    for name in train.METRIC_NAMES:
        row[f"eval_{name}"] = result.metrics.get(f"eval_{name}")
        row[f"baseline_eval_{name}"] = result.baseline_metrics.get(f"eval_{name}")
    metric_columns = [c for c in row if c.startswith(("eval_", "baseline_eval_"))]
    return pd.DataFrame([row]).astype({c: "float64" for c in metric_columns})
