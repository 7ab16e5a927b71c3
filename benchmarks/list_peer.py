"""`python -m benchmarks.list_peer PEER FORMAT BASE_URL WORKSPACE_ID`, run by the peers' venv.

What `list users --all --format FORMAT` does, with a Clockify client from PyPI fetching the
users: every user of the workspace, then the same rendering as the floor
(benchmarks/list_floor.py), written once. None of the peers pages by itself at 5,000 a
page, so each is given the least help that makes its list complete in a few requests (see
NOTES). The key comes from CLOCKIFY_API_KEY. Imports nothing of the app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from benchmarks.list_floor import PAGE_SIZE, render, rows_of

NOTES = {
    "clockifyclient": "its own paging (get_iterator), page size raised from 50 to 5,000",
    "clockify-sdk": "a page loop around its UserManager._request (get_all has no paging)",
    "clockify-api-client": "a page loop around get_users(params=...)",
}


def page_loop(get_page: Callable[[int], list[Any]]) -> list[Any]:
    """Pages of PAGE_SIZE until a short or empty page (the peers do not show headers)."""
    records: list[Any] = []
    page = 1
    while True:
        batch = get_page(page)
        records.extend(batch)
        if len(batch) < PAGE_SIZE:
            return records
        page += 1


def clockifyclient(base: str, key: str, ws: str) -> list[Any]:
    from clockifyclient.api import APIServer

    pages = APIServer(base).get_iterator(f"/workspaces/{ws}/users", key, {"status": "ALL"})
    pages.page_size = PAGE_SIZE
    return list(pages)


def clockify_sdk(base: str, key: str, ws: str) -> list[Any]:
    from clockify_sdk import Clockify
    from clockify_sdk.config import Config

    Config.BASE_URL = base  # its documented constant; the default is the Global host
    client = Clockify(key, workspace_id=ws)  # sends GET /user while constructing

    def get_page(page: int) -> list[Any]:
        params = {"status": "ALL", "page": page, "page-size": PAGE_SIZE}
        result: list[Any] = client.users._request(
            "GET", f"workspaces/{ws}/users", params=params, response_type=list
        )
        return result

    return page_loop(get_page)


def clockify_api_client(base: str, key: str, ws: str) -> list[Any]:
    from clockify_api_client.models.user import User

    api = User(api_key=key, api_url="unused")
    api.base_url = base  # it builds https://global.<api_url>; point it here instead

    def get_page(page: int) -> list[Any]:
        params = {"status": "ALL", "page": page, "page-size": PAGE_SIZE}
        result: list[Any] = api.get_users(ws, params)
        return result

    return page_loop(get_page)


PEERS: dict[str, Callable[[str, str, str], list[Any]]] = {
    "clockifyclient": clockifyclient,
    "clockify-sdk": clockify_sdk,
    "clockify-api-client": clockify_api_client,
}


def main() -> int:
    name, fmt, base, ws = sys.argv[1:5]
    records = PEERS[name](base, os.environ["CLOCKIFY_API_KEY"], ws)
    sys.stdout.write(render(rows_of(records), fmt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
