"""Check the modelling conventions (lakehouse.conventions) on the project's dbt manifest.

Usage: python scripts/check_conventions.py [--manifest target/manifest.json] [--project-dir DIR]
Without --manifest it runs ``dbt parse`` first (in a scratch folder, no lake or database
needed, ~10 s). Prints ``file: rule: message`` per finding and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from lakehouse import conventions
from lakehouse.isolated_dbt import isolated_env

REPO = Path(__file__).resolve().parents[1]


def parse_project(project_dir: Path, scratch: Path) -> Path:
    """``dbt parse`` of the project into scratch; the manifest's path."""
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt), "parse", "--project-dir", str(project_dir), "--quiet"]
    env = isolated_env(scratch, project_dir)
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"dbt parse failed (exit {result.returncode})")
    return scratch / "target" / "manifest.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, help="an existing manifest.json")
    parser.add_argument("--project-dir", type=Path, default=REPO, help="dbt project to parse")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lakehouse-conventions-") as scratch:
        manifest_path = args.manifest or parse_project(args.project_dir.resolve(), Path(scratch))
        manifest = conventions.load_manifest(manifest_path)
    findings = conventions.check_all(manifest)
    for finding in findings:
        print(finding)
    print(
        f"{len(conventions.models(manifest))} models checked, {len(findings)} findings",
        file=sys.stderr,
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
