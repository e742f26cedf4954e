"""The study in its storage: URLs, the trial record (every attribute key, written and read in
one module), opening and resuming, views of the results with the judge's decision, and the
list of studies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autotune.core import lazy_exports

_EXPORTS = {
    "ANALYSIS_ATTR": "_record",
    "LOAD_CURVES_ATTR": "_record",
    "VARIANTS_ATTR": "_record",
    "ConfigResult": "_results",
    "Confirmation": "_results",
    "Proof": "_proofs",
    "Proofs": "_proofs",
    "ConfirmedCandidate": "_results",
    "HOME_ENV": "_location",
    "STORAGE_ENV": "_location",
    "absolute_storage": "_location",
    "default_out_dir": "_location",
    "default_storage": "_location",
    "studies_home": "_location",
    "TrialResult": "_record",
    "best_by_search": "_results",
    "check_storage_url": "_storage",
    "contender": "_results",
    "fail_own_running": "_open",
    "is_measured": "_record",
    "list_studies": "_listing",
    "load_confirmation": "_open",
    "load_meta": "_open",
    "load_study": "_open",
    "load_trials": "_record",
    "measured_trials": "_record",
    "open_storage": "_storage",
    "open_study": "_open",
    "preset_of": "_record",
    "queued_as_preset": "_record",
    "queued_as_steered": "_record",
    "ranked_feasible": "_results",
    "recover_stale_trials": "_open",
    "save_confirmation": "_open",
    "sqlite_path": "_storage",
    "study_decision": "_results",
    "study_decision_of": "_open",
    "study_out_dir": "_open",
    "study_results": "_open",
    "unique_configs": "_results",
    "worker_identity": "_record",
    "worker_of": "_record",
    "write_duplicate": "_record",
    "write_failure": "_record",
    "write_measured_at": "_record",
    "write_measurement": "_record",
    "write_request": "_record",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from autotune.study._listing import list_studies as list_studies
    from autotune.study._location import HOME_ENV as HOME_ENV
    from autotune.study._location import STORAGE_ENV as STORAGE_ENV
    from autotune.study._location import absolute_storage as absolute_storage
    from autotune.study._location import default_out_dir as default_out_dir
    from autotune.study._location import default_storage as default_storage
    from autotune.study._location import studies_home as studies_home
    from autotune.study._open import fail_own_running as fail_own_running
    from autotune.study._open import load_confirmation as load_confirmation
    from autotune.study._open import load_meta as load_meta
    from autotune.study._open import load_study as load_study
    from autotune.study._open import open_study as open_study
    from autotune.study._open import recover_stale_trials as recover_stale_trials
    from autotune.study._open import save_confirmation as save_confirmation
    from autotune.study._open import study_decision_of as study_decision_of
    from autotune.study._open import study_out_dir as study_out_dir
    from autotune.study._open import study_results as study_results
    from autotune.study._proofs import Proof as Proof
    from autotune.study._proofs import Proofs as Proofs
    from autotune.study._record import ANALYSIS_ATTR as ANALYSIS_ATTR
    from autotune.study._record import LOAD_CURVES_ATTR as LOAD_CURVES_ATTR
    from autotune.study._record import VARIANTS_ATTR as VARIANTS_ATTR
    from autotune.study._record import TrialResult as TrialResult
    from autotune.study._record import is_measured as is_measured
    from autotune.study._record import load_trials as load_trials
    from autotune.study._record import measured_trials as measured_trials
    from autotune.study._record import preset_of as preset_of
    from autotune.study._record import queued_as_preset as queued_as_preset
    from autotune.study._record import queued_as_steered as queued_as_steered
    from autotune.study._record import worker_identity as worker_identity
    from autotune.study._record import worker_of as worker_of
    from autotune.study._record import write_duplicate as write_duplicate
    from autotune.study._record import write_failure as write_failure
    from autotune.study._record import write_measured_at as write_measured_at
    from autotune.study._record import write_measurement as write_measurement
    from autotune.study._record import write_request as write_request
    from autotune.study._results import ConfigResult as ConfigResult
    from autotune.study._results import Confirmation as Confirmation
    from autotune.study._results import ConfirmedCandidate as ConfirmedCandidate
    from autotune.study._results import best_by_search as best_by_search
    from autotune.study._results import contender as contender
    from autotune.study._results import ranked_feasible as ranked_feasible
    from autotune.study._results import study_decision as study_decision
    from autotune.study._results import unique_configs as unique_configs
    from autotune.study._storage import check_storage_url as check_storage_url
    from autotune.study._storage import open_storage as open_storage
    from autotune.study._storage import sqlite_path as sqlite_path
