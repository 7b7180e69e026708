"""Run one baseline of the scale benchmark and print its time, peak memory and row counts.

`python scripts/baseline.py duckdb|spark --landing-root DIR --out DIR`; see
lakehouse.bench.baselines (the sys.path tweak lets it run from a plain checkout).
"""

import sys
from pathlib import Path

try:
    import lakehouse.bench.baselines  # noqa: F401
except ModuleNotFoundError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse.bench.baselines import main

if __name__ == "__main__":
    raise SystemExit(main())
