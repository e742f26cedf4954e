"""What an export format produces: the file's content, the command that uses it, notes."""

from __future__ import annotations

from typing import NamedTuple


class Rendered(NamedTuple):
    content: str  # the file (empty for a folder format, which writes its own files)
    command: str = ""  # the command that runs or serves it ("" when there is none)
    notes: tuple[str, ...] = ()  # what the user should know (e.g. why there is no command)
