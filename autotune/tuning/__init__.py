"""The search: settings checked up front, the space from the device's capabilities, the
objective that measures each trial, steering along the limits, the hint presets, the
confirmation stage, and the loop that ties them together."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autotune.core import lazy_exports

_EXPORTS = {
    "DEFAULT_MAX_ROUNDS": "_settings",
    "DEFAULT_ROUNDS": "_settings",
    "DEFAULT_TOP_K": "_settings",
    "MAX_REQUEST_MULTIPLIER": "_space",
    "MeasureSettings": "_objective",
    "OBJECTIVES": "_checks",
    "CALIBRATIONS": "_checks",
    "Objective": "_objective",
    "PresetBaselines": "_presets",
    "SearchInterrupted": "_tuner",
    "SearchObserver": "_observer",
    "SearchOutcome": "_tuner",
    "SearchPlan": "_settings",
    "SearchSettings": "_settings",
    "SearchSpace": "_space",
    "SilentObserver": "_observer",
    "Steering": "_steering",
    "analyse": "_analysis",
    "build_space": "_space",
    "candidate_devices": "_space",
    "default_devices": "_space",
    "enqueue_presets": "_presets",
    "machine_peak_gflops": "_analysis",
    "make_sampler": "_loop",
    "max_attempts": "_loop",
    "pick_candidates": "_confirm",
    "plan_search": "_settings",
    "limits_for": "_settings",
    "powers_of_two": "_space",
    "record": "_confirm",
    "resolve_devices": "_space",
    "run_confirmation": "_confirm",
    "run_search": "_tuner",
    "step_down": "_steering",
    "step_up": "_steering",
    "study_metadata": "_settings",
    "validate_settings": "_checks",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from autotune.tuning._analysis import analyse as analyse
    from autotune.tuning._analysis import machine_peak_gflops as machine_peak_gflops
    from autotune.tuning._checks import CALIBRATIONS as CALIBRATIONS
    from autotune.tuning._checks import OBJECTIVES as OBJECTIVES
    from autotune.tuning._checks import validate_settings as validate_settings
    from autotune.tuning._confirm import pick_candidates as pick_candidates
    from autotune.tuning._confirm import record as record
    from autotune.tuning._confirm import run_confirmation as run_confirmation
    from autotune.tuning._loop import make_sampler as make_sampler
    from autotune.tuning._loop import max_attempts as max_attempts
    from autotune.tuning._objective import MeasureSettings as MeasureSettings
    from autotune.tuning._objective import Objective as Objective
    from autotune.tuning._observer import SearchObserver as SearchObserver
    from autotune.tuning._observer import SilentObserver as SilentObserver
    from autotune.tuning._presets import PresetBaselines as PresetBaselines
    from autotune.tuning._presets import enqueue_presets as enqueue_presets
    from autotune.tuning._settings import DEFAULT_MAX_ROUNDS as DEFAULT_MAX_ROUNDS
    from autotune.tuning._settings import DEFAULT_ROUNDS as DEFAULT_ROUNDS
    from autotune.tuning._settings import DEFAULT_TOP_K as DEFAULT_TOP_K
    from autotune.tuning._settings import SearchPlan as SearchPlan
    from autotune.tuning._settings import SearchSettings as SearchSettings
    from autotune.tuning._settings import limits_for as limits_for
    from autotune.tuning._settings import plan_search as plan_search
    from autotune.tuning._settings import study_metadata as study_metadata
    from autotune.tuning._space import MAX_REQUEST_MULTIPLIER as MAX_REQUEST_MULTIPLIER
    from autotune.tuning._space import SearchSpace as SearchSpace
    from autotune.tuning._space import build_space as build_space
    from autotune.tuning._space import candidate_devices as candidate_devices
    from autotune.tuning._space import default_devices as default_devices
    from autotune.tuning._space import powers_of_two as powers_of_two
    from autotune.tuning._space import resolve_devices as resolve_devices
    from autotune.tuning._steering import Steering as Steering
    from autotune.tuning._steering import step_down as step_down
    from autotune.tuning._steering import step_up as step_up
    from autotune.tuning._tuner import SearchInterrupted as SearchInterrupted
    from autotune.tuning._tuner import SearchOutcome as SearchOutcome
    from autotune.tuning._tuner import run_search as run_search
