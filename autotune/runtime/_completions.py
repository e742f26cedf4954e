"""Where an open-loop pool's completions wait for the dispatcher: OpenVINO's callback thread
posts (slot, time), and the dispatcher takes them all, blocking until one arrives or its next
arrival is due."""

from __future__ import annotations

import threading
import time


class Completions:
    def __init__(self) -> None:
        self._done: list[tuple[int, float]] = []
        self._changed = threading.Condition()

    def post(self, slot: int, finished: float) -> None:
        with self._changed:
            self._done.append((slot, finished))
            self._changed.notify()

    def wait(self, deadline: float) -> list[tuple[int, float]]:
        """Every completion posted so far; none when ``deadline`` (perf_counter) passes first."""
        with self._changed:
            while not self._done:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    return []
                self._changed.wait(remaining)
            done, self._done = self._done, []
        return done
