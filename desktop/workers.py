"""What runs off the GUI thread: one job runner with ids, so stale results are dropped."""

from __future__ import annotations

import functools
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
Work = Callable[[Progress], Any]


@dataclass(slots=True)
class _Handlers:
    done: Callable[[Any], None]
    failed: Callable[[BaseException], None]
    progress: Callable[[int], None] | None


class JobRunner(QObject):
    """Runs callables on a few daemon threads and delivers results on the GUI thread.

    A job never touches a widget, a model or the clipboard: it returns a value, and the
    handlers given to `submit` run on the GUI thread. `cancel` forgets a job's id, so a
    result that arrives later is dropped. The threads are daemons: a request stuck until
    its timeout never delays quitting.

    Signals (internal, queued to the GUI thread):
        _finished(int, object), _failed(int, object), _progressed(int, int)
    """

    _finished = Signal(int, object)
    _failed = Signal(int, object)
    _progressed = Signal(int, int)

    def __init__(self, max_workers: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._handlers: dict[int, _Handlers] = {}
        self._queue: queue.SimpleQueue[tuple[int, Work] | None] = queue.SimpleQueue()
        self._max_workers = max_workers
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._idle = threading.Condition()
        self._finished.connect(self._on_job_finished)
        self._failed.connect(self._on_job_failed)
        self._progressed.connect(self._on_job_progressed)

    def submit(
        self,
        work: Work,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        job_id = next(self._ids)
        self._handlers[job_id] = _Handlers(done, failed, progress)
        with self._idle:
            self._busy += 1
        self._queue.put((job_id, work))
        if len(self._threads) < self._max_workers:
            thread = threading.Thread(
                target=self._worker, name=f"clockify-worker-{len(self._threads) + 1}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        return job_id

    def cancel(self, job_id: int) -> None:
        self._handlers.pop(job_id, None)

    def cancel_all(self) -> None:
        self._handlers.clear()

    def shutdown(self) -> None:
        """Let the threads end once the queue drains; pending results are dropped.

        Without it every runner's threads wait on the queue until the process exits.
        """
        self._handlers.clear()
        threads, self._threads = self._threads, []
        for _thread in threads:
            self._queue.put(None)

    def is_pending(self, job_id: int) -> bool:
        return job_id in self._handlers

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job runs (tests and shutdown); True when idle in time."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    @property
    def thread_count(self) -> int:
        return len(self._threads)

    def _worker(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            job_id, work = item
            try:
                result = work(functools.partial(self._emit_progress, job_id))
            except BaseException as exc:  # every failure becomes a message, never a dead thread
                self._emit(self._failed, job_id, exc)
            else:
                self._emit(self._finished, job_id, result)
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()

    def _emit_progress(self, job_id: int, count: int) -> None:
        if job_id in self._handlers:
            self._emit(self._progressed, job_id, count)

    @staticmethod
    def _emit(signal: Any, job_id: int, value: object) -> None:
        try:
            signal.emit(job_id, value)
        except RuntimeError:
            # The runner was deleted while the app quit: nobody waits for this result.
            log.debug("dropped the result of job %s: runner gone", job_id)

    @Slot(int, object)
    def _on_job_finished(self, job_id: int, result: object) -> None:
        handlers = self._handlers.pop(job_id, None)
        if handlers is not None:
            handlers.done(result)

    @Slot(int, object)
    def _on_job_failed(self, job_id: int, error: object) -> None:
        handlers = self._handlers.pop(job_id, None)
        if handlers is not None:
            assert isinstance(error, BaseException)
            handlers.failed(error)

    @Slot(int, int)
    def _on_job_progressed(self, job_id: int, count: int) -> None:
        handlers = self._handlers.get(job_id)
        if handlers is not None and handlers.progress is not None:
            handlers.progress(count)
