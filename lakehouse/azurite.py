"""Start and stop Azurite, the Azure Storage emulator, for tests and local runs.

Azurite is the pinned npm dependency in ``package.json`` (``make setup`` runs ``npm ci``). It
is started directly from ``node_modules/.bin/azurite-blob`` (not through ``npx``) so the PID we
keep is the server's own, bound to 127.0.0.1 only, with its data in a temporary folder that
is removed when it stops.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from lakehouse import azure

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
DEFAULT_PORT = 10000


class AzuriteError(RuntimeError):
    """Azurite is not installed or did not come up."""


@dataclass
class Azurite:
    """A running Azurite blob service: its PID, port and data folder."""

    pid: int
    port: int
    location: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point the lake's clients at this emulator."""
        return {"LAKEHOUSE_AZURE_EMULATOR": "1", azure.AZURITE_URL_ENV: self.url}

    def stop(self, timeout: float = 10.0) -> None:
        """Stop this server by its PID and remove its data folder."""
        stop_pid(self.pid, timeout)
        shutil.rmtree(self.location, ignore_errors=True)


def executable(repo: Path = REPO) -> Path:
    binary = repo / "node_modules" / ".bin" / "azurite-blob"
    if not binary.exists():
        raise AzuriteError(f"{binary} is missing: run `make setup` (npm ci installs Azurite)")
    return binary


def free_port() -> int:
    """A port nobody listens on right now, so parallel runs do not share an emulator."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(port: int | None = None, location: Path | None = None, timeout: float = 30.0) -> Azurite:
    """Start ``azurite-blob`` on 127.0.0.1 and wait until it answers HTTP."""
    port = port or free_port()
    location = location or Path(tempfile.mkdtemp(prefix="azurite-"))
    log = (location / "azurite.log").open("w")
    process = subprocess.Popen(
        [
            str(executable()),
            "--blobHost",
            HOST,
            "--blobPort",
            str(port),
            "--location",
            str(location),
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    server = Azurite(pid=process.pid, port=port, location=location)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = (location / "azurite.log").read_text()[-2000:]
            shutil.rmtree(location, ignore_errors=True)
            raise AzuriteError(f"Azurite exited with {process.returncode}:\n{output}")
        if _answers(server.url):
            return server
        time.sleep(0.2)
    server.stop()
    raise AzuriteError(f"Azurite did not answer on {server.url} within {timeout:.0f}s")


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/{azure.AZURITE_ACCOUNT}?comp=list", timeout=1)
    except urllib.error.HTTPError:
        return True  # any HTTP answer (403 for an unsigned request) means it is serving
    except OSError:
        return False
    return True


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM the process, then SIGKILL if it has not gone within ``timeout``."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: poll for existence instead
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            finished = 0
        if finished:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
