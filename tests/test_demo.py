"""Demo mode's server (`desktop.demo`): what the panel needs from it, and nothing it keeps."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from desktop.clockify import (
    ApiKey,
    ClockifyClient,
    Connection,
    KeyRejectedError,
    NoPermissionError,
)
from desktop.demo import DEMO_API_KEY, DemoClockify, demo_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoClockify]:
    server, _ = demo_server()
    server.latency = 0.0
    with server:
        yield server


def _client(server: DemoClockify, key: str = DEMO_API_KEY) -> ClockifyClient:
    return ClockifyClient(Connection.for_base_url(server.base_url), ApiKey(key))


def test_the_client_reads_every_demo_list_complete(demo: DemoClockify) -> None:
    client = _client(demo)
    try:
        assert client.current_user().name == "Demo User"
        names = [ws.name for ws in client.workspaces()]
        assert names == [ws.name for ws in demo.workspaces]
        north = demo.workspaces[0]
        # Over 5,000 users: two pages of the client's 5,000, joined by the Last-Page header.
        everyone = client.users(north.id, include_inactive=True)
        assert len(everyone) == len(north.users) > 5000
        assert len({user.id for user in everyone}) == len(everyone)
        active = client.users(north.id)
        assert len(active) == sum(1 for u in north.users if u["_membership"] == "ACTIVE")
        clients = client.clients(north.id)
        assert len(clients) == sum(1 for c in north.clients if not c["archived"])
        assert len(client.clients(north.id, include_archived=True)) == len(north.clients)
    finally:
        client.close()


def test_the_demo_has_a_workspace_whose_users_are_not_shown(demo: DemoClockify) -> None:
    client = _client(demo)
    try:
        partner = next(ws for ws in demo.workspaces if ws.forbid_users)
        with pytest.raises(NoPermissionError):
            client.users(partner.id)
        assert len(client.clients(partner.id)) > 0
    finally:
        client.close()


def test_an_unknown_key_is_rejected(demo: DemoClockify) -> None:
    client = _client(demo, key="not-the-demo-key")
    try:
        with pytest.raises(KeyRejectedError):
            client.workspaces()
    finally:
        client.close()


def test_the_demo_server_serves_get_only_and_keeps_nothing_per_request(
    demo: DemoClockify,
) -> None:
    def sizes() -> dict[str, int]:
        """The length of every container the server and its HTTP server hold."""
        held = {**vars(demo), **{f"httpd.{k}": v for k, v in vars(demo._httpd).items()}}
        return {name: len(v) if hasattr(v, "__len__") else -1 for name, v in held.items()}

    before = sizes()
    with requests.Session() as session:
        session.trust_env = False
        session.headers["X-Api-Key"] = DEMO_API_KEY
        for _ in range(50):
            assert session.get(demo.base_url + "/workspaces", timeout=10).ok
        refused = session.post(demo.base_url + "/workspaces", json={"name": "x"}, timeout=10)
        assert refused.status_code >= 400
    assert sizes() == before
    assert demo.workspaces[0].name == "Northwind Consulting"  # the data is untouched too


def test_the_app_package_never_imports_the_tests() -> None:
    """The bundle holds desktop/ only: nothing in it may need the tests' fake server."""
    test_only = {"tests", "fake_clockify", "conftest", "pytest", "hypothesis", "pytestqt"}
    found = []
    for path in sorted((ROOT / "desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            bad = [name for name in names if name.split(".")[0] in test_only]
            found += [f"{path.relative_to(ROOT)}: {name}" for name in bad]
    assert found == []
