"""PySide6 imported for the panel, with one of its start-up costs taken out.

Once PySide6 is imported, its `__feature__` support (shibokensupport.feature, PYSIDE-2029)
asks of every module imported from then on, and on its first use of every module imported
before, whether that module uses PySide: it reads the module's source with
`inspect.getsource` (linecache, the encoding cookie...) and looks for "PySide6" in it.
Before the panel's first paint that is about 90 modules and 13 ms on the GUI thread
(docs/performance.md, section 9). Importing this module puts in the same question
answered from the source file's bytes, about a quarter of the time; anything that is not a
`.py` file, and any file that cannot be read, still gets PySide's own answer.

`desktop.__main__` imports it for the panel, after the stored key's read has started and
before the UI modules; nothing else needs it (tests and the self-test pay PySide's price).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import PySide6  # noqa: F401  (shiboken6 and its support modules, shibokensupport.feature)

_installed = False


def _answer_from_bytes(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return original(module)

    return uses_pyside


def install() -> bool:
    """Put the faster answer in; False when this PySide has no such check (then nothing
    changes). Done once, at import."""
    global _installed
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if _installed or feature is None or not callable(original):
        return _installed
    feature._mod_uses_pyside = _answer_from_bytes(original)  # type: ignore[attr-defined]
    _installed = True
    return True


install()
