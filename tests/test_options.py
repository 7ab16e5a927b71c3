"""desktop.options: the connection and the key that the arguments and the environment give,
read in one place for the command line and the panel."""

from __future__ import annotations

import argparse

import pytest
from conftest import TEST_KEY

from desktop.clockify import Connection
from desktop.options import (
    ENV_API_KEY,
    ENV_BASE_URL,
    UnusableEnvKeyError,
    add_connection_options,
    api_key_from_env,
    connection_from_args,
)


def test_the_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ENV_API_KEY == "CLOCKIFY_API_KEY"
    monkeypatch.delenv(ENV_API_KEY, raising=False)
    assert api_key_from_env() is None
    monkeypatch.setenv(ENV_API_KEY, "  \t ")
    assert api_key_from_env() is None
    monkeypatch.setenv(ENV_API_KEY, f"  {TEST_KEY}\n")
    key = api_key_from_env()
    assert key is not None
    assert key.reveal() == TEST_KEY
    leaked = "has spaces-ABCDEFGHIJKLMNOP"
    monkeypatch.setenv(ENV_API_KEY, leaked)
    with pytest.raises(UnusableEnvKeyError) as caught:
        api_key_from_env()
    assert caught.value.message.startswith("CLOCKIFY_API_KEY is not a usable API key: ")
    assert "ABCDEFGHIJKLMNOP" not in str(caught.value)
    assert caught.value.exit_code == 3  # what the command line exits with for a key problem


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_connection_options(parser)
    return parser.parse_args(list(argv))


def test_the_connection_from_the_options_and_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert connection_from_args(_args()) == Connection.for_region("global")
    assert connection_from_args(_args("--region", "eu")) == Connection.for_region("eu")
    monkeypatch.setenv(ENV_BASE_URL, "http://127.0.0.1:9/api/v1")
    from_env = Connection.for_base_url("http://127.0.0.1:9/api/v1")
    assert connection_from_args(_args()) == from_env
    assert connection_from_args(_args("--region", "eu")) == from_env  # a URL wins
    given = connection_from_args(_args("--base-url", "http://127.0.0.1:8/api/v1"))
    assert given == Connection.for_base_url("http://127.0.0.1:8/api/v1")  # over the env
    assert _args().timeout == 20.0
    assert _args("--timeout", "1.5").timeout == 1.5
