"""Where studies live by default: the storage URL and the folder of each study's artifacts."""

from __future__ import annotations

DEFAULT_STORAGE = "sqlite:///studies/autotune.db"
