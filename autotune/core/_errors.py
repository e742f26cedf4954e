"""Errors a user can act on, each carrying the fix and the exit code the CLI returns.

The CLI prints ``error: <problem> — <fix>`` on one line and exits with ``exit_code``; nothing in
the library prints tracebacks for these.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in docs/exit-codes.md."""

    OK = 0
    INTERNAL = 1
    BAD_INPUT = 2
    NO_FEASIBLE_CONFIG = 3
    VALIDATION_FAILED = 4
    INTERRUPTED = 130


class AutotuneError(Exception):
    """A problem the user can fix: what went wrong and what to do about it."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix

    def one_line(self) -> str:
        """The message as the CLI prints it: a single line, problem then fix."""
        text = self.problem if not self.fix else f"{self.problem} — {self.fix}"
        return " ".join(text.split())


class BadInputError(AutotuneError):
    """Invalid command-line value, model, storage, or config file."""


class ModelError(BadInputError):
    """The model file is missing, unreadable, or its shapes cannot be fixed."""


class DeviceError(BadInputError):
    """The requested device does not exist here or rejects the configuration."""


class StudyError(BadInputError):
    """The study cannot be created, loaded or joined as asked."""


class ConfigFileError(BadInputError):
    """A best_config.json that is missing, malformed or inconsistent."""


class TrialsFailedError(AutotuneError):
    """Every trial failed: the model cannot be benchmarked on the device as asked."""

    exit_code = ExitCode.INTERNAL


class NoFeasibleConfigError(AutotuneError):
    """No measured configuration meets the latency (or other) limit."""

    exit_code = ExitCode.NO_FEASIBLE_CONFIG


class ValidationFailedError(AutotuneError):
    """A re-measured config no longer meets its limit or no longer beats the hints."""

    exit_code = ExitCode.VALIDATION_FAILED
