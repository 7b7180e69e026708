"""MLflow side of training: log a run, register the model, move ``champion`` only when earned.

Why this shape: a scheduled dbt build retrains on every run, so promotion must be automatic
but conservative. Every run records what it read (each input table's path and Delta version),
the code (git commit), the window, parameters and seed, which is enough to rebuild the same
model later (:mod:`.reproduce`). A new version replaces the ``champion`` alias only when it beats
the current champion on the same evaluation rows; the scoring model follows the alias, so a
worse model is registered for inspection but never serves.

The tracking URI comes from ``MLFLOW_TRACKING_URI`` (Databricks and Azure ML both speak MLflow),
else a SQLite store ``mlflow.db`` in the working directory, with artifacts in ``mlruns/`` beside
it; both names are already git-ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient
from mlflow.models import ModelSignature, infer_signature
from mlflow.types import ColSpec, Schema

from lakehouse import storage
from lakehouse.ml import frames
from lakehouse.ml.dataset import TrainingWindow
from lakehouse.ml.features import CATEGORICAL_FEATURES, LABEL, prepare_features
from lakehouse.ml.train import (
    TrainingOutcome,
    evaluate,
    fit_and_evaluate,
    model_params,
    predict_probability,
)

CHAMPION = "champion"
MODEL_ARTIFACT = "model"
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_\-]+$")
_REQUIREMENTS = ("mlflow", "scikit-learn", "lightgbm", "cloudpickle", "numpy", "pandas", "scipy")


@dataclass(frozen=True)
class InputTable:
    """A Delta table a run read, pinned to the version it read (its lineage)."""

    name: str
    path: str
    version: int

    def __post_init__(self) -> None:
        # Absolute (or a URL), so a reproduction from another working directory finds it.
        object.__setattr__(self, "path", storage.resolve(str(self.path)))
        object.__setattr__(self, "version", int(self.version))
        if not _NAME_PATTERN.match(self.name):
            raise ValueError(f"input name must be letters, digits, _ or -: {self.name!r}")
        if self.version < 0:
            raise ValueError(f"Delta version must be >= 0, got {self.version}")

    @classmethod
    def current(cls, name: str, path: str) -> InputTable:
        """The table at ``path`` at its current version. Read the rows with
        ``frames.read_delta(path, table.version)`` so rows and recorded version agree even if
        the table is written to in between."""
        return cls(name, path, frames.delta_version(path))

    def as_params(self) -> dict[str, str]:
        """``input.<name>.path`` and ``input.<name>.delta_version``."""
        return {
            f"input.{self.name}.path": self.path,
            f"input.{self.name}.delta_version": str(self.version),
        }


@dataclass(frozen=True)
class TrainingResult:
    """What :func:`train_and_register` did.

    ``metrics`` are the model's (``train_*``/``eval_*``), ``baseline_metrics`` the naive
    baseline's on the same rows, ``champion_metrics_on_eval`` the previous champion's on the
    same eval rows (None when there was no champion or it could not be scored).
    """

    run_id: str
    model_version: int
    promoted: bool
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    champion_metrics_on_eval: dict[str, float] | None
    reason: str = ""
    previous_champion_version: int | None = None


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` if set, else ``sqlite:///<cwd>/mlflow.db`` (absolute)."""
    configured = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if configured:
        return configured
    return f"sqlite:///{(Path.cwd() / 'mlflow.db').resolve()}"


def configure() -> str:
    """Point MLflow at :func:`tracking_uri`; return it.

    The registry follows ``MLFLOW_REGISTRY_URI`` when set (``databricks-uc`` for Unity
    Catalog), else the tracking store, so the default keeps runs and models in one SQLite file.
    """
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(os.environ.get("MLFLOW_REGISTRY_URI", "").strip() or uri)
    return uri


