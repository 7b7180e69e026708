"""Time the same dbt build with the lake on a local folder and on Azure storage (Azurite).

Scenario, in a temporary folder: land the deliveries of --start..--end once; build them with
the lake in a local folder (target duckdb); start Azurite on a free 127.0.0.1 port, upload the
same deliveries to its ``landing`` container and build with the lake in its ``lake`` container
(target duckdb_azure); then run each build once more with nothing new (the per-build cost of
asking storage what exists). Results go to benchmarks/results/azure.json and azure.md.
Not a test: numbers depend on the machine (and Azurite is not Azure: no network latency).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lakehouse import azurite  # noqa: E402
from lakehouse.bench.timing import CommandFailed, measure  # noqa: E402

BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict[str, str]) -> float:
    try:
        return measure(command, env=env, cwd=REPO).seconds
    except CommandFailed as exc:
        raise SystemExit(str(exc)) from exc


def base_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "LAKEHOUSE_"))}
    env.update(
        DBT_PROFILES_DIR=str(REPO / "profiles"),
        DBT_TARGET_PATH=str(root / "target"),
        DBT_LOG_PATH=str(root / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        LAKEHOUSE_DUCKDB_PATH=str(root / "lakehouse.duckdb"),
        MLFLOW_TRACKING_URI=f"sqlite:///{root / 'mlflow.db'}",
    )
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2013-01-01")
    parser.add_argument("--end", default="2013-12-31")
    parser.add_argument("--exclude-ml", action="store_true", help="skip the ML models")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    build = [str(BIN / "dbt"), "build", *(["--exclude", "tag:ml"] if args.exclude_ml else [])]
    results: dict[str, float | int | str] = {}

    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-azure-") as tmp:
        root = Path(tmp)
        landing = root / "landing"
        land = [sys.executable, "scripts/land.py", "--start", args.start, "--end", args.end]
        results["land_local_s"] = timed([*land, "--landing-root", str(landing)], base_env(root))

        local = {
            **base_env(root / "local"),
            "LAKEHOUSE_TARGET": "duckdb",
            "LAKEHOUSE_LANDING_ROOT": str(landing),
            "LAKEHOUSE_LAKE_ROOT": str(root / "local" / "lake"),
        }
        results["local_full_build_s"] = timed(build, local)
        results["local_no_new_data_build_s"] = timed(build, local)

        server = azurite.start()
        try:
            remote = {
                **base_env(root / "azure"),
                **server.env(),
                "LAKEHOUSE_TARGET": "duckdb_azure",
                "LAKEHOUSE_LANDING_ROOT": "az://landing",
                "LAKEHOUSE_LAKE_ROOT": "az://lake",
            }
            upload = [sys.executable, "scripts/land.py", "--upload-from", str(landing)]
            results["upload_to_azurite_s"] = timed(upload, remote)
            results["azurite_full_build_s"] = timed(build, remote)
            results["azurite_no_new_data_build_s"] = timed(build, remote)
            manifest = json.loads((root / "azure" / "target" / "manifest.json").read_text())
            results["models"] = sum(
                1 for n in manifest["nodes"].values() if n["resource_type"] == "model"
            )
        finally:
            server.stop()

    results = {k: round(v, 1) if isinstance(v, float) else v for k, v in results.items()}
    results["azurite_vs_local_full_build"] = round(
        results["azurite_full_build_s"] / results["local_full_build_s"], 2
    )
    scenario = (
        f"deliveries {args.start}..{args.end}, dbt build "
        f"({'without' if args.exclude_ml else 'with'} the ML models), local folder vs Azurite"
    )
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "scenario": scenario,
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "azure.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = ["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in results.items()]
    (args.out / "azure.md").write_text(
        f"# Local folder vs Azure storage (Azurite)\n\n{scenario}\n\n" + "\n".join(lines) + "\n"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
