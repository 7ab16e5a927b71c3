"""Demo mode: made-up Clockify data, served read-only on 127.0.0.1 (`clockify-panel --demo`)."""

from desktop.demo.data import DEMO_API_KEY, demo_server
from desktop.demo.server import DemoClockify, DemoWorkspace

__all__ = ["DEMO_API_KEY", "DemoClockify", "DemoWorkspace", "demo_server"]