def ensure_experiment(name: str) -> str:
    """The id of experiment ``name``, created if missing.

    With a SQLite store, artifacts go to ``mlruns/<experiment>`` next to the database file:
    MLflow's own default is ``./mlruns`` relative to whatever directory the process runs in,
    which would scatter artifacts (and write into the repository from tests).
    """
    client = MlflowClient()
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        return existing.experiment_id
    location = _sqlite_artifact_location(tracking_uri(), name)
    try:
        return client.create_experiment(name, artifact_location=location)
    except mlflow.exceptions.MlflowException:
        existing = client.get_experiment_by_name(name)  # created concurrently
        if existing is None:
            raise
        return existing.experiment_id


def _sqlite_artifact_location(uri: str, experiment: str) -> str | None:
    if not uri.startswith("sqlite:///"):
        return None
    db_path = Path(uri[len("sqlite:///") :].split("?", 1)[0]).resolve()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", experiment).strip("_") or "experiment"
    return (db_path.parent / "mlruns" / slug).as_uri()


def git_commit(path: Path | None = None) -> tuple[str, bool] | None:
    """(commit, dirty) of the checkout holding this package, or None outside a git checkout.

    ``dirty`` ignores untracked files. Never raises: a missing git binary or a deployed copy of
    the package simply means no commit is recorded.
    """
    cwd = path or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return commit.stdout.strip(), bool(status.stdout.strip()) if status.returncode == 0 else True


def decide_promotion(
    new: Mapping[str, float],
    champion: Mapping[str, float] | None,
    champion_version: int | None = None,
) -> tuple[bool, str]:
    """Whether a new model replaces the champion, and why (for the version's tag).

    Both dicts hold ``evaluate()`` output on the same eval rows. The new model wins only with a
    strictly lower log loss (better probabilities) and a ROC AUC that is not lower (no worse
    ranking); a tie keeps the champion, so retraining on unchanged data does not churn the alias.
    """
    if champion is None:
        return True, "no champion yet: the first registered model becomes champion"
    who = f"champion v{champion_version}" if champion_version is not None else "champion"
    ll_new, ll_old = new["log_loss"], champion["log_loss"]
    auc_new, auc_old = new["roc_auc"], champion["roc_auc"]
    if not ll_new < ll_old:
        return False, f"eval log loss {ll_new:.6f} is not below {who}'s {ll_old:.6f}"
    if auc_new < auc_old:
        return False, (
            f"eval log loss {ll_new:.6f} < {who}'s {ll_old:.6f} but ROC AUC {auc_new:.6f} is "
            f"lower than {auc_old:.6f}"
        )
    return True, (
        f"eval log loss {ll_new:.6f} < {who}'s {ll_old:.6f} and ROC AUC {auc_new:.6f} >= "
        f"{auc_old:.6f}"
    )


def model_params_as_mlflow(params: Mapping[str, Any]) -> dict[str, str]:
    """Model parameters as ``model.<name>`` params, JSON-encoded so they parse back exactly
    (``0.05`` stays a float, ``"gbdt"`` a string, ``null`` None) when a run is reproduced."""
    return {f"model.{key}": json.dumps(value) for key, value in sorted(params.items())}


def model_params_from_mlflow(params: Mapping[str, str]) -> dict[str, Any]:
    """Inverse of :func:`model_params_as_mlflow`."""
    return {
        key[len("model.") :]: json.loads(value)
        for key, value in params.items()
        if key.startswith("model.")
    }


def run_params(
    outcome_params: Mapping[str, Any],
    seed: int,
    window: TrainingWindow,
    inputs: Sequence[InputTable],
    training_input: str,
) -> dict[str, str]:
    """Every param a run logs: model params, seed, window, inputs and which one was trained on."""
    params: dict[str, str] = {**model_params_as_mlflow(outcome_params), "seed": str(int(seed))}
    params.update(window.as_params())
    for table in inputs:
        params.update(table.as_params())
    params["training_input"] = training_input
    return params


