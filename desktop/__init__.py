"""Clockify Panel: a reference side panel of Clockify workspaces, users and clients."""

__version__ = "0.1.0"
