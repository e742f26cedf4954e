"""Search settings are checked before anything is read or written."""

from __future__ import annotations

import pytest

from autotune.core import BadInputError
from autotune.tuning import SearchSettings, validate_settings


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"percentile": 0}, "--percentile must be in (0, 100]"),
        ({"trials": 0}, "--trials must be at least 1"),
        ({"max_batch": 0}, "--max-batch must be at least 1"),
        ({"confirm_rounds": 1}, "--confirm-rounds must be at least 2"),
        ({"objective": "speed"}, "--objective 'speed' is unknown"),
        ({"min_top1": 1.5}, "--min-top1 must be between 0 and 1"),
        ({"study_name": "a b"}, "is not a usable name"),
    ],
)
def test_impossible_settings_are_refused(change: dict, needle: str) -> None:
    with pytest.raises(BadInputError) as info:
        validate_settings(SearchSettings(model_path="m.xml", **change))
    assert needle in info.value.one_line()
