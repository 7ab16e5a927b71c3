"""A fake Clockify server over real HTTP, with demo data: for the tests and demo mode."""

from desktop.fake.data import DEMO_API_KEY, demo_server
from desktop.fake.server import FakeClockify, FakeWorkspace

__all__ = ["DEMO_API_KEY", "FakeClockify", "FakeWorkspace", "demo_server"]
