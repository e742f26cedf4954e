"""Parsing of the human units the CLI accepts: durations, memory sizes and input shapes."""

from __future__ import annotations

import math
import re

from autotune.core._errors import BadInputError

_DURATION_UNITS = {
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
}
_NUMBER_AND_UNIT = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Zµ]*)\s*$")


def parse_duration(text: str, *, option: str) -> float:
    """Parse ``20ms``, ``0.02s``, ``500us``, ``10m`` (units in any case) into seconds.

    A unit is required: a bare ``20`` could mean milliseconds as much as seconds. Zero and
    negative values are rejected: every duration we take is a limit or a budget."""
    example = f"e.g. {option} 20ms"
    if text.strip().startswith("-"):
        raise BadInputError(f"{option} must be positive, got {text!r}", example)
    match = _NUMBER_AND_UNIT.match(text)
    if match and not match.group(2):
        raise BadInputError(
            f"{option} {text!r} has no unit",
            f"add a unit: {match.group(1)}ms (or us, s, m, h)",
        )
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _DURATION_UNITS:
        raise BadInputError(
            f"{option} {text!r} is not a duration",
            f"write a number with a unit (us, ms, s, m, h), {example}",
        )
    value = float(match.group(1)) * _DURATION_UNITS[unit]
    if not math.isfinite(value) or value <= 0:
        raise BadInputError(f"{option} must be positive, got {text!r}", example)
    return value


# Decimal and binary sizes; a bare letter is the decimal size (1.5G = 1.5 GB).
_MEMORY_UNITS = {
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


def parse_memory(text: str, *, option: str) -> int:
    """Parse ``1.5GB``, ``1.5G``, ``800MiB``, ``2000000`` (bytes), units in any case."""
    match = _NUMBER_AND_UNIT.match(text)
    unit = (match.group(2).lower() or "b") if match else ""
    if not match or unit not in _MEMORY_UNITS:
        raise BadInputError(
            f"{option} {text!r} is not a memory size",
            f"write a number with a unit (M, G, MB, GB, MiB, GiB), e.g. {option} 1.5GB",
        )
    value = float(match.group(1)) * _MEMORY_UNITS[unit]
    if value <= 0:
        raise BadInputError(f"{option} must be positive, got {text!r}", f"e.g. {option} 1.5GB")
    return int(value)


_RATE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(/s|rps|req/s)?\s*$", re.I)


def parse_rate(text: str, *, option: str) -> float:
    """Parse a request rate: ``150``, ``150/s``, ``150rps`` or ``150req/s`` (requests/s)."""
    match = _RATE.match(text)
    value = float(match.group(1)) if match else math.nan
    if not match or not math.isfinite(value) or value <= 0:
        raise BadInputError(
            f"{option} {text!r} is not a positive request rate",
            f"give requests per second, e.g. {option} 150",
        )
    return value


def format_duration(seconds: float) -> str:
    """Compact duration for names and messages: 0.02 → ``20ms``, 0.0005 → ``500us``."""
    if seconds >= 1 and float(seconds).is_integer():
        return f"{int(seconds)}s"
    if seconds >= 1e-3:
        ms = seconds * 1e3
        return f"{ms:g}ms"
    return f"{seconds * 1e6:g}us"


_SHAPE_ITEM_RE = re.compile(r"([^\[\],]*)\[([^\]]*)\]")


def parse_shape(text: str) -> dict[str, list[int]] | list[int]:
    """Parse the benchmark_app ``-shape`` syntax.

    ``images[1,3,320,320]`` or ``a[1,3],b[1,5]`` → a dict by input name;
    ``[1,3,320,320]`` → a list for a model with a single input. Dimensions must be static
    positive integers: autotune benchmarks one concrete shape.
    """
    text = text.strip()
    items = _SHAPE_ITEM_RE.findall(text)
    rebuilt = ",".join(f"{name}[{dims}]" for name, dims in items)
    if not items or rebuilt.replace(" ", "") != text.replace(" ", ""):
        raise BadInputError(
            f"--shape {text!r} is not in benchmark_app syntax",
            'write input_name[d0,d1,...], e.g. --shape "images[1,3,320,320]"',
        )
    parsed: dict[str, list[int]] = {}
    for name, dims_text in items:
        dims: list[int] = []
        for token in dims_text.split(","):
            token = token.strip()
            if not token.isdigit() or int(token) <= 0:
                raise BadInputError(
                    f"--shape {text!r}: dimension {token!r} is not a positive integer",
                    "give every dimension as a fixed number, e.g. images[1,3,320,320]",
                )
            dims.append(int(token))
        parsed[name.strip()] = dims
    if list(parsed) == [""]:
        return parsed[""]
    if "" in parsed:
        raise BadInputError(
            f"--shape {text!r} mixes named and unnamed inputs",
            "name every input, e.g. a[1,3],b[1,5]",
        )
    return parsed


def format_shape(shape: dict[str, list[int]]) -> str:
    """The benchmark_app ``-shape`` string for a per-input shape dict."""
    return ",".join(f"{name}[{','.join(str(d) for d in dims)}]" for name, dims in shape.items())
