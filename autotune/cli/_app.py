"""The Typer application, its consoles, and the guard every command body runs under."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console

from autotune.core import AutotuneError, ExitCode

app = typer.Typer(
    help="Find the fastest OpenVINO runtime configuration for a model on this machine, "
    "under a latency limit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# No Rich markup: printed text carries user data (paths, shapes like images[1,3,224,224]).
# No wrapping by Rich either: paths and commands must stay copyable (tables still fit the width).
console = Console(stderr=True, markup=False, soft_wrap=True)
out = Console(markup=False, soft_wrap=True)
T = TypeVar("T")


def guard(fn: Callable[[], T]) -> T:
    """Run a command body: user errors → one line and their exit code, never a traceback."""
    from autotune.tuning import SearchInterrupted

    try:
        return fn()
    except AutotuneError as exc:
        console.print(f"error: {exc.one_line()}", highlight=False)
        raise typer.Exit(int(exc.exit_code)) from None
    except SearchInterrupted as exc:
        console.print(
            f"\ninterrupted: study '{exc.study_name}' is intact; completed trials are kept. "
            f"Resume with the same command (or --study {exc.study_name} --storage {exc.storage}).",
            highlight=False,
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except KeyboardInterrupt:
        console.print("\ninterrupted")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except typer.Exit:
        raise
    except Exception as exc:
        if os.environ.get("AUTOTUNE_DEBUG"):
            raise
        console.print(
            f"internal error: {type(exc).__name__}: {exc} "
            "(set AUTOTUNE_DEBUG=1 for the traceback and report it)",
            highlight=False,
        )
        raise typer.Exit(int(ExitCode.INTERNAL)) from None
