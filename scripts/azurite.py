"""Start or stop Azurite (the Azure Storage emulator) on 127.0.0.1 for local runs.

    python scripts/azurite.py start [--port 10000]   # prints the env vars to export
    python scripts/azurite.py stop

The server's PID, port and temporary data folder are kept in ``.azurite.json``; ``stop``
ends exactly that PID and removes the folder. Tests start their own emulator on a free
port (tests/python/azurite_fixtures.py), so they never depend on this one.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lakehouse import azurite  # noqa: E402

STATE = Path(__file__).resolve().parents[1] / ".azurite.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--port", type=int, default=azurite.DEFAULT_PORT)
    parser.add_argument("--state", type=Path, default=STATE, help="where the PID is kept")
    args = parser.parse_args(argv)

    if args.action == "start":
        if args.state.exists():
            parser.error(f"{args.state} exists: Azurite is running (or run `stop` first)")
        server = azurite.start(port=args.port)
        args.state.write_text(
            json.dumps({"pid": server.pid, "port": server.port, "location": str(server.location)})
        )
        print(f"Azurite (pid {server.pid}) serves blobs on {server.url}, data in {server.location}")
        for name, value in server.env().items():
            print(f"export {name}={value}")
        return 0

    if not args.state.exists():
        print(f"no {args.state}: Azurite was not started by this script")
        return 0
    state = json.loads(args.state.read_text())
    azurite.Azurite(state["pid"], state["port"], Path(state["location"])).stop()
    args.state.unlink()
    print(f"Azurite (pid {state['pid']}) stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
