"""Feeds the panel's model from Clockify: workspaces first, each group when it is needed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from desktop.clockify import (
    ClockifyError,
    KeyRejectedError,
    RequestBudgetError,
    Workspace,
)
from desktop.ui.tree_model import (
    GroupNode,
    Kind,
    LoadState,
    PanelModel,
    RecordNode,
    make_client_nodes,
    make_user_nodes,
)
from desktop.workers import JobRunner, Progress

if TYPE_CHECKING:
    from desktop.clockify import ClockifyClient
    from desktop.store.ledger import RequestLedger

log = logging.getLogger(__name__)


def ledger_of(client: ClockifyClient | None) -> RequestLedger | None:
    """The request ledger behind a client's gate (None: the client counts nothing)."""
    from desktop.store.ledger import LedgerGate

    gate = client.gate if client is not None else None
    return gate.ledger if isinstance(gate, LedgerGate) else None


def describe_error(error: BaseException) -> str:
    """A user-facing sentence for any failure; never a traceback, never the key."""
    if isinstance(error, ClockifyError):
        return error.message
    from desktop.docs101.errors import Docs101Error  # no Qt, no HTTP stack

    if isinstance(error, Docs101Error):
        return error.message
    from desktop.store import CredentialError  # imported already when one is raised

    if isinstance(error, CredentialError):
        return str(error)  # says what is wrong with the key store, never a secret
    text = QCoreApplication.translate(
        "TreeLoader", "Unexpected error ({name}); details are in the log."
    )
    return text.format(name=type(error).__name__)


