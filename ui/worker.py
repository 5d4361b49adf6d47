"""Run long work off the GUI thread and post the result back (after Picard's run_task).

``run_task(fn, on_success, on_failure)`` runs ``fn(progress)`` in a thread pool; the
callbacks run on the GUI thread. ``progress(done, total, text)`` may be called from
the worker and is delivered as a signal. Tests set ``TaskRunner.synchronous = True``
to run everything inline.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

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

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._live: set[_Signals] = set()

    def run_task(
        self,
        fn: Callable[[Progress], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[Exception], None],
        on_progress: Progress | None = None,
    ) -> None:
        signals = _Signals()
        self._live.add(signals)

        def done(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def inner(value: Any) -> None:
                self._live.discard(signals)
                callback(value)

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

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
