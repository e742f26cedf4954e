"""Options several commands share, and the parsing of the values users type."""

from __future__ import annotations

from typing import Annotated

import typer

from autotune.core import BadInputError, parse_duration

StudyOpt = Annotated[
    str | None,
    typer.Option("--study", help="Study name (default: the most recent study in the storage)."),
]
StorageOpt = Annotated[
    str | None,
    typer.Option(
        "--storage",
        help="Optuna storage URL: sqlite:///file.db, postgresql://user@host/db or "
        "journal:///path.log (default: $AUTOTUNE_STORAGE, else studies/autotune.db).",
        rich_help_panel="Study, storage and output",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


def duration(text: str | None, option: str) -> float | None:
    return parse_duration(text, option=option) if text is not None else None


def fraction(text: str, option: str, example: str) -> float | None:
    """An accuracy-guard threshold: a non-negative number, or off."""
    if text.strip().lower() in ("off", "none", "no"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadInputError(
            f"{option} {text!r} is not a number", f"e.g. {option} {example}, or off"
        ) from None
    if not value >= 0:
        raise BadInputError(f"{option} must not be negative", f"e.g. {option} {example}, or off")
    return value
