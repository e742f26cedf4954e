"""One measurement at a time per machine: two workers measuring at once would disturb each
other's numbers, so measurement holds an exclusive file lock (other workers wait)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_ENV = "AUTOTUNE_LOCK_FILE"


def lock_path() -> Path:
    return Path(os.environ.get(LOCK_ENV) or Path(tempfile.gettempdir()) / "autotune-measure.lock")


@contextlib.contextmanager
def machine_lock(on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the per-machine measurement lock; call ``on_wait`` once if someone else holds it."""
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
