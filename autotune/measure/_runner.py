"""Isolated trials: every compile and measurement runs in a spawned child process.

The child is reused from trial to trial (spawning and importing openvino costs ~0.5 s), and
replaced whenever it crashes, hangs past its timeout, or is interrupted. A crash costs one
trial, never the study.

Test seam: the child reads ``AUTOTUNE_FAULT`` (and only the child reads it) to crash or hang for
real. Syntax: ``KIND[@MATCH][;...]`` with KIND one of ``segfault``, ``abort``, ``hang``,
``exit:N``; MATCH is ``trial=N`` or ``KEY=VALUE`` compared with the job's config fields
(``streams=2``, ``hint=THROUGHPUT``), and absent means every job.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Protocol

FAULT_ENV = "AUTOTUNE_FAULT"
_STDERR_TAIL_LINES = 8


def reserves_cores(payload: dict[str, Any]) -> bool:
    """Whether a job (its payload) compiles a config that reserves CPU cores
    (``ENABLE_CPU_RESERVATION``). OpenVINO (2026.4) releases the first reservation a process
    makes but not the later ones, after which the process has "no CPU resources available" for
    any compile: the worker is retired after every such job."""
    configs = [payload.get("config") or {}, *(payload.get("configs") or [])]
    return any(isinstance(c, dict) and c.get("cpu_reservation") for c in configs)


def default_trial_timeout(trial_time_s: float) -> float:
    """Room for a slow compile plus the measurement, warm-up and re-measured windows."""
    return 120.0 + 4.0 * trial_time_s


class TrialFailure(Exception):
    """A trial that could not produce a measurement; ``reason`` is stored on the trial."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkerCrashed(TrialFailure):
    """The child died (signal or exit code) while running the job."""


class WorkerTimedOut(TrialFailure):
    """The child did not answer within the job's timeout and was killed."""


def _parse_faults(text: str) -> list[tuple[str, dict[str, str]]]:
    faults = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        kind, _, match = item.partition("@")
        conditions = dict(
            pair.split("=", 1) for pair in filter(None, match.split(",")) if "=" in pair
        )
        faults.append((kind.strip(), conditions))
    return faults


def _fault_applies(conditions: dict[str, str], payload: dict[str, Any]) -> bool:
    fields = {"trial": payload.get("trial")}
    fields.update(payload.get("config") or {})
    return all(str(fields.get(k)) == v for k, v in conditions.items())


def inject_fault(payload: dict[str, Any]) -> None:
    """Crash or hang for real if AUTOTUNE_FAULT asks for it (child process only)."""
    for kind, conditions in _parse_faults(os.environ.get(FAULT_ENV, "")):
        if not _fault_applies(conditions, payload):
            continue
        if kind == "segfault":
            ctypes.string_at(0)
        elif kind == "abort":
            os.abort()
        elif kind == "hang":
            while True:
                time.sleep(3600)
        elif kind.startswith("exit:"):
            os._exit(int(kind.split(":", 1)[1]))


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this child when its parent dies (kill -9 of autotune)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child_main() -> None:
    """Child loop: receive (handler, payload), run it, send ("ok", result) or ("error", text).

    The protocol runs over the original stdin/stdout; stdout itself is pointed at stderr so
    that a stray print cannot corrupt it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    _die_with_parent()
    inbound = Connection(os.dup(0), writable=False)
    outbound = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    from autotune.core import AutotuneError
    from autotune.measure._handlers import HANDLERS  # openvino loads in the child only

    while True:
        try:
            handler_name, payload = inbound.recv()
        except (EOFError, OSError):
            return
        inject_fault(payload)
        handler: Callable[..., dict[str, Any]] = HANDLERS[handler_name]
        try:
            result = handler(**payload)
        except Exception as exc:  # reported to the parent, which marks the trial failed
            text = (
                exc.one_line()
                if isinstance(exc, AutotuneError)
                else f"{type(exc).__name__}: {exc}"
            )
            traceback.print_exc()
            outbound.send(("error", text))
        else:
            outbound.send(("ok", result))


def describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"killed by {name}"
    return f"exited with code {exitcode}"


class Runner(Protocol):
    """What runs the handlers: the isolated worker, or the simulated machine in tests."""

    def call(self, handler: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]: ...

    def close(self) -> None: ...


class IsolatedRunner:
    """Parent side: runs harness handlers in a reusable child, with a timeout per call."""

    def __init__(self, stderr_dir: str | Path | None = None) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._send: Connection | None = None
        self._recv: Connection | None = None
        directory = Path(stderr_dir) if stderr_dir else Path(tempfile.gettempdir())
        directory.mkdir(parents=True, exist_ok=True)
        self._stderr_path = directory / f"autotune-worker-{os.getpid()}-{id(self):x}.log"

    def _start(self) -> None:
        with self._stderr_path.open("wb") as stderr:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "autotune.measure._runner"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                close_fds=True,
            )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._send = Connection(os.dup(self._proc.stdin.fileno()), readable=False)
        self._recv = Connection(os.dup(self._proc.stdout.fileno()), writable=False)
        self._proc.stdin.close()
        self._proc.stdout.close()

    def _stderr_tail(self) -> str:
        try:
            lines = self._stderr_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(line.strip() for line in lines[-_STDERR_TAIL_LINES:])

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def stop(self) -> None:
        """Kill the child (if any) and forget it; the next call starts a fresh one."""
        for conn in (self._send, self._recv):
            if conn is not None:
                conn.close()
        self._send = self._recv = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=10)
        self._proc = None

    def _crashed(self) -> WorkerCrashed:
        assert self._proc is not None
        try:
            exitcode: int | None = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            exitcode = None
        reason = f"worker {describe_exit(exitcode)}"
        tail = self._stderr_tail()
        self.stop()
        return WorkerCrashed(f"{reason}; stderr: {tail}" if tail else reason)

    def call(self, handler: str, payload: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        """Run the handler ``handler`` (:mod:`._handlers`) with ``payload`` in the child.

        Raises WorkerCrashed / WorkerTimedOut (child replaced) or TrialFailure (the handler
        raised; child kept). KeyboardInterrupt kills the child before propagating.
        """
        if self._proc is None or self._proc.poll() is not None:
            self.stop()
            self._start()
        assert self._send is not None and self._recv is not None
        try:
            try:
                self._send.send((handler, payload))
            except OSError:
                raise self._crashed() from None
            if not wait([self._recv], timeout=timeout_s):
                self.stop()
                raise WorkerTimedOut(
                    f"timed out after {timeout_s:.0f}s (the compile or the inference hung); "
                    "the worker was killed"
                )
            try:
                status, value = self._recv.recv()
            except (EOFError, OSError):
                raise self._crashed() from None
        except KeyboardInterrupt:
            self.stop()
            raise
        if reserves_cores(payload):  # a fresh process for the next job (see reserves_cores)
            self.stop()
        if status == "ok":
            return dict(value)
        raise TrialFailure(str(value))

    def close(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self._stderr_path.unlink()

    def __enter__(self) -> IsolatedRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    _child_main()
