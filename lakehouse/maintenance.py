"""Recovery and housekeeping for the lake's Delta tables: history, restore, compact, vacuum.

Every operation is a Delta commit made by delta-rs, so readers on any engine keep seeing a
consistent snapshot. VACUUM is the one that deletes data files for good, so it has two guards:
a minimum retention (a reader that started before the window may still need older files) and
the versions that MLflow runs recorded as their training data (``make reproduce`` time-travels
to them), which are always kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deltalake import DeltaTable

from lakehouse import lake_catalog, storage

#: Delta's own default for ``delta.deletedFileRetentionDuration``: one week.
DEFAULT_MIN_RETENTION_HOURS = 168


class MaintenanceError(RuntimeError):
    """A maintenance request that was refused; the message says why and what to do."""


@dataclass(frozen=True)
class LakeTable:
    """A Delta table of the lake: its layer (schema), model name and location."""

    layer: str
    name: str
    location: str

    def open(self, version: int | None = None) -> DeltaTable:
        return DeltaTable(
            self.location, version=version, storage_options=storage.storage_options(self.location)
        )


def find_table(lake_root: str, name: str) -> LakeTable:
    """The lake table called ``name`` (``silver_flights`` or ``silver.silver_flights``)."""
    layer, _, model = name.rpartition(".")
    matches = [
        LakeTable(found_layer, found_model, location)
        for found_layer, found_model, location in lake_catalog.delta_tables(lake_root)
        if found_model == model and layer in ("", found_layer)
    ]
    if not matches:
        raise MaintenanceError(f"no Delta table named {name!r} under {lake_root}")
    if len(matches) > 1:
        spelled = ", ".join(f"{table.layer}.{table.name}" for table in matches)
        raise MaintenanceError(f"{name!r} is ambiguous ({spelled}): name it as layer.model")
    return matches[0]


def history(table: LakeTable, limit: int | None = None) -> list[dict[str, Any]]:
    """One row per commit, newest first: version, time, operation, rows and files touched."""
    rows = []
    for commit in table.open().history(limit):
        metrics = commit.get("operationMetrics") or {
            # a partitioned full write (CREATE OR REPLACE TABLE) states its counts in commitInfo
            key: int(commit[key])
            for key in ("num_added_rows", "num_added_files")
            if key in commit
        }
        rows.append(
            {
                "version": commit["version"],
                "timestamp": datetime.fromtimestamp(commit["timestamp"] / 1000, UTC).isoformat(),
                "operation": commit.get("operation"),
                "parameters": commit.get("operationParameters") or {},
                "rows_added": _first(metrics, "num_added_rows", "num_target_rows_inserted"),
                "rows_updated": metrics.get("num_target_rows_updated"),
                "rows_deleted": metrics.get("num_target_rows_deleted"),
                "files_added": _first(metrics, "num_added_files", "num_target_files_added"),
                "files_removed": _first(metrics, "num_removed_files", "num_target_files_removed"),
            }
        )
    return rows


def _first(metrics: dict[str, Any], *keys: str) -> Any:
    return next((metrics[key] for key in keys if key in metrics), None)


def restore(table: LakeTable, version: int | None = None, at: str | None = None) -> dict[str, Any]:
    """Make an earlier version the current one, as a new commit (history is kept).

    Incremental models downstream pick the change up on their next build: silver reprocesses
    the bronze batches its restored watermark has not seen.
    """
    if (version is None) == (at is None):
        raise MaintenanceError("restore needs exactly one of a version or a timestamp")
    delta = table.open()
    current = delta.version()
    if version is not None and not 0 <= version < current:
        raise MaintenanceError(
            f"{table.layer}.{table.name} is at version {current}: "
            f"restore to a version in 0..{current - 1}"
        )
    target: int | datetime = version if version is not None else datetime.fromisoformat(str(at))
    return delta.restore(target)


def compact(table: LakeTable, target_size: int | None = None) -> dict[str, Any]:
    """Rewrite small files into fewer large ones (``dataChange=false``: no reader sees new rows)."""
    return table.open().optimize.compact(target_size=target_size)


def min_retention_hours() -> int:
    """The shortest VACUUM retention allowed: ``LAKEHOUSE_VACUUM_MIN_RETENTION_HOURS`` or a week."""
    configured = os.environ.get("LAKEHOUSE_VACUUM_MIN_RETENTION_HOURS")
    return DEFAULT_MIN_RETENTION_HOURS if configured is None else int(configured)


@dataclass(frozen=True)
class VacuumPlan:
    """What a VACUUM deletes, and which versions it keeps because a run recorded them."""

    files: list[str]
    kept_versions: dict[int, list[str]]
    dry_run: bool


def vacuum(
    table: LakeTable,
    retention_hours: int,
    dry_run: bool = True,
    pinned: dict[int, list[str]] | None = None,
) -> VacuumPlan:
    """Delete files no version younger than ``retention_hours`` needs, keeping pinned versions.

    Refuses a retention under :func:`min_retention_hours`: a query or a time-travel read that
    started inside that window may still open those files.
    """
    check_retention(table, retention_hours)
    pinned = pinned or {}
    files = table.open().vacuum(
        retention_hours=retention_hours,
        dry_run=dry_run,
        # our floor above is the guard; the table's own default (a week) would refuse a lower one
        enforce_retention_duration=False,
        keep_versions=sorted(pinned) or None,
    )
    return VacuumPlan(files=sorted(files), kept_versions=pinned, dry_run=dry_run)


def check_retention(table: LakeTable, retention_hours: int) -> None:
    """Raise unless ``retention_hours`` is at least :func:`min_retention_hours`."""
    floor = min_retention_hours()
    if retention_hours < floor:
        raise MaintenanceError(
            f"refusing to VACUUM {table.layer}.{table.name} with {retention_hours} h retention: "
            f"readers may still need files removed in the last {floor} h "
            "(LAKEHOUSE_VACUUM_MIN_RETENTION_HOURS sets the floor)"
        )


def pinned_versions(table: LakeTable) -> dict[int, list[str]]:
    """Versions of ``table`` that MLflow runs logged as their input: {version: [run ids]}.

    Reads the tracking store named by ``MLFLOW_TRACKING_URI``; without one nothing is pinned.
    """
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if not uri or (uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///") :]).exists()):
        return {}  # no store, no runs: do not create an empty one
    from mlflow.tracking import MlflowClient  # lazy: the other commands need no MLflow

    client = MlflowClient()
    wanted = storage.resolve(table.location)
    pins: dict[int, list[str]] = {}
    experiments = [experiment.experiment_id for experiment in client.search_experiments()]
    if not experiments:
        return pins
    for run in client.search_runs(experiments, max_results=10_000):
        params = run.data.params
        for key, value in params.items():
            is_input_path = key.startswith("input.") and key.endswith(".path")
            if is_input_path and storage.resolve(value) == wanted:
                version = params.get(key.removesuffix(".path") + ".delta_version")
                if version is not None:
                    pins.setdefault(int(version), []).append(run.info.run_id)
    return pins
