import pytest

from autotune.core import (
    BadInputError,
    format_duration,
    format_shape,
    parse_duration,
    parse_memory,
    parse_shape,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("20ms", 0.02),
        ("0.02s", 0.02),
        ("500us", 0.0005),
        ("10m", 600),
        ("20MS", 0.02),
        ("500US", 0.0005),
        ("1.5 S", 1.5),
        ("1h", 3600),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text, option="--x") == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["abc", "20 parsecs", "", "ms", "0", "0ms", "-5ms", "1e999s"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(BadInputError) as info:
        parse_duration(text, option="--max-latency")
    assert "--max-latency" in info.value.one_line()
    assert "\n" not in info.value.one_line()


def test_a_duration_needs_a_unit() -> None:
    with pytest.raises(BadInputError) as info:
        parse_duration("20", option="--max-latency")
    assert info.value.one_line() == (
        "--max-latency '20' has no unit — add a unit: 20ms (or us, s, m, h)"
    )


def test_format_duration_round_trips_study_names() -> None:
    assert format_duration(0.02) == "20ms"
    assert format_duration(0.0005) == "500us"
    assert format_duration(2.0) == "2s"


def test_parse_memory() -> None:
    assert parse_memory("1.5GB", option="--max-memory") == 1_500_000_000
    assert parse_memory("800MiB", option="--max-memory") == 800 * 1024**2
    assert parse_memory("1.5G", option="--max-memory") == 1_500_000_000
    assert parse_memory("2gib", option="--max-memory") == 2 * 1024**3
    assert parse_memory("2000000", option="--max-memory") == 2_000_000  # bytes
    with pytest.raises(BadInputError):
        parse_memory("lots", option="--max-memory")


def test_parse_shape_named_and_unnamed() -> None:
    assert parse_shape("images[1,3,320,320]") == {"images": [1, 3, 320, 320]}
    assert parse_shape("a[1,3],b[1,5]") == {"a": [1, 3], "b": [1, 5]}
    assert parse_shape("[1,3,48,192]") == [1, 3, 48, 192]
    assert format_shape({"a": [1, 3], "b": [1, 5]}) == "a[1,3],b[1,5]"


@pytest.mark.parametrize(
    "text", ["images", "images[1,3,?,320]", "images[1,-1]", "x[1,0]", "a[1],[2]"]
)
def test_parse_shape_rejects(text: str) -> None:
    with pytest.raises(BadInputError):
        parse_shape(text)
