"""The system keyring as a key store (service ``clockify-panel``), through `keyring`.

`keyring` is imported only when a keyring is looked for or used, never at import time.
"""

from __future__ import annotations

from typing import Any

from desktop.store.base import CredentialStore, check_entry
from desktop.store.env import ENV_BACKEND
from desktop.store.errors import CredentialError, KeyringLockedError, KeyringUnavailableError

SERVICE = "clockify-panel"


def _sounds_locked(detail: str) -> bool:
    lowered = detail.lower()
    return "locked" in lowered or "unlock" in lowered or "prompt dismissed" in lowered


def _scrub(text: str, *secrets_: str) -> str:
    for secret in secrets_:
        if secret:
            text = text.replace(secret, "<hidden>")
    return text


class KeyringStore(CredentialStore):
    """The OS keyring through `keyring`, service ``clockify-panel``."""

    def __init__(self, backend: Any = None) -> None:
        import keyring

        self._backend = backend if backend is not None else keyring.get_keyring()

    @property
    def backend_name(self) -> str:
        return str(getattr(self._backend, "name", type(self._backend).__name__))

    @property
    def description(self) -> str:
        return f"the system keyring ({self.backend_name})"

    @property
    def kind(self) -> str:
        return "keyring"

    def _failure(self, action: str, exc: BaseException, *secrets_: str) -> CredentialError:
        from keyring.errors import KeyringError, KeyringLocked

        # keyring's own errors say what went wrong ("Prompt dismissed"); others (D-Bus
        # libraries) may say anything, so only their type is shown.
        detail = _scrub(str(exc), *secrets_).strip() if isinstance(exc, KeyringError) else ""
        if isinstance(exc, KeyringLocked) or _sounds_locked(detail):
            return KeyringLockedError()
        return KeyringUnavailableError(
            f"The system keyring ({self.backend_name}) could not {action}: "
            f"{detail or type(exc).__name__}."
        )

    def probe(self) -> None:
        """Check that the keyring answers: KeyringLockedError when it is locked.

        Any keyring error on this harmless read (a locked collection, a dismissed unlock
        prompt) means locked; other failures (D-Bus) are KeyringUnavailableError.
        """
        from keyring.errors import KeyringError

        try:
            self._backend.get_password(SERVICE, "probe")
        except KeyringError:
            raise KeyringLockedError() from None
        except Exception as exc:
            raise KeyringUnavailableError(
                f"The system keyring ({self.backend_name}) does not answer "
                f"({type(exc).__name__}): fix it, or set {ENV_BACKEND}=file to keep the key "
                "in the encrypted file instead."
            ) from None

    def get(self, entry: str) -> str | None:
        try:
            value = self._backend.get_password(SERVICE, entry)
        except Exception as exc:
            raise self._failure("read the key", exc) from None
        return value if isinstance(value, str) else None

    def set(self, entry: str, value: str) -> None:
        check_entry(entry, value)
        try:
            self._backend.set_password(SERVICE, entry, value)
        except Exception as exc:
            raise self._failure("store the key", exc, value) from None

    def delete(self, entry: str) -> bool:
        from keyring.errors import PasswordDeleteError

        if self.get(entry) is None:
            return False
        try:
            self._backend.delete_password(SERVICE, entry)
        except PasswordDeleteError:
            return False
        except Exception as exc:
            raise self._failure("remove the key", exc) from None
        return True


def system_keyring() -> tuple[Any, str | None]:
    """The keyring backend, or None and why there is none (fail, null, nothing loads).

    A backend that is there may still be locked: `KeyringStore(backend).probe()` tells.
    """
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None, "the keyring package is not installed"
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # any backend set-up failure means "no keyring"
        return None, f"no keyring backend could be loaded ({type(exc).__name__})"
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None, f"the keyring backend is {backend.name!r}"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None, "the keyring has no usable backends"
    return backend, None


__all__ = ["SERVICE", "KeyringStore", "system_keyring"]
