"""The docs101 cross-reference in the panel: customers loaded once, clients matched on workers.

When a workspace's clients are in the tree (from Clockify or the cache) and a docs101 key
is known (env DOCS101_API_KEY, as on the command line, else the key store's docs101
entry; an unusable env key is said in the status bar), docs101's customers are
loaded once per session on a worker, then each workspace's clients are cross-referenced
on a worker (desktop.xref.matching) and the model marks each client row. The Clockify
tree never waits for any of it; without a docs101 key nothing is sent to docs101; when
docs101 fails the status bar says so and the tree stays as it is.

Or a CSV file of customers (the view options' "Customers from a CSV file..."): read on a
worker (desktop.xref.customers_csv), its customers replace docs101's for the session, its
path is kept in QSettings (SETTING_CUSTOMERS_CSV) and read again at the next start. The
CSV file wins over a docs101 key until a docs101 key is saved in the settings dialog
(`reload`), which forgets the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot

from desktop.clockify import ApiKey
from desktop.options import docs101_key_from_env
from desktop.ui.connection_settings import Docs101Factory, default_docs101_client
from desktop.ui.loader import describe_error
from desktop.ui.tree_model import LoadState

if TYPE_CHECKING:
    from desktop.ui.client_xref import ClientXref
    from desktop.ui.main_window import PanelWindow
    from desktop.xref.customers import Customer
    from desktop.xref.matching import Candidate

log = logging.getLogger(__name__)

#: The CSV file of customers the user chose (its path), used instead of docs101's API.
SETTING_CUSTOMERS_CSV = "xref/customers_csv"


class Docs101Link(QObject):
    """Loads docs101's customers once and cross-references the clients of each workspace.

    `read_key` runs on a worker: the stored docs101 key, or None. States: "idle" (not
    tried yet), "loading", "loaded", "none" (no key: nothing is asked of docs101) and
    "failed" (said in the status bar; tried again after the key changes or on `reload`).
    """

    def __init__(
        self,
        window: PanelWindow,
        read_key: Callable[[], ApiKey | None],
        docs101_factory: Docs101Factory = default_docs101_client,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.model = window.model
        self.runner = window.runner
        self.read_key = read_key
        self.docs101_factory = docs101_factory
        self.state = "idle"
        #: False: the stored key is not looked for (demo mode: `read_key` gives its key).
        self.env_key_wins = True
        #: Whether a docs101 key is known to be there (None: not looked yet).
        self.has_key: bool | None = None
        self._customers: list[Customer] = []
        self._candidates: list[Candidate] = []
        self._by_id: dict[str, Customer] = {}
        self._generation = 0
        self.settings = window.settings
        #: The CSV file of customers in use instead of the API (None: the API's key).
        self.csv_path: str | None = (
            str(self.settings.value(SETTING_CUSTOMERS_CSV, "") or "") or None
        )
        self.model.clients_loaded.connect(self._on_clients_loaded)
        window.customers_csv_chosen.connect(self.use_csv)

    @property
    def customer_count(self) -> int:
        return len(self._customers)

    def reload(self) -> None:
        """Forget the customers (a key stored: it wins over a CSV file) and load again."""
        self._generation += 1
        self.csv_path = None
        self.settings.remove(SETTING_CUSTOMERS_CSV)
        self.state = "idle"
        self.has_key = None
        self._customers, self._candidates, self._by_id = [], [], {}
        self.model.clear_xref()
        if self._loaded_workspaces():
            self._load()

    def forget(self) -> None:
        """docs101 disconnected: no key, no customers, no markers (a CSV file's stay)."""
        self.has_key = False
        if self.csv_path is not None:
            return
        self._generation += 1
        self.state = "none"
        self._customers, self._candidates, self._by_id = [], [], {}
        self.model.clear_xref()

    @Slot(str)
    def use_csv(self, path: str) -> None:
        """Read the CSV file at `path` on a worker; its customers replace the current ones.

        A file that cannot be read is said in the status bar; the markers stay as they were.
        """

        def done(result: tuple[list[Customer], list[Candidate]]) -> None:
            self._generation += 1
            self.csv_path = path
            self.settings.setValue(SETTING_CUSTOMERS_CSV, path)
            self.model.clear_xref()
            self._on_loaded(self._generation, result)
            self.window.show_status(
                self.tr("{count} customers from {file}").format(
                    count=len(self._customers), file=path
                )
            )

        def failed(error: BaseException) -> None:
            self.window.show_status(_csv_problem(error))

        self.runner.submit(lambda _progress: _read_csv(path), done, failed)

    @Slot(str)
    def _on_clients_loaded(self, workspace_id: str) -> None:
        if self.state == "loaded":
            self._cross_reference([workspace_id])
        elif self.state == "idle":
            self._load()

    def _loaded_workspaces(self) -> list[str]:
        return [
            ws.workspace.id
            for ws in self.model.workspaces()
            if ws.clients.state is LoadState.LOADED or ws.clients.children
        ]

    def _load(self) -> None:
        self.state = "loading"
        generation = self._generation
        read_key, factory = self.read_key, self.docs101_factory
        env_key_wins = self.env_key_wins
        csv_path = self.csv_path
        if csv_path is not None:
            self.runner.submit(
                lambda _progress: _read_csv(csv_path),
                lambda result: self._on_loaded(generation, result),
                lambda error: self._on_csv_failed(generation, error),
            )
            return

        def work(_progress: Any) -> tuple[list[Customer], list[Candidate]] | None:
            key = (docs101_key_from_env() if env_key_wins else None) or read_key()
            if key is None:
                return None
            from desktop.xref.sources import candidates, customers_from_docs101

            client = factory(key)
            try:
                customers = customers_from_docs101(client.customers())
            finally:
                client.close()
            return customers, candidates(customers)

        self.runner.submit(
            work,
            lambda result: self._on_loaded(generation, result),
            lambda error: self._on_failed(generation, error),
        )

    def _on_loaded(
        self, generation: int, result: tuple[list[Customer], list[Candidate]] | None
    ) -> None:
        if generation != self._generation:
            return
        if result is None:
            self.state = "none"
            self.has_key = False
            return
        if self.csv_path is None:  # a CSV file's customers say nothing about the key
            self.has_key = True
        self.state = "loaded"
        self._customers, self._candidates = result
        self._by_id = {}
        for customer in self._customers:
            self._by_id.setdefault(customer.id, customer)
        log.info("docs101: %d customers", len(self._customers))
        self._cross_reference(self._loaded_workspaces())

    def _on_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.state = "failed"
        self.has_key = True
        log.warning("docs101 could not be loaded: %s", describe_error(error))
        self.window.show_status(
            self.tr("docs101 could not be loaded, so no client is marked: {problem}").format(
                problem=describe_error(error)
            )
        )

    def _on_csv_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.state = "failed"
        self.window.show_status(_csv_problem(error))

    def _cross_reference(self, workspace_ids: Sequence[str]) -> None:
        generation = self._generation
        candidates, by_id = self._candidates, self._by_id
        for workspace_id in workspace_ids:
            ws = self.model.workspace(workspace_id)
            if ws is None:
                continue
            clients = [(node.record.id, node.record.name) for node in ws.clients.children]

            def work(
                _progress: Any, clients: list[tuple[str, str | None]] = clients
            ) -> dict[str, ClientXref]:
                from desktop.ui.client_xref import ClientXref
                from desktop.xref.matching import cross_reference

                result = cross_reference(clients, candidates)
                return {
                    entry.clockify_id: ClientXref(
                        entry, by_id.get(entry.docs101_id) if entry.docs101_id else None
                    )
                    for entry in result.entries
                }

            def done(found: dict[str, ClientXref], workspace_id: str = workspace_id) -> None:
                if generation == self._generation:
                    self.model.set_xref(workspace_id, found)

            self.runner.submit(work, done, self._on_xref_failed)

    def _on_xref_failed(self, error: BaseException) -> None:
        log.warning("the docs101 cross-reference failed: %s", describe_error(error))


def _read_csv(path: str) -> tuple[list[Customer], list[Candidate]]:
    """The customers in the CSV file at `path` and their candidates (on a worker)."""
    from pathlib import Path

    from desktop.xref.customers_csv import read_customers
    from desktop.xref.sources import candidates

    customers = read_customers(Path(path))
    return customers, candidates(customers)


def _csv_problem(error: BaseException) -> str:
    """The status line for a CSV file that could not be read (CustomersError's sentence)."""
    from desktop.xref.customers import CustomersError

    if isinstance(error, CustomersError):
        return str(error)
    return describe_error(error)


__all__ = ["SETTING_CUSTOMERS_CSV", "Docs101Link"]