class TreeLoader(QObject):
    """Loads into a PanelModel on worker threads and drops results that were superseded.

    Every load carries the job id it was started with; a refresh, a disconnect or a newer
    load of the same group forgets the old id, so its late result never reaches the model.

    Loads are automatic (the app's own idea: a refresh at start, the filter, a selected
    workspace, a restored view) or asked for (F5, Retry, opening a group); the client's
    request gate holds automatic ones to a smaller share of a Free workspace's budget. A
    group whose load the gate refused keeps the rows it has (from the cache).

    Signals:
        workspaces_loaded(int): the workspace list arrived (its length).
        workspaces_failed(object): it failed; carries the exception (`describe_error`
            makes the sentence to show).
        group_failed(object): a users or clients list failed; carries the exception.
        key_rejected(): Clockify answered 401 during use.
        busy_changed(bool): whether any load is running.
        data_loaded(): a load finished and the model changed (for the cache).
    """

    workspaces_loaded = Signal(int)
    workspaces_failed = Signal(object)  # the exception
    group_failed = Signal(object)  # the exception
    key_rejected = Signal()
    busy_changed = Signal(bool)
    data_loaded = Signal()

    def __init__(
        self,
        model: PanelModel,
        runner: JobRunner,
        parent: QObject | None = None,
        *,
        connection: str = "",
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.runner = runner
        #: The account (its key in the model) whose workspaces this loader feeds.
        self.connection = connection
        self.client: ClockifyClient | None = None
        self.include_inactive_users = False
        self.include_archived_clients = False
        self.loaded_at: float | None = None
        self._workspace_job: int | None = None
        self._group_jobs: dict[int, int] = {}  # id(group) -> job id
        self._busy = False
        #: What the running refresh was: automatic or not, and the workspaces whose groups
        #: it leaves alone (Free workspaces with fresh cached rows).
        self._refresh_automatic = False
        self._refresh_skips: frozenset[str] = frozenset()

    # -- commands ------------------------------------------------------------------------

    def set_client(self, client: ClockifyClient | None) -> None:
        """Switch connection: everything running is forgotten."""
        self.cancel_all()
        if self.client is not None and self.client is not client:
            self.client.close()
        self.client = client

    def cancel_all(self) -> None:
        if self._workspace_job is not None:
            self.runner.cancel(self._workspace_job)
            self._workspace_job = None
            conn = self.model.connection(self.connection)
            if conn is not None and conn.state is LoadState.LOADING:
                self.model.set_connection_state(self.connection, LoadState.IDLE)
        self._cancel_group_jobs()
        self._settle_unfinished_groups()
        self._update_busy()

    def _cancel_group_jobs(self) -> None:
        for job in self._group_jobs.values():
            self.runner.cancel(job)
        self._group_jobs.clear()

    def _settle_unfinished_groups(self) -> None:
        """Groups whose load was forgotten go back to what they show without it."""
        for ws in self.model.workspaces(self.connection):
            for group in ws.groups:
                if group.state is LoadState.LOADING and id(group) not in self._group_jobs:
                    group.state = LoadState.LOADED if group.children else LoadState.IDLE

    def refresh(self, *, automatic: bool = False, skip: frozenset[str] = frozenset()) -> None:
        """Reload the workspaces, then every group that had been loaded; old rows stay.

        `skip`: workspaces whose groups are not reloaded (their cached rows stay).
        """
        client = self.client
        if client is None:
            return
        self._refresh_automatic = automatic
        self._refresh_skips = skip
        if self._workspace_job is not None:
            self.runner.cancel(self._workspace_job)
        # Group loads started before the refresh are superseded: their results are dropped,
        # and the groups (still shown as loading) restart once the workspaces arrive.
        self._cancel_group_jobs()

        def work(_progress: Progress) -> list[Workspace]:
            workspaces = client.workspaces(automatic=automatic)
            note = getattr(client.gate, "note_workspaces", None)
            if note is not None:
                note(workspaces)  # the plans: which workspaces the budget applies to
            return workspaces

        self._workspace_job = self.runner.submit(
            work,
            self._on_workspaces,
            self._on_workspaces_failed,
        )
        self.model.set_connection_state(self.connection, LoadState.LOADING)
        self._update_busy()

    def load_group(self, group: GroupNode, *, force: bool = False, automatic: bool = False) -> None:
        client = self.client
        if client is None:
            return
        if not force and group.state in (LoadState.LOADING, LoadState.LOADED):
            return
        old = self._group_jobs.pop(id(group), None)
        if old is not None:
            self.runner.cancel(old)
        workspace_id = group.workspace.workspace.id
        work: Callable[[Progress], list[RecordNode]]
        if group.kind is Kind.USERS:
            inactive = self.include_inactive_users

            def work(progress: Progress) -> list[RecordNode]:
                users = client.users(
                    workspace_id, include_inactive=inactive, progress=progress, automatic=automatic
                )
                return make_user_nodes(users)
        else:
            archived = self.include_archived_clients

            def work(progress: Progress) -> list[RecordNode]:
                clients = client.clients(
                    workspace_id, include_archived=archived, progress=progress, automatic=automatic
                )
                return make_client_nodes(clients)

        self.model.set_group_loading(group)
        job = self.runner.submit(
            work,
            lambda nodes: self._on_group_loaded(job, group, nodes),
            lambda error: self._on_group_failed(job, group, error),
            lambda count: self._on_group_progress(job, group, count),
        )
        self._group_jobs[id(group)] = job
        self._update_busy()

    def load_workspace(self, workspace_id: str, *, automatic: bool = True) -> None:
        """Both groups of a workspace not loaded yet (a selected workspace row: automatic)."""
        ws = self.model.workspace(workspace_id, self.connection)
        if ws is not None:
            for group in ws.groups:
                self.load_group(group, automatic=automatic)

    def load_everything(self) -> None:
        """For the filter (automatic): every group that was never asked for."""
        for ws in self.model.workspaces(self.connection):
            for group in ws.groups:
                if group.state is LoadState.IDLE:
                    self.load_group(group, automatic=True)

    def reload_kind(self, kind: Kind) -> None:
        """After a filter toggle (inactive users, archived clients): reload that kind."""
        for ws in self.model.workspaces(self.connection):
            group = ws.group(kind)
            if group.state is not LoadState.IDLE:
                self.load_group(group, force=True)

    @property
    def busy(self) -> bool:
        return self._busy

    # -- results (GUI thread) ------------------------------------------------------------

    def _on_workspaces(self, workspaces: Any) -> None:
        self._workspace_job = None
        assert isinstance(workspaces, list)
        items: list[Workspace] = workspaces
        self.model.set_workspaces(items, self.connection)
        self.model.set_connection_state(self.connection, LoadState.LOADED)
        self.loaded_at = time.time()
        automatic, skips = self._refresh_automatic, self._refresh_skips
        for ws in self.model.workspaces(self.connection):
            if ws.workspace.id in skips:
                continue  # its cached rows are recent, and its requests are few
            ws.from_cache_age = None
            for group in ws.groups:
                if group.state is not LoadState.IDLE or group.children:
                    self.load_group(group, force=True, automatic=automatic)
        if len(items) == 1:
            self.load_workspace(items[0].id, automatic=automatic)
        self.workspaces_loaded.emit(len(items))
        self.data_loaded.emit()
        self._update_busy()

    def _on_workspaces_failed(self, error: BaseException) -> None:
        self._workspace_job = None
        self._settle_unfinished_groups()
        self._report(error)
        self.model.set_connection_state(self.connection, LoadState.FAILED, describe_error(error))
        self.workspaces_failed.emit(error)
        self._update_busy()

    def _on_group_progress(self, job: int, group: GroupNode, count: int) -> None:
        if self._group_jobs.get(id(group)) == job:
            self.model.set_group_loading(group, count)

    def _on_group_loaded(self, job: int, group: GroupNode, nodes: Any) -> None:
        if self._group_jobs.get(id(group)) != job:
            return
        del self._group_jobs[id(group)]
        if self.model.workspace_of(group.workspace) is group.workspace:
            self.model.set_group_rows(group, nodes)
            self.data_loaded.emit()
        self._update_busy()

    def _on_group_failed(self, job: int, group: GroupNode, error: BaseException) -> None:
        if self._group_jobs.get(id(group)) != job:
            return
        del self._group_jobs[id(group)]
        self._report(error)
        if isinstance(error, RequestBudgetError) and group.children:
            self.model.set_group_rows(group, group.children)  # not sent: the rows stay as they were
        else:
            self.model.set_group_error(group, describe_error(error))
        self.group_failed.emit(error)
        self._update_busy()

    def _report(self, error: BaseException) -> None:
        if isinstance(error, KeyRejectedError):
            self.key_rejected.emit()
        if not isinstance(error, ClockifyError):
            log.error("load failed", exc_info=error)
        else:
            log.warning("load failed: %s", error.message)

    def _update_busy(self) -> None:
        busy = self._workspace_job is not None or bool(self._group_jobs)
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
