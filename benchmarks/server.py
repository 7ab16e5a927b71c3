"""`python -m benchmarks.server`: the fake Clockify server with one big workspace.

Prints one JSON line (base URL, key, workspace id, list sizes per query), then answers
the commands "count", "reset" and "quit" read from stdin, one line each.
"""

from __future__ import annotations

import argparse
import json
import sys

from benchmarks.common import BENCH_API_KEY, WORKSPACE_ID, WORKSPACE_NAME
from desktop.demo.data import make_clients, make_users
from tests.fake_clockify import FakeClockify, FakeWorkspace

OWNER = {
    "id": "5f1e0a0b0c0d0e0f10bec0ff",
    "name": "Bench Owner",
    "email": "owner@bench.example",
    "activeWorkspace": WORKSPACE_ID,
    "defaultWorkspace": WORKSPACE_ID,
    "profilePicture": "",
    "settings": None,
    "status": "ACTIVE",
}


def build(users: int, clients: int) -> FakeClockify:
    workspace = FakeWorkspace(
        WORKSPACE_ID,
        WORKSPACE_NAME,
        make_users(users, seed=101, workspace_id=WORKSPACE_ID),
        make_clients(clients, seed=102, workspace_id=WORKSPACE_ID),
    )
    return FakeClockify(api_keys={BENCH_API_KEY: OWNER}, workspaces=[workspace])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args()
    fake = build(args.users, args.clients)
    fake.latency = args.latency
    ws = fake.workspaces[0]
    totals = {
        "users_active": sum(1 for u in ws.users if u.get("_membership") == "ACTIVE"),
        "users_all": len(ws.users),
        "clients_active": sum(1 for c in ws.clients if not c.get("archived")),
        "clients_all": len(ws.clients),
    }
    with fake:
        info = {
            "base_url": fake.base_url,
            "api_key": BENCH_API_KEY,
            "workspace_id": WORKSPACE_ID,
            "totals": totals,
        }
        print(json.dumps(info), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                print(len(fake.requests), flush=True)
            elif command == "reset":
                with fake._lock:  # the recorded list is guarded by the server's lock
                    fake.requests.clear()
                print("ok", flush=True)
            elif command == "quit":
                print("bye", flush=True)
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
