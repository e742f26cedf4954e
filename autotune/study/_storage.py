"""Study storage: SQLite by default, PostgreSQL/MySQL for many workers, a journal file on a
shared filesystem. URLs are checked before anything is written."""

from __future__ import annotations

import os
import sqlite3
import time
import warnings
from pathlib import Path

import optuna
from optuna.exceptions import ExperimentalWarning
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from autotune.core import StudyError
from autotune.study._location import default_storage

# We use Optuna's heartbeat, grouped TPE and metric names knowingly; their "experimental"
# warnings would only clutter the terminal, and Optuna's INFO log duplicates our progress.
warnings.filterwarnings("ignore", category=ExperimentalWarning)
optuna.logging.set_verbosity(optuna.logging.WARNING)
# A worker that stops beating for GRACE_PERIOD_S is presumed dead; its RUNNING trial is failed
# by the next worker that starts (Optuna's stale-trial handling).
HEARTBEAT_INTERVAL_S = 10
GRACE_PERIOD_S = 60
_FIX = "use e.g. sqlite:///studies/autotune.db, postgresql://user:pass@host/db or journal:///path/study.log"


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite:///`` URL (None for other backends or in-memory)."""
    if not url.startswith("sqlite:"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def journal_path(url: str) -> Path:
    """``journal:///abs/study.log`` → /abs/study.log; ``journal:rel.log`` → rel.log."""
    rest = url[len("journal:") :]
    return Path(rest[2:] if rest.startswith("//") else rest)


def check_storage_url(url: str) -> None:
    """Reject malformed or unusable URLs without creating or touching anything."""
    if url.startswith("journal:"):
        path = journal_path(url)
        if not path.parent.exists():
            raise StudyError(f"journal folder '{path.parent}' does not exist", "create it first")
        return
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StudyError(f"storage URL {url!r} is not a valid database URL", _FIX) from None
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql", "mysql"}:
        raise StudyError(f"storage backend {backend!r} is not supported", _FIX)
    sqlite_file = sqlite_path(url)
    if sqlite_file is None:
        return
    path = sqlite_file
    if path.is_dir():
        raise StudyError(f"storage file '{path}' is a folder", "point --storage at a .db file")
    if path.exists():
        try:
            with path.open("rb") as f:
                header = f.read(16)
        except OSError as exc:
            raise StudyError(
                f"storage file '{path}' cannot be read ({exc.strerror})", _FIX
            ) from None
        if header and header != b"SQLite format 3\x00":
            raise StudyError(
                f"storage file '{path}' is not an SQLite database",
                "point --storage at an autotune/Optuna .db file or a new path",
            )
        try:
            sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute(
                "select name from sqlite_master limit 1"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StudyError(f"storage file '{path}' is unreadable ({exc})", _FIX) from None
    else:
        parent = path.parent if str(path.parent) else Path(".")
        probe = parent
        while not probe.exists():
            probe = probe.parent
        if not _writable(probe):
            raise StudyError(f"cannot create storage '{path}': '{probe}' is not writable", _FIX)


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


# Workers started together on an empty database race to create Optuna's tables (one gets a
# "duplicate key" error); a short retry lets the loser find the tables the winner made.
CREATE_ATTEMPTS = 4


def _create_rdb(
    url: str, engine_kwargs: dict[str, object], kwargs: dict[str, object]
) -> optuna.storages.RDBStorage:
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs, **kwargs)  # type: ignore[arg-type]
        except ImportError:
            raise
        except Exception:
            if attempt == CREATE_ATTEMPTS:
                raise
            time.sleep(0.3 * attempt)
    raise AssertionError("unreachable")


def _holds_optuna_tables(path: Path) -> bool:
    """Whether an SQLite file is an Optuna database (read without writing a byte)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            names = {row[0] for row in db.execute("select name from sqlite_master")}
    except sqlite3.DatabaseError:
        return False
    return {"studies", "version_info"} <= names


def open_storage(
    url: str, *, heartbeat: bool = True, must_exist: bool = False, read_only: bool = False
) -> optuna.storages.BaseStorage:
    """Open the storage behind ``url``. Searches create it; ``must_exist`` refuses a missing
    one (a typo must not leave an empty database behind); ``read_only`` (reading commands)
    also refuses a database that is not an Optuna study store and never creates tables in it."""
    check_storage_url(url)
    must_exist = must_exist or read_only
    if must_exist:
        file = journal_path(url) if url.startswith("journal:") else sqlite_path(url)
        if file is not None and not file.exists():
            raise StudyError(
                f"storage '{file}' does not exist",
                f"check --storage (searches write to {default_storage()} by default)",
            )
        if read_only and file is not None and url.startswith("sqlite:"):
            if not _holds_optuna_tables(file):
                raise StudyError(
                    f"storage '{file}' holds no autotune studies (it is not an Optuna database)",
                    "point --storage at the database your searches wrote; nothing was changed",
                )
    if url.startswith("journal:"):
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(str(journal_path(url))))
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, object] = {"skip_table_creation": read_only}
    if heartbeat:
        kwargs.update(heartbeat_interval=HEARTBEAT_INTERVAL_S, grace_period=GRACE_PERIOD_S)
    engine_kwargs: dict[str, object] = {}
    if url.startswith("sqlite:"):
        # Several processes may share one SQLite file (a worker and `autotune report`).
        engine_kwargs = {"connect_args": {"timeout": 30}}
    try:
        storage = _create_rdb(url, engine_kwargs, kwargs)
        if read_only:
            storage.get_all_studies()  # a database without Optuna's tables fails here
        return storage
    except ImportError as exc:
        raise StudyError(
            f"the driver for {url.split(':', 1)[0]} is not installed ({exc})",
            "pip install 'openvino-autotune[postgres]' (psycopg 3) for PostgreSQL, or "
            "pip install -e '.[postgres]' in a checkout",
        ) from None
    except Exception as exc:
        if read_only:
            raise StudyError(
                f"storage {url!r} holds no autotune studies (no Optuna tables)",
                "point --storage at the database your searches wrote; nothing was changed",
            ) from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StudyError(f"cannot open storage {url!r}: {first[:200]}", _FIX) from None
