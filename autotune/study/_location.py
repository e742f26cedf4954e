"""Where studies live by default: the storage URL and each study's output folder.

Both follow ``AUTOTUNE_HOME`` (default ``./studies``); ``AUTOTUNE_STORAGE`` overrides the
storage URL alone (a shared PostgreSQL server, say).
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "AUTOTUNE_HOME"
STORAGE_ENV = "AUTOTUNE_STORAGE"


def studies_home() -> Path:
    """The folder that holds the default storage and the studies' output folders."""
    return Path(os.environ.get(HOME_ENV) or "studies")


def default_storage() -> str:
    """``$AUTOTUNE_STORAGE``, else ``sqlite:///$AUTOTUNE_HOME/autotune.db``."""
    return os.environ.get(STORAGE_ENV) or f"sqlite:///{studies_home() / 'autotune.db'}"


def default_out_dir(study: str) -> Path:
    return studies_home() / study


def absolute_storage(url: str) -> str:
    """The same storage with a file path made absolute (what a config file should record, so
    it still points at its study from another folder)."""
    for scheme in ("sqlite:///", "journal:///"):
        if url.startswith(scheme):
            path = url[len(scheme) :]
            if path and path != ":memory:" and not path.startswith("/"):
                return f"{scheme}{Path(path).resolve()}"
    return url