def train_and_register(
    training_set_df: Any,
    *,
    model_name: str,
    experiment: str,
    inputs: Sequence[InputTable],
    window: TrainingWindow | None = None,
    params: Mapping[str, Any] | None = None,
    seed: int = 0,
    training_input: str | None = None,
) -> TrainingResult:
    """Train, log, register as ``model_name`` and promote to ``champion`` if strictly better.

    ``training_set_df`` is the feature table or a training set built from it, in any frame type
    :func:`frames.to_pandas` accepts; it must be the rows of the input named ``training_input``
    (default: the first of ``inputs``) at the recorded Delta version, since that is what
    reproduction reads back. A failure before registration (broken features, a failed fit)
    leaves a FAILED run with its params and an ``error`` tag, registers nothing and never moves
    the alias.
    """
    if not inputs:
        raise ValueError("inputs must name at least the Delta table trained on (lineage)")
    names = [table.name for table in inputs]
    if len(set(names)) != len(names):
        raise ValueError(f"input names must be unique: {names}")
    training_input = training_input or names[0]
    if training_input not in names:
        raise ValueError(f"training_input {training_input!r} is not one of the inputs {names}")
    window = window or TrainingWindow()
    df = frames.to_pandas(training_set_df)

    configure()
    experiment_id = ensure_experiment(experiment)
    client = MlflowClient()
    with (
        _no_autologging(),
        mlflow.start_run(
            experiment_id=experiment_id,
            run_name=f"train-{model_name}",
            nested=mlflow.active_run() is not None,
        ) as run,
    ):
        run_id = run.info.run_id
        try:
            mlflow.set_tags({"model_name": model_name, **git_tags()})
            effective = model_params(params)  # logged before fitting: a failed run shows them
            mlflow.log_params(run_params(effective, seed, window, inputs, training_input))
            outcome = fit_and_evaluate(df, window, effective, seed)
            mlflow.log_metrics(outcome.all_metrics())
            _log_plots(outcome)
            model_uri = _log_model(outcome)
            version = int(mlflow.register_model(model_uri, model_name).version)
            mlflow.set_tag("model_version", str(version))
            champion_version, champion_metrics, promoted, reason = _promote_if_better(
                client, model_name, version, outcome
            )
        except Exception as exc:
            mlflow.set_tag("error", f"{type(exc).__name__}: {exc}"[:5000])
            raise

    return TrainingResult(
        run_id=run_id,
        model_version=version,
        promoted=promoted,
        metrics=dict(outcome.metrics),
        baseline_metrics=dict(outcome.baseline_metrics),
        champion_metrics_on_eval=champion_metrics,
        reason=reason,
        previous_champion_version=champion_version,
    )


def _promote_if_better(
    client: MlflowClient, model_name: str, version: int, outcome: TrainingOutcome
) -> tuple[int | None, dict[str, float] | None, bool, str]:
    """Compare the new version with the champion on the same eval rows; move the alias if it
    wins; tag the version and the run with the decision. Returns (champion version, champion
    metrics, promoted, reason)."""
    champion_version, champion_metrics, failure = _champion_on_eval(client, model_name, outcome)
    if failure is not None:
        promoted, reason = False, failure
    else:
        eval_metrics = _strip(outcome.metrics, "eval_")
        promoted, reason = decide_promotion(eval_metrics, champion_metrics, champion_version)
    if champion_metrics is not None:
        mlflow.log_metrics({f"champion_eval_{k}": v for k, v in champion_metrics.items()})
        mlflow.set_tag("champion_version_compared", str(champion_version))
    if promoted:
        client.set_registered_model_alias(model_name, CHAMPION, str(version))
    tags = {"promoted": str(promoted).lower(), "promotion_reason": reason}
    for key, value in tags.items():
        client.set_model_version_tag(model_name, str(version), key, value)
    mlflow.set_tags(tags)
    return champion_version, champion_metrics, promoted, reason


