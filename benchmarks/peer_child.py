"""`python -m benchmarks.peer_child PEER BASE_URL KEY WORKSPACE_ID`, run by the peers' venv.

Loads every user and client of one workspace with a Clockify client from PyPI, by that
client's own means (its own pagination, if it has any), and prints one JSON line. Imports
nothing of the app: the peers' venv has only the peers and their dependencies.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

Loader = Callable[[str, str, str], tuple[Callable[[], list[Any]], Callable[[], list[Any]], str]]


def clockifyclient(base: str, key: str, ws: str) -> tuple[Any, Any, str]:
    from clockifyclient.api import APIServer

    server = APIServer(base)

    def users() -> list[Any]:
        return list(server.get_iterator(f"/workspaces/{ws}/users", key))

    def clients() -> list[Any]:
        return list(server.get_iterator(f"/workspaces/{ws}/clients", key))

    return users, clients, "APIServer(base_url).get_iterator (its own paging: 50 a page)"


def clockify_sdk(base: str, key: str, ws: str) -> tuple[Any, Any, str]:
    from clockify_sdk import Clockify
    from clockify_sdk.config import Config

    Config.BASE_URL = base  # its documented constant; the default is the Global host
    client = Clockify(key, workspace_id=ws)  # sends GET /user while constructing

    return (
        client.users.get_all,
        client.clients.get_all,
        "Config.BASE_URL patched; users/clients.get_all() have no paging; +1 GET /user",
    )


def clockify_api_client(base: str, key: str, ws: str) -> tuple[Any, Any, str]:
    from clockify_api_client.models.client import Client
    from clockify_api_client.models.user import User

    user_api = User(api_key=key, api_url="unused")
    client_api = Client(api_key=key, api_url="unused")
    for api in (user_api, client_api):
        api.base_url = base  # it builds https://global.<api_url>; point it here instead
        plain_get = api.get

        def get(url: str, plain_get: Callable[[str], Any] = plain_get) -> Any:
            # Its list URLs end in "/users/" and "/clients/"; the fake server (like a
            # strict router) has no such route, so the trailing slash is dropped.
            return plain_get(url.rstrip("/"))

        api.get = get

    return (
        lambda: user_api.get_users(ws),
        lambda: client_api.get_clients(ws),
        "base_url patched, trailing '/' dropped; get_users/get_clients have no paging",
    )


PEERS: dict[str, Loader] = {
    "clockifyclient": clockifyclient,
    "clockify-sdk": clockify_sdk,
    "clockify-api-client": clockify_api_client,
}


def main() -> int:
    name, base, key, ws = sys.argv[1:5]
    result: dict[str, Any] = {"peer": name}
    try:
        from importlib.metadata import version

        result["version"] = version(name)
        users, clients, note = PEERS[name](base, key, ws)
        result["note"] = note
        start = time.perf_counter()
        got_users = users()
        got_clients = clients()
        result["seconds"] = time.perf_counter() - start
        result["users"] = len(got_users)
        result["clients"] = len(got_clients)
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
