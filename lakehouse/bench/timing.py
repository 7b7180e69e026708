"""Wall time and peak memory of one command, measured for that command alone.

``resource.getrusage(RUSAGE_CHILDREN)`` only reports the largest child ever waited for, so a
benchmark with several steps cannot tell which step used the memory. Instead the command's
process tree is polled with psutil while it runs: the peak of the tree's summed resident set
(dbt plus any helper processes it starts) and the peak of its largest single process.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

POLL_SECONDS = 0.05
SAMPLE_SECONDS = 0.5
MIB = 1024 * 1024


@dataclass(frozen=True)
class Measured:
    """Outcome of one command: seconds, peak RSS (MiB), exit code and the output's tail."""

    seconds: float
    peak_rss_mib: float
    peak_process_rss_mib: float
    returncode: int
    output_tail: str
    #: (unix time, tree RSS bytes): the peak of each SAMPLE_SECONDS, to tell which part of a
    #: long command (which dbt model) used the memory
    samples: tuple[tuple[float, int], ...] = ()


class CommandFailed(RuntimeError):
    """A measured command exited non-zero; the message carries its last lines of output."""


def _tree_rss(root: psutil.Process) -> tuple[int, int]:
    """(sum, max) resident bytes of ``root`` and its descendants; vanished ones count 0."""
    total = largest = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for process in processes:
        try:
            rss = process.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def measure(
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    check: bool = True,
    tail_lines: int = 40,
) -> Measured:
    """Run ``command`` to completion, polling its process tree's memory every 50 ms.

    ``samples`` keeps the peak of every half second (with its start time).

    Output goes to a temporary file (not a pipe, which could fill and stall the command);
    with ``check`` a non-zero exit raises ``CommandFailed`` with the output's tail.
    """
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        watched = psutil.Process(process.pid)
        peak_total = peak_single = 0
        samples: list[tuple[float, int]] = []
        while process.poll() is None:
            total, single = _tree_rss(watched)
            peak_total, peak_single = max(peak_total, total), max(peak_single, single)
            now = time.time()
            if samples and now - samples[-1][0] < SAMPLE_SECONDS:
                samples[-1] = (samples[-1][0], max(samples[-1][1], total))
            else:
                samples.append((now, total))
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - start
        log.seek(0)
        tail = "\n".join(log.read().splitlines()[-tail_lines:])
    result = Measured(
        seconds=seconds,
        peak_rss_mib=peak_total / MIB,
        peak_process_rss_mib=peak_single / MIB,
        returncode=process.returncode,
        output_tail=tail,
        samples=tuple(samples),
    )
    if check and process.returncode != 0:
        raise CommandFailed(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
    return result


def peak_between(samples: Sequence[tuple[float, int]], start: float, end: float) -> float | None:
    """Peak RSS (MiB) of the samples whose half second overlaps ``start``..``end`` (unix
    times); None when no sample does."""
    during = [rss for at, rss in samples if start - SAMPLE_SECONDS <= at <= end]
    return max(during) / MIB if during else None
