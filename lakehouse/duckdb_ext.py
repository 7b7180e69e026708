"""DuckDB extensions from PyPI wheels, so nothing is downloaded at run time.

The extension host is unreachable from our machines, so ``INSTALL delta`` fails. The
``duckdb-extension-NAME`` wheels each carry one ``NAME.duckdb_extension`` binary built for
the pinned DuckDB release; loading it by path works offline.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import duckdb

#: Extensions the lake needs: ``delta`` reads Delta tables, ``azure`` reaches ADLS/Azurite.
LAKE_EXTENSIONS: tuple[str, ...] = ("delta", "azure")


def extension_path(name: str) -> Path:
    """Return the binary of extension ``name`` shipped by its ``duckdb-extension-*`` wheel."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"DuckDB extension '{name}' is not installed: add duckdb-extension-{name}=="
            f"{duckdb.__version__} to requirements.lock"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    version_dir = folder / "extensions" / f"v{duckdb.__version__}"
    binary = version_dir / f"{name}.duckdb_extension"
    if not binary.exists():
        found = sorted(p.name for p in (folder / "extensions").glob("v*"))
        raise RuntimeError(
            f"duckdb-extension-{name} ships builds for {found}, not DuckDB {duckdb.__version__}"
        )
    return binary


def load_extensions(
    con: duckdb.DuckDBPyConnection, names: tuple[str, ...] = LAKE_EXTENSIONS
) -> None:
    """Load each extension into ``con`` by path (idempotent)."""
    loaded = {
        row[0]
        for row in con.execute(
            "select extension_name from duckdb_extensions() where loaded"
        ).fetchall()
    }
    for name in names:
        if name not in loaded:
            con.execute(f"LOAD '{extension_path(name)}'")


def install_extensions(directory: Path, names: tuple[str, ...] = LAKE_EXTENSIONS) -> None:
    """Install the wheel binaries into ``directory`` so plain ``LOAD delta`` works there too.

    Useful for people who open the lake in their own DuckDB session with
    ``SET extension_directory='<directory>'``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"extension_directory": str(directory)})
    try:
        for name in names:
            con.execute(f"FORCE INSTALL '{extension_path(name)}'")
    finally:
        con.close()


def connect(database: str = ":memory:", read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open DuckDB with the lake's extensions loaded and UTC as the session time zone.

    When the lake or landing zone is on Azure (or an Azure credential is configured), the
    connection also gets the Azure secret, so ``delta_scan('az://...')`` just works.
    """
    from lakehouse import storage  # storage imports nothing from here; keep the import local

    con = duckdb.connect(database, read_only=read_only)
    load_extensions(con)
    con.execute("SET TimeZone = 'UTC'")
    storage.configure_duckdb(
        con,
        os.environ.get("LAKEHOUSE_LAKE_ROOT", ""),
        os.environ.get("LAKEHOUSE_LANDING_ROOT", ""),
    )
    return con


if __name__ == "__main__":
    # `python -m lakehouse.duckdb_ext [DIR]`: install into DIR (default .duckdb/extensions)
    # and prove the extensions load offline.
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".duckdb/extensions")
    install_extensions(target)
    check = duckdb.connect(config={"extension_directory": str(target)})
    for ext in LAKE_EXTENSIONS:
        check.execute(f"LOAD {ext}")
    print(f"DuckDB {duckdb.__version__}: {', '.join(LAKE_EXTENSIONS)} installed in {target}")
