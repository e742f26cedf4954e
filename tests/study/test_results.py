"""Views of a study: one config per effective identity, the request that ships, one figure."""

from __future__ import annotations

from autotune.judge import Limits
from autotune.study import contender, unique_configs
from tests.builders import confirmation, trial

LIMITS = Limits(max_latency_ms=5.0, percentile=90)


def test_one_config_per_effective_identity_shipping_its_simplest_request() -> None:
    trials = [
        trial(0, "k", 100, 1.0, device="AUTO"),  # AUTO over one device, measured first
        trial(1, "k", 0, 0, preset="LATENCY", duplicate_of=0),  # the CPU hint: same identity
        trial(2, "j", 150, 2.0, device="BATCH:CPU"),
    ]
    configs = {c.key: c for c in unique_configs(trials, LIMITS)}
    shared = configs["k"]
    assert shared.trials == (0, 1) and shared.presets == ("LATENCY",)
    assert shared.config.device == "CPU" and shared.config.preset == "LATENCY"  # what ships
    assert shared.label == "LATENCY hint"
    assert len(shared.windows) == 5  # the duplicate added no windows
    assert configs["j"].config.device == "BATCH:CPU"


def test_a_confirmed_config_is_judged_on_its_rounds() -> None:
    configs = unique_configs(
        [trial(0, "a", 180, 4.0), trial(1, "t", 150, 2.0, preset="THROUGHPUT")], LIMITS
    )
    rounds = confirmation(configs, {"a": [200.0 + r for r in range(10)]}, {"a": 6.0})
    a = next(c for c in configs if c.key == "a")
    search = contender(a, LIMITS, None)
    confirmed = contender(a, LIMITS, rounds.get("a"))
    assert search.throughput.estimate == 180 and not search.confirmed and search.feasible
    assert confirmed.throughput.estimate == 204.5 and confirmed.confirmed
    assert confirmed.search_throughput_fps == 180  # the search figure stays visible
    assert not confirmed.feasible and confirmed.missed == ["latency"]  # 6 ms in the rounds
