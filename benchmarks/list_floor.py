"""`python -m benchmarks.list_floor FORMAT BASE_URL WORKSPACE_ID`: the floor of `list users`.

The least a script can do to print what `clockify-panel list users --all --format FORMAT`
prints: the standard library only (http.client, json, csv), one keep-alive connection,
pages of 5,000 with the same stop rule as the app (an empty page, Last-Page, a short page),
one json.loads a page, the output built once and written once. The key comes from
CLOCKIFY_API_KEY. The peers' child (benchmarks/list_peer.py) prints with `render` too, so
the three print the same bytes from the same records.

Imports nothing of the app, and nothing outside the standard library.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import sys
from typing import Any
from urllib.parse import urlsplit

PAGE_SIZE = 5000
COLUMNS = ["id", "name", "email", "status"]
FORMATS = ("json", "csv", "tsv", "table")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def rows_of(records: list[Any]) -> list[dict[str, Any]]:
    """The fields `list users` prints, in its order."""
    return [
        {
            "id": r.get("id"),
            "name": r.get("name"),
            "email": r.get("email"),
            "status": r.get("status"),
        }
        for r in records
    ]


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    """The text `list users --format fmt` prints for these rows."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows([[cell(row[c]) for c in COLUMNS] for row in rows])
        return buffer.getvalue()
    cells = [[_printable(cell(row[c])) for c in COLUMNS] for row in rows]
    widths = [len(c) for c in COLUMNS]
    for line in cells:
        for i, text in enumerate(line):
            widths[i] = min(max(widths[i], len(text)), 60)
    lines = [[c.upper() for c in COLUMNS], *cells]
    out = [
        "  ".join(t.ljust(w) for t, w in zip(line, widths, strict=True)).rstrip() for line in lines
    ]
    out.append("")
    return "\n".join(out)


def fetch_users(base_url: str, workspace_id: str, key: str) -> list[Any]:
    """Every user of the workspace (status=ALL), page by page on one connection."""
    url = urlsplit(base_url)
    if url.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(url.netloc)
    else:
        connection = http.client.HTTPConnection(url.netloc)
    headers = {"X-Api-Key": key, "Accept": "application/json"}
    path = f"{url.path}/workspaces/{workspace_id}/users?status=ALL&sort-column=NAME"
    records: list[Any] = []
    try:
        page = 1
        while True:
            connection.request("GET", f"{path}&page={page}&page-size={PAGE_SIZE}", headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"floor: the server answered {response.status}")
            batch = json.loads(body)
            if not batch:
                return records
            records.extend(batch)
            last = (response.getheader("Last-Page") or "").strip().lower()
            if last == "true" or (last != "false" and len(batch) < PAGE_SIZE):
                return records
            page += 1
    finally:
        connection.close()


def main() -> int:
    fmt, base_url, workspace_id = sys.argv[1:4]
    records = fetch_users(base_url, workspace_id, os.environ["CLOCKIFY_API_KEY"])
    sys.stdout.write(render(rows_of(records), fmt))
    return 0


if __name__ == "__main__":
    sys.exit(main())