def _champion_on_eval(
    client: MlflowClient, model_name: str, outcome: TrainingOutcome
) -> tuple[int | None, dict[str, float] | None, str | None]:
    """(version, metrics on this run's eval rows, failure reason) of the current champion.

    A champion that cannot be loaded or scored blocks promotion (returned as a reason) rather
    than the run: replacing a model nobody could compare against is a decision for a person.
    """
    aliases = client.get_registered_model(model_name).aliases or {}
    if CHAMPION not in aliases:
        return None, None, None
    champion_version = int(aliases[CHAMPION])
    try:
        champion = mlflow.sklearn.load_model(f"models:/{model_name}/{champion_version}")
        eval_set = outcome.eval_set
        metrics = evaluate(eval_set[LABEL].to_numpy(), predict_probability(champion, eval_set))
    except Exception as exc:  # any failure to load or score means "cannot compare"
        return (
            champion_version,
            None,
            (
                f"champion v{champion_version} could not be scored on this eval split "
                f"({type(exc).__name__}: {exc}); not promoted, move the alias by hand if intended"
            ),
        )
    return champion_version, metrics, None


def _log_plots(outcome: TrainingOutcome) -> None:
    # matplotlib only when a run is logged: scoring imports this module for the registry
    from lakehouse.ml.plots import feature_importance, write_plots

    eval_set = outcome.eval_set
    importance = feature_importance(outcome.model, eval_set, seed=outcome.seed)
    with tempfile.TemporaryDirectory(prefix="lakehouse-ml-") as tmp:
        folder = Path(tmp)
        write_plots(
            folder,
            eval_set[LABEL].to_numpy(),
            outcome.eval_probabilities,
            outcome.baseline_eval_probabilities,
            importance,
        )
        importance.to_csv(folder / "feature_importance.csv", index=False)
        mlflow.log_artifacts(str(folder), artifact_path="plots")


def _log_model(outcome: TrainingOutcome) -> str:
    """Log the pipeline (cloudpickle: skops refuses tree models) with signature and example.

    The example rows have every categorical present, so the inferred signature types those
    columns as strings (an all-missing column would be inferred as double). Requirements are
    pinned from the running environment instead of inferred, which would import the model in a
    subprocess (slow, and nothing to learn).
    """
    columns = list(outcome.model.feature_names_in_)
    candidates = outcome.training_set
    complete = candidates[list(CATEGORICAL_FEATURES)].notna().all(axis=1)
    example = prepare_features(candidates[complete].head(5), columns).reset_index(drop=True)
    inferred = infer_signature(example, outcome.model.predict_proba(example))
    # Every feature may be null in the gold table (no weather, unknown plane, new route), and
    # the model handles that; the signature must not reject such rows when served via pyfunc.
    inputs = Schema([ColSpec(col.type, col.name, required=False) for col in inferred.inputs.inputs])
    signature = ModelSignature(inputs=inputs, outputs=inferred.outputs)
    info = mlflow.sklearn.log_model(
        outcome.model,
        name=MODEL_ARTIFACT,
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
        signature=signature,
        input_example=example,
        pyfunc_predict_fn="predict_proba",
        pip_requirements=_requirements(),
    )
    return info.model_uri


def _requirements() -> list[str]:
    pins = []
    for name in _REQUIREMENTS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            pins.append(f"{name}=={metadata.version(name)}")
    return pins


def git_tags() -> dict[str, str]:
    found = git_commit()
    if found is None:
        return {}
    commit, dirty = found
    return {"git_commit": commit, "git_dirty": str(dirty).lower()}


def _strip(metrics: Mapping[str, float], prefix: str) -> dict[str, float]:
    return {k[len(prefix) :]: v for k, v in metrics.items() if k.startswith(prefix)}


@contextlib.contextmanager
def _no_autologging() -> Iterator[None]:
    """Keep MLflow autologging (on by default in Databricks notebooks) from logging the inner
    fits as extra models into the run; this module logs exactly what it means to."""
    try:
        from mlflow.utils.autologging_utils import disable_autologging
    except ImportError:  # pragma: no cover - older or newer MLflow without the helper
        yield
        return
    with disable_autologging():
        yield


__all__ = [
    "CHAMPION",
    "InputTable",
    "TrainingResult",
    "configure",
    "decide_promotion",
    "ensure_experiment",
    "git_commit",
    "tracking_uri",
    "train_and_register",
]
