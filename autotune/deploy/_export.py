"""Export what a study ships in one of the :data:`FORMATS`: where it goes by default, whether
it is a file or a folder, the INT8 model copied beside it. The CLI only prints what this
returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import optuna

from autotune.core import BadInputError, write_atomic
from autotune.deploy._document import build_best_config, with_model_beside
from autotune.deploy._formats import FORMATS
from autotune.study import study_out_dir


@dataclass(frozen=True)
class Exported:
    """What an export produced: the file or folder it wrote (``path``), or, with nothing
    written, the rendered ``content`` (for stdout); the ``command`` that uses it (benchmark_app's,
    or the ``docker run`` that serves an OVMS repository; "" otherwise) and notes for the user."""

    format: str
    path: Path | None
    content: str = ""
    command: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def export(
    study: optuna.Study,
    format: str,
    target: str | Path | None = None,
    *,
    storage: str,
    folder: bool | None = None,
    trial: int | None = None,
    max_latency_ms: float | None = None,
) -> Exported:
    """Export the configuration ``study`` ships (or trial ``trial``'s; or the winner re-judged
    under ``max_latency_ms``) as ``format`` into ``target``: a file for json, benchmark_app and
    python, a folder for ovms. Without ``target``, benchmark_app and ovms go into the study
    folder, json and python are returned as ``content``. ``folder`` says what the caller named
    (``-o`` a file, ``--out-dir`` a folder), checked against the format; ``storage`` is the
    study's storage URL, recorded in the document."""
    form = FORMATS.get(format)
    if form is None:
        raise BadInputError(f"--format {format!r} is unknown", f"use one of: {', '.join(FORMATS)}")
    if folder is not None and folder != form.folder:
        raise BadInputError(
            f"--format {format} writes a {'folder' if form.folder else 'file'}",
            "use --out-dir DIR" if form.folder else "use -o FILE",
        )
    if max_latency_ms is not None and not max_latency_ms > 0:
        raise BadInputError("--max-latency must be positive", "e.g. --max-latency 20ms")
    doc = build_best_config(study, storage, trial=trial, max_latency_ms=max_latency_ms)
    default = study_out_dir(study) / form.default_target if form.default_target else None
    chosen = Path(target) if target is not None else default
    if form.write is not None:
        assert chosen is not None  # a folder format has a default folder
        made = form.write(doc, chosen)
        return Exported(format, chosen, "", made.command, made.notes)
    assert form.render is not None
    if chosen is not None and form.carries_model:
        doc = with_model_beside(doc, chosen.parent)
    made = form.render(doc, str(chosen) if chosen else "deploy.py")
    if chosen is None:
        return Exported(format, None, made.content, made.command, made.notes)
    write_atomic(chosen, made.content)
    return Exported(format, chosen, "", made.command, made.notes)
