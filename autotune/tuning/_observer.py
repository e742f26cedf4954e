"""What the search reports while it runs: the CLI draws it, tests record it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # kept light: the command line imports the observers at start-up
    from autotune.study import ConfigResult, TrialResult


class SearchObserver(Protocol):
    def message(self, text: str) -> None: ...

    def search_started(
        self, study: str, done: int, total: int, budget_s: float | None
    ) -> None: ...

    def trial_finished(
        self, trial: TrialResult, best: ConfigResult | None, done: int, total: int
    ) -> None: ...

    def confirmation_started(self, candidates: int, rounds: int, seconds: float) -> None: ...


class SilentObserver:
    def message(self, text: str) -> None:
        pass

    def search_started(self, study: str, done: int, total: int, budget_s: float | None) -> None:
        pass

    def trial_finished(
        self, trial: TrialResult, best: ConfigResult | None, done: int, total: int
    ) -> None:
        pass

    def confirmation_started(self, candidates: int, rounds: int, seconds: float) -> None:
        pass
