"""JobRunner: results on the GUI thread, failures as calls, cancel drops, bounded threads."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from desktop.workers import JobRunner


class Recorder:
    """Collects handler calls and the thread each one ran on."""

    def __init__(self) -> None:
        self.done: list[Any] = []
        self.failed: list[BaseException] = []
        self.progress: list[int] = []
        self.threads: list[QThread] = []

    def on_done(self, value: Any) -> None:
        self.threads.append(QThread.currentThread())
        self.done.append(value)

    def on_failed(self, error: BaseException) -> None:
        self.threads.append(QThread.currentThread())
        self.failed.append(error)

    def on_progress(self, count: int) -> None:
        self.threads.append(QThread.currentThread())
        self.progress.append(count)


@pytest.fixture
def runner(qapp: QApplication) -> Any:
    job_runner = JobRunner(max_workers=3)
    yield job_runner
    assert job_runner.wait_idle(5)
    job_runner.shutdown()


def test_result_and_progress_arrive_on_the_gui_thread(qtbot: Any, runner: JobRunner) -> None:
    seen = Recorder()
    worker_threads: list[threading.Thread] = []

    def work(progress: Any) -> int:
        worker_threads.append(threading.current_thread())
        progress(1)
        progress(2)
        return 42

    runner.submit(work, seen.on_done, seen.on_failed, seen.on_progress)
    qtbot.waitUntil(lambda: seen.done == [42], timeout=5000)
    assert worker_threads[0] is not threading.main_thread()
    assert seen.progress == [1, 2]
    app_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    assert seen.threads
    assert all(thread == app_thread for thread in seen.threads)
    assert not seen.failed


def test_an_exception_becomes_a_failed_call(qtbot: Any, runner: JobRunner) -> None:
    seen = Recorder()

    def work(_progress: Any) -> None:
        raise ValueError("boom")

    runner.submit(work, seen.on_done, seen.on_failed)
    qtbot.waitUntil(lambda: len(seen.failed) == 1, timeout=5000)
    assert isinstance(seen.failed[0], ValueError)
    assert str(seen.failed[0]) == "boom"
    assert seen.done == []
    assert seen.threads == [QApplication.instance().thread()]  # type: ignore[union-attr]
    # The thread survived the exception: the next job still runs.
    runner.submit(lambda _p: "next", seen.on_done, seen.on_failed)
    qtbot.waitUntil(lambda: seen.done == ["next"], timeout=5000)


def test_cancel_drops_the_result_and_its_progress(qtbot: Any, runner: JobRunner) -> None:
    seen = Recorder()
    release = threading.Event()

    def slow(progress: Any) -> str:
        release.wait(5)
        progress(7)
        return "stale"

    job = runner.submit(slow, seen.on_done, seen.on_failed, seen.on_progress)
    assert runner.is_pending(job)
    runner.cancel(job)
    assert not runner.is_pending(job)
    # A later job, submitted after the cancel, finishes after the stale one and is delivered:
    # once its result is in, the stale one has been through the event queue too.
    marker = Recorder()
    release.set()
    assert runner.wait_idle(5)
    runner.submit(lambda _p: "fresh", marker.on_done, marker.on_failed)
    qtbot.waitUntil(lambda: marker.done == ["fresh"], timeout=5000)
    assert seen.done == []
    assert seen.failed == []
    assert seen.progress == []


def test_cancel_all_drops_every_pending_result(qtbot: Any, runner: JobRunner) -> None:
    seen = Recorder()
    release = threading.Event()
    for value in range(5):
        runner.submit(lambda _p, v=value: release.wait(5) and v, seen.on_done, seen.on_failed)
    runner.cancel_all()
    release.set()
    assert runner.wait_idle(5)
    marker = Recorder()
    runner.submit(lambda _p: "fresh", marker.on_done, marker.on_failed)
    qtbot.waitUntil(lambda: marker.done == ["fresh"], timeout=5000)
    assert seen.done == []


class HeldJobs:
    """Jobs that each wait at their own Event, counting how many run at once."""

    def __init__(self, count: int) -> None:
        self.releases = [threading.Event() for _ in range(count)]
        self.started: list[int] = []
        self.threads: set[threading.Thread] = set()
        self.running = 0
        self.peak = 0
        self._changed = threading.Condition()

    def work(self, index: int) -> int:
        with self._changed:
            self.started.append(index)
            self.threads.add(threading.current_thread())
            self.running += 1
            self.peak = max(self.peak, self.running)
            self._changed.notify_all()
        self.releases[index].wait(60)
        with self._changed:
            self.running -= 1
            self._changed.notify_all()
        return index

    def wait_started(self, count: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: len(self.started) >= count, 30)


@pytest.mark.parametrize("max_workers", [1, 3, 4])
def test_no_more_than_max_workers_jobs_run_at_once_and_the_rest_wait(
    qtbot: Any, max_workers: int
) -> None:
    runner = JobRunner(max_workers=max_workers)
    seen = Recorder()
    total = 3 * max_workers + 2
    jobs = HeldJobs(total)
    try:
        for index in range(total):
            runner.submit(lambda _p, i=index: jobs.work(i), seen.on_done, seen.on_failed)
        # All workers are busy with the first jobs; every other job waits in the queue.
        assert jobs.wait_started(max_workers)
        assert sorted(jobs.started) == list(range(max_workers))
        assert jobs.running == max_workers
        # Each job let go makes room for exactly the next one, in the order submitted.
        for index in range(total):
            jobs.releases[index].set()
            following = min(index + 1 + max_workers, total)
            assert jobs.wait_started(following)
            assert sorted(jobs.started) == list(range(following))
            if following < total:
                assert jobs.running == max_workers
        qtbot.waitUntil(lambda: len(seen.done) == total, timeout=10000)
        assert sorted(seen.done) == list(range(total))
        assert jobs.peak == max_workers
        assert len(jobs.threads) == max_workers
        assert runner.thread_count == max_workers
    finally:
        for release in jobs.releases:
            release.set()
        assert runner.wait_idle(10)
        runner.shutdown()


def test_shutdown_ends_the_threads(qtbot: Any) -> None:
    runner = JobRunner(max_workers=2)
    seen = Recorder()
    used: set[threading.Thread] = set()
    for value in range(4):
        runner.submit(
            lambda _p, v=value: used.add(threading.current_thread()) or v,
            seen.on_done,
            seen.on_failed,
        )
    qtbot.waitUntil(lambda: len(seen.done) == 4, timeout=5000)
    runner.shutdown()
    for thread in used:
        thread.join(5)
        assert not thread.is_alive()


def test_wait_idle_blocks_until_jobs_finish(qtbot: Any, runner: JobRunner) -> None:
    seen = Recorder()
    release = threading.Event()
    runner.submit(lambda _p: release.wait(5), seen.on_done, seen.on_failed)
    assert runner.wait_idle(0) is False  # the job waits at its Event: not idle, no wait needed
    release.set()
    assert runner.wait_idle(5) is True
    qtbot.waitUntil(lambda: seen.done == [True], timeout=5000)
    assert runner.wait_idle(0) is True
