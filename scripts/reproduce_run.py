"""Retrain an MLflow training run from its Delta snapshot; exit 1 if the metrics differ.

    python scripts/reproduce_run.py <run_id>

The tracking store is MLFLOW_TRACKING_URI, else ./mlflow.db (as for training).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse.ml.reproduce import reproduce  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_id", help="the MLflow run id of a train_and_register run")
    args = parser.parse_args(argv)
    result = reproduce(args.run_id)
    width = max(map(len, result.original_metrics | result.reproduced_metrics), default=6)
    print(f"{'metric':<{width}}  {'original':>20}  {'reproduced':>20}")
    for name in sorted(result.original_metrics | result.reproduced_metrics):
        original = result.original_metrics.get(name)
        reproduced = result.reproduced_metrics.get(name)
        mark = "  DIFFERS" if name in result.differences else ""
        print(f"{name:<{width}}  {_fmt(original):>20}  {_fmt(reproduced):>20}{mark}")
    verdict = "match" if result.matches else f"DIFFER ({len(result.differences)} metrics)"
    print(f"reproduction run {result.run_id} of {args.run_id}: metrics {verdict}")
    return 0 if result.matches else 1


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.12f}"


if __name__ == "__main__":
    raise SystemExit(main())
