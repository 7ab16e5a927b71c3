"""Section 2: a complete load of users and clients, the app's client against a floor."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from benchmarks.common import ServerProcess, median

PAGE_SIZE = 5000
USER_PARAMS = {"status": "ACTIVE", "sort-column": "NAME"}
CLIENT_PARAMS = {"archived": "false"}


def floor_fetch(session: requests.Session, url: str, params: dict[str, str]) -> list[Any]:
    """The least a client can do: pages of 5000, json.loads, the stop rule in
    docs/clockify-api.md."""
    items: list[Any] = []
    page = 1
    while True:
        response = session.get(url, params={**params, "page": str(page), "page-size": "5000"})
        response.raise_for_status()
        batch = json.loads(response.content)
        if not batch:
            return items
        items.extend(batch)
        last = (response.headers.get("Last-Page") or "").strip().lower()
        if last == "true" or (last != "false" and len(batch) < PAGE_SIZE):
            return items
        page += 1


def _floor_session(server: ServerProcess) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.headers["X-Api-Key"] = server.api_key
    return session


def floor_loader(server: ServerProcess, concurrent: bool) -> Callable[[], tuple[int, int]]:
    base = f"{server.base_url}/workspaces/{server.workspace_id}"

    def users() -> int:
        with _floor_session(server) as session:
            return len(floor_fetch(session, base + "/users", USER_PARAMS))

    def clients() -> int:
        with _floor_session(server) as session:
            return len(floor_fetch(session, base + "/clients", CLIENT_PARAMS))

    return _combine(users, clients, concurrent)


def app_loader(server: ServerProcess, concurrent: bool) -> Callable[[], tuple[int, int]]:
    from desktop.clockify import ApiKey, ClockifyClient, Connection

    def make() -> ClockifyClient:
        return ClockifyClient(Connection.for_base_url(server.base_url), ApiKey(server.api_key))

    def users() -> int:
        client = make()
        try:
            return len(client.users(server.workspace_id))
        finally:
            client.close()

    def clients() -> int:
        client = make()
        try:
            return len(client.clients(server.workspace_id))
        finally:
            client.close()

    return _combine(users, clients, concurrent)


def _combine(
    users: Callable[[], int], clients: Callable[[], int], concurrent: bool
) -> Callable[[], tuple[int, int]]:
    def sequential() -> tuple[int, int]:
        return users(), clients()

    def parallel() -> tuple[int, int]:
        with ThreadPoolExecutor(max_workers=2) as pool:
            u = pool.submit(users)
            c = pool.submit(clients)
            return u.result(), c.result()

    return parallel if concurrent else sequential


def measure(
    server: ServerProcess, load: Callable[[], tuple[int, int]], repeats: int
) -> dict[str, Any]:
    times: list[float] = []
    counts: list[int] = []
    got: tuple[int, int] = (0, 0)
    for _ in range(repeats):
        server.reset()
        start = time.perf_counter()
        got = load()
        times.append(time.perf_counter() - start)
        counts.append(server.count())
    return {"seconds": median(times), "runs": times, "requests": max(counts), "items": got}


def run(server: ServerProcess, repeats: int) -> dict[str, dict[str, Any]]:
    """Interleaved runs (floor, app, floor, app...) so drifts in load hit both alike."""
    results: dict[str, dict[str, Any]] = {}
    for concurrent in (False, True):
        mode = "concurrent" if concurrent else "sequential"
        floor_times: list[dict[str, Any]] = []
        app_times: list[dict[str, Any]] = []
        floor = floor_loader(server, concurrent)
        app = app_loader(server, concurrent)
        measure(server, floor, 1)  # warm-up: imports, first connections
        measure(server, app, 1)
        for _ in range(repeats):
            floor_times.append(measure(server, floor, 1))
            app_times.append(measure(server, app, 1))
        results[f"floor-{mode}"] = _merge(floor_times)
        results[f"app-{mode}"] = _merge(app_times)
    return results


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    times = [t for part in parts for t in part["runs"]]
    return {
        "seconds": median(times),
        "runs": times,
        "requests": max(part["requests"] for part in parts),
        "items": parts[-1]["items"],
    }
