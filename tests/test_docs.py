"""The README and docs/ stay true: every `autotune …` line in their code blocks is a command
that exists and parses, every page is linked, and every install hint names our distribution."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from autotune.cli import app

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
GROUP = typer.main.get_command(app)


def code_block_commands(page: Path) -> list[str]:
    """``autotune …`` lines inside fenced code blocks (continuations joined, comments cut)."""
    commands, inside, pending = [], False, ""
    for line in page.read_text().splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
            continue
        if not inside:
            continue
        line = pending + line.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        line = re.sub(r"\s+#.*$", "", line)
        if re.match(r"^(\w+=\S+\s+)*autotune\s", line):
            commands.append(line)
    return commands


COMMANDS = [(page.name, line) for page in PAGES for line in code_block_commands(page)]


def test_the_pages_show_commands() -> None:
    readme = [line for page, line in COMMANDS if page == "README.md"]
    assert len(readme) >= 6 and any("--format ovms" in line for line in readme)


@pytest.mark.parametrize(("page", "line"), COMMANDS)
def test_every_documented_command_parses(page: str, line: str) -> None:
    tokens = shlex.split(line)
    while "=" in tokens[0]:  # VAR=value autotune …
        tokens.pop(0)
    name, args = tokens[1], tokens[2:]
    command = GROUP.commands.get(name)  # type: ignore[attr-defined]
    assert command is not None, f"{page}: no command {name!r} in {line!r}"
    with command.make_context(name, list(args)) as ctx:  # parses, checks choices; runs nothing
        assert not ctx.args and not getattr(ctx, "protected_args", [])  # nothing left over
        options = {opt: p for p in command.params for opt in (*p.opts, *p.secondary_opts)}
        tokens = iter(args)
        for token in tokens:
            if not token.startswith("-"):
                continue
            option, _, inline = token.partition("=")
            param = options[option]
            # the documented option reaches its parameter, with the documented value
            assert ctx.get_parameter_source(param.name).name == "COMMANDLINE", (line, option)
            value = ctx.params[param.name]
            if getattr(param, "is_flag", False):
                assert value is True or option in param.secondary_opts, (line, option)
                continue
            text = inline or next(tokens)
            got = value[-1] if isinstance(value, (list, tuple)) else value
            got = getattr(got, "value", got)  # a choice
            assert (got == float(text)) if isinstance(got, float) else str(got) == text, (
                line,
                option,
                value,
            )
    assert CliRunner().invoke(app, [name, "--help"]).exit_code == 0


def test_the_front_page_is_short_and_links_every_page() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 125
    assert readme.startswith("# autotune\n\n```\nmake demo") and "make test" in readme[:200]
    linked = set(re.findall(r"\(docs/([\w-]+\.md)\)", readme))
    assert linked == {p.name for p in (ROOT / "docs").glob("*.md")}
    for page in PAGES:
        for target in re.findall(r"\]\(([\w-]+\.md)\)", page.read_text()):
            assert (ROOT / "docs" / target).is_file(), f"{page.name} links {target}"


def test_install_hints_name_our_distribution() -> None:
    sources = [*PAGES, *sorted((ROOT / "autotune").rglob("*.py"))]
    for path in sources:
        text = path.read_text()
        wrong = re.findall(r"(?<![-\w])autotune\[\w+\]", text)
        assert not wrong, f"{path.relative_to(ROOT)}: {wrong} installs PyPI's unrelated 'autotune'"
