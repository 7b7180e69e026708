"""Land N generated years of client deliveries; see lakehouse.scale for details.

Kept thin so the logic stays importable and testable; the sys.path tweak lets
``python scripts/generate_scale.py`` work from a plain checkout without installing the package.
"""

import sys
from pathlib import Path

try:
    import lakehouse.scale  # noqa: F401
except ModuleNotFoundError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse.scale import main

if __name__ == "__main__":
    raise SystemExit(main())
