"""Explore the flight-delay features and train a candidate model (a marimo notebook).

Open it interactively with `.venv/bin/marimo edit notebooks/delay_model.py`; the tests run it
headless as a script (`python notebooks/delay_model.py`). It reads the gold feature table from
the lake (LAKEHOUSE_LAKE_ROOT) and logs the candidate to the same MLflow experiment as the
pipeline (MLFLOW_TRACKING_URI), tagged as a notebook candidate: it is not registered and never
becomes the champion; promote a model by training it through `make train`.
"""

import marimo

app = marimo.App()


@app.cell
def _():
    import os
    from pathlib import Path

    import matplotlib

    matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
    import matplotlib.pyplot as plt
    import mlflow

    from lakehouse.ml import frames, tracking, train
    from lakehouse.ml.dataset import TrainingWindow
    from lakehouse.ml.features import DATE, LABEL

    lake = Path(os.environ.get("LAKEHOUSE_LAKE_ROOT", "lake"))
    return DATE, LABEL, TrainingWindow, frames, lake, mlflow, plt, tracking, train


@app.cell
def _(DATE, frames, lake):
    features = frames.read_delta(str(lake / "gold" / "ml_flight_features"))
    features[DATE] = features[DATE].astype("datetime64[ns]")
    first, last = features[DATE].min(), features[DATE].max()
    print(f"{len(features):,} flights from {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    return (features,)


@app.cell
def _(DATE, LABEL, features, plt):
    figure, (by_day, by_hour) = plt.subplots(1, 2, figsize=(11, 3.5))
    labeled = features.dropna(subset=[LABEL])
    labeled.groupby(labeled[DATE].dt.date)[LABEL].mean().plot(ax=by_day)
    by_day.set_title("Share arriving 15+ min late, by day")
    labeled.groupby("sched_dep_hour")[LABEL].mean().plot.bar(ax=by_hour)
    by_hour.set_title("... by scheduled departure hour")
    figure.tight_layout()
    figure
    return


@app.cell
def _(DATE, TrainingWindow, features):
    # Train on the first three quarters of the days delivered, evaluate on the rest.
    days = sorted(features[DATE].dt.date.unique())
    cut = int(len(days) * 0.75)
    window = TrainingWindow(
        train_start=days[0], train_end=days[cut - 1], eval_start=days[cut], eval_end=days[-1]
    )
    window
    return (window,)


@app.cell
def _(features, mlflow, tracking, train, window):
    tracking.configure()
    experiment = tracking.ensure_experiment("flight-delay")
    outcome = train.fit_and_evaluate(features, window, params={"n_estimators": 100}, seed=7)
    with mlflow.start_run(experiment_id=experiment, run_name="notebook-candidate"):
        mlflow.set_tags({"candidate": "true", "source": "notebooks/delay_model.py"})
        mlflow.log_params(tracking.run_params(outcome.params, outcome.seed, window, [], "features"))
        mlflow.log_metrics(outcome.all_metrics())
    print({k: round(v, 4) for k, v in outcome.metrics.items() if k.startswith("eval_")})
    print({k: round(v, 4) for k, v in outcome.baseline_metrics.items() if k.startswith("eval_")})
    return


if __name__ == "__main__":
    app.run()
