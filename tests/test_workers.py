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


def test_thread_count_stays_bounded_after_many_jobs(qtbot: Any, runner: JobRunner) -> None:
    seen = Recorder()
    release = threading.Event()
    used: set[threading.Thread] = set()
    lock = threading.Lock()

    def work(_progress: Any, value: int) -> int:
        with lock:
            used.add(threading.current_thread())
        release.wait(5)
        return value

    for value in range(50):
        runner.submit(lambda p, v=value: work(p, v), seen.on_done, seen.on_failed)
        assert runner.thread_count <= 3
    release.set()
    qtbot.waitUntil(lambda: len(seen.done) == 50, timeout=10000)
    assert sorted(seen.done) == list(range(50))
    assert runner.thread_count <= 3
    assert 1 <= len(used) <= 3


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
    assert runner.wait_idle(0.05) is False
    release.set()
    assert runner.wait_idle(5) is True
    qtbot.waitUntil(lambda: seen.done == [True], timeout=5000)
    assert runner.wait_idle(0) is True
