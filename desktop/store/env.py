"""The names of the environment variables the store reads (no secrets here, only names)."""

from __future__ import annotations

#: ``file`` forces the encrypted file, ``keyring`` the system keyring; unset, empty or
#: ``auto``: the key file when it exists, else the keyring when there is one.
ENV_BACKEND = "CLOCKIFY_PANEL_CREDENTIALS"
#: The passphrase of the encrypted file, for the default passphrase provider.
ENV_PASSPHRASE = "CLOCKIFY_PANEL_PASSPHRASE"  # noqa: S105 - a variable name, not a secret

__all__ = ["ENV_BACKEND", "ENV_PASSPHRASE"]
