"""Print every Delta table of the lake (rows read two ways, protocol) and the reconciliation."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse.lake_report import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
