"""One measurement at a time per machine: two workers measuring at once would disturb each
other's numbers, so measurement holds an exclusive file lock (other workers wait).

The lock is fcntl's (POSIX), imported when a measurement starts: autotune is Linux-only (the
memory and steal probes read /proc too), and says so there rather than failing on import."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from autotune.core import BadInputError

LOCK_ENV = "AUTOTUNE_LOCK_FILE"


def lock_path() -> Path:
    return Path(os.environ.get(LOCK_ENV) or Path(tempfile.gettempdir()) / "autotune-measure.lock")


@contextlib.contextmanager
def machine_lock(on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the per-machine measurement lock; call ``on_wait`` once if someone else holds it."""
    try:
        import fcntl
    except ImportError:
        raise BadInputError(
            f"autotune measures on Linux only (no fcntl on {sys.platform})",
            "run the search on the Linux machine you deploy to",
        ) from None
    path = lock_path()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            if on_wait:
                on_wait(
                    f"waiting: another autotune worker ({holder}) is measuring on this machine"
                )
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
