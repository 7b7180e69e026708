"""Screenshots of a model's docs page and lineage graph, from the static docs site.

    python scripts/docs_preview.py [MODEL] [--site target/static_index.html] [--out DIR]

For a look without a desktop browser (CI artifacts, review comments). Needs `make docs`
first and Debian's chromium (`make chromium`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse import docs_site  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", nargs="?", default="fct_flights")
    parser.add_argument("--site", type=Path, default=Path("target/static_index.html"))
    parser.add_argument("--out", type=Path, default=Path("target/docs_screenshots"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    unique_id = f"model.lakehouse.{args.model}"
    try:
        with docs_site.browser_page() as page:
            docs_site.open_node(page, args.site, unique_id, args.model)
            page.screenshot(path=str(args.out / f"{args.model}.png"), full_page=True)
            nodes = docs_site.open_lineage(page, expand=True)
            page.screenshot(path=str(args.out / f"{args.model}_lineage.png"))
    except docs_site.DocsSiteError as error:
        print(f"docs preview: {error}", file=sys.stderr)
        return 2
    print(f"{args.model}: {len(nodes)} nodes in the lineage graph")
    print(f"screenshots: {args.out}/{args.model}.png, {args.out}/{args.model}_lineage.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
