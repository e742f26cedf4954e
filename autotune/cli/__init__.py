"""The ``autotune`` command: a thin shell over the library. Each command parses its options,
makes one library call, and renders the result (:mod:`._console` draws progress and
summaries)."""

from autotune.cli import _demo, _deploy, _search, _studies  # noqa: F401  (register the commands)
from autotune.cli._app import app


def main() -> None:
    """Console-script entry point (errors, usage errors included, are one line: see _app)."""
    app(prog_name="autotune")


__all__ = ["app", "main"]
