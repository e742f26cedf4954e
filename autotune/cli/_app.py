"""The Typer application, its consoles, and the guard every command body runs under."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import typer
from rich.console import Console
from typer.core import TyperGroup

from autotune.core import AutotuneError, ExitCode

# No Rich markup: printed text carries user data (paths, shapes like images[1,3,224,224]).
# No wrapping by Rich either: paths and commands must stay copyable (tables still fit the width).
console = Console(stderr=True, markup=False, soft_wrap=True)
out = Console(markup=False, soft_wrap=True)
T = TypeVar("T")


COMMAND_ORDER = (
    "search", "demo", "export", "validate", "profile", "report", "studies", "compare", "dashboard",
)  # fmt: skip


class OneLineUsageErrors(TyperGroup):
    """The command group, with Typer's usage errors (unknown option, bad choice, missing
    argument) printed as one line like every other error: ``error: <problem> — see <command>
    --help``, exit 2."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(
                argv or ["--help"], prog_name, complete_var, False, windows_expand_args, **extra
            )
        except typer.Abort:
            console.print("\ninterrupted")
            code = int(ExitCode.INTERRUPTED)
        except typer.TyperException as exc:  # Typer's UsageError and its kind
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if ctx is not None else "autotune"
            text = " ".join(exc.format_message().split())
            console.print(f"error: {text} — see {where} --help", highlight=False)
            code = int(ExitCode.BAD_INPUT)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)

    def list_commands(self, ctx: Any) -> list[str]:
        """In the order a user meets them, not the order the modules register them."""
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: COMMAND_ORDER.index(n) if n in COMMAND_ORDER else 99)


app = typer.Typer(
    cls=OneLineUsageErrors,
    help="Find the fastest OpenVINO runtime configuration for a model on this machine, "
    "under a latency limit.",
    no_args_is_help=False,  # OneLineUsageErrors shows the help for a bare `autotune`
    pretty_exceptions_enable=False,
)


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


def _version(value: bool) -> None:
    if value:
        import autotune

        out.print(f"autotune {autotune.__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Find the fastest OpenVINO runtime configuration for a model on this machine, under a
    latency limit."""
