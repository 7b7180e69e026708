"""Write every faulty flights file of the catalogue into a landing zone, to see what happens.

    python scripts/faulty_delivery.py --day 2013-01-03      # into $LAKEHOUSE_LANDING_ROOT
    python scripts/faulty_delivery.py --table               # the catalogue as Markdown

Each fault takes its own 3 flights of that day's clean file (which must have landed in a
scratch folder first: ``--clean`` names it) so its rows can be followed through the layers.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse import faults  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", action="store_true", help="print the catalogue and exit")
    parser.add_argument("--day", default="2013-01-03")
    parser.add_argument("--clean", type=Path, help="the clean flights file to take rows from")
    default_root = Path(os.environ.get("LAKEHOUSE_LANDING_ROOT", "landing"))
    parser.add_argument("--landing-root", type=Path, default=default_root)
    args = parser.parse_args(argv)
    if args.table:
        print(faults.markdown_table())
        return 0
    clean = args.clean or args.landing_root / "flights" / f"flights_{args.day}.csv"
    header, *rows = clean.read_text().splitlines()
    for path in faults.write_all(args.landing_root / "flights", header, rows, args.day):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
