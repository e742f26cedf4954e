"""A throwaway PostgreSQL server on loopback for the multi-worker tests (started by the test
itself; .ci/run installs the Debian package when it is missing)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield the URL of a fresh database on a private server; stop and delete it afterwards."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError(
            "PostgreSQL server binaries not found: apt-get install postgresql (as .ci/run does)"
        )
    base = Path(tempfile.mkdtemp(prefix="autotune-pg-"))
    as_root = os.geteuid() == 0
    run_as: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:  # initdb refuses to run as root
        base.chmod(0o755)
        shutil.chown(base, "postgres", "postgres")
    data, log, port = base / "data", base / "server.log", _free_port()
    subprocess.run(
        [*run_as, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {base} -h 127.0.0.1 -F"
    subprocess.run(
        [*run_as, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    try:
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-c",
                "create database autotune",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/autotune"
    finally:
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)
