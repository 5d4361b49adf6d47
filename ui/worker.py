"""Run long work off the GUI thread and post the result back (after Picard's run_task and
Anki's TaskManager).

``run_task(fn, on_success, on_failure)`` runs ``fn(progress)`` on the one worker thread;
the callbacks run on the GUI thread. ``progress(done, total, text)`` may be called from
the worker and is delivered as a signal.

A connection belongs to a thread: work that touches the ledger goes through
``run_in_workspace(ws, fn, ...)``, which gives ``fn(thread_ws, progress)`` a workspace on
a connection the worker opened itself (``models.store.workspace.thread_workspace``).
The GUI's connection is never handed to the worker, so a GUI write can never become part
of — and be rolled back with — a background transaction.

Jobs that write (``writes=True``) are counted while in flight (``writes_in_flight``:
the editor postpones keeping its draft meanwhile) and, when one ends, the runner emits
``data_changed`` once; the main window refreshes every page from it.

Tests may set ``TaskRunner.synchronous = True`` to run everything inline; at least one
test runs the real thread.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from models.store.workspace import Workspace, thread_workspace

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], signals: _Signals):
        super().__init__()
        self.fn = fn
        self.signals = signals

    def run(self) -> None:
        try:
            result = self.fn(self.signals.progressed.emit)
        except Exception as exc:  # delivered to on_failure, also logged
            log.error("background task failed:\n%s", traceback.format_exc())
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


class TaskRunner(QObject):
    """Owns the worker pool. One thread: saves and exports never race each other."""

    synchronous = False
    data_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._live: set[_Signals] = set()
        self.writes_in_flight = 0

    def run_task(
        self,
        fn: Callable[[Progress], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[Exception], None],
        on_progress: Progress | None = None,
        *,
        writes: bool = False,
    ) -> None:
        signals = _Signals()
        self._live.add(signals)
        if writes:
            self.writes_in_flight += 1

        def done(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def inner(value: Any) -> None:
                self._live.discard(signals)
                if writes:
                    self.writes_in_flight -= 1
                try:
                    callback(value)
                finally:
                    if writes:
                        self.data_changed.emit()

            return inner

        signals.succeeded.connect(done(on_success))
        signals.failed.connect(done(on_failure))
        if on_progress is not None:
            signals.progressed.connect(on_progress)
        job = _Job(fn, signals)
        if self.synchronous:
            job.run()
        else:
            self.pool.start(job)

    def run_in_workspace(
        self,
        ws: Workspace,
        fn: Callable[[Workspace, Progress], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[Exception], None],
        on_progress: Progress | None = None,
        *,
        writes: bool = False,
    ) -> None:
        """Like ``run_task``; ``fn`` gets a workspace on the worker thread's own connection."""

        def job(progress: Progress) -> Any:
            with thread_workspace(ws) as own:
                return fn(own, progress)

        self.run_task(job, on_success, on_failure, on_progress, writes=writes)

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
