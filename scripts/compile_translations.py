"""Compile the panel's translations: resources/i18n/*.ts into .qm files beside them.

The build step for the interface's languages (desktop/ui/language.py loads the .qm files):
run by .ci/run before the tests and by scripts/build_bundle.sh before PyInstaller, and once
after installing from a checkout (the README's install command). It uses pyside6-lrelease,
which PySide6-Essentials ships.

    python scripts/compile_translations.py          # exits non-zero on any failure
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "resources" / "i18n"


def lrelease() -> list[str]:
    """The command of Qt's lrelease: the one inside PySide6, else pyside6-lrelease."""
    import PySide6

    folder = Path(PySide6.__file__).resolve().parent
    for name in ("lrelease", "lrelease.exe"):
        if (folder / name).is_file():
            return [str(folder / name)]
    found = shutil.which("pyside6-lrelease")
    if found:
        return [found]
    raise SystemExit("compile_translations: no lrelease (install PySide6-Essentials)")


def compile_all(folder: Path = I18N) -> list[Path]:
    """Compile every .ts in `folder`; the .qm files written."""
    written = []
    for source in sorted(folder.glob("*.ts")):
        target = source.with_suffix(".qm")
        subprocess.run([*lrelease(), "-silent", str(source), "-qm", str(target)], check=True)  # noqa: S603
        if not target.is_file():
            raise SystemExit(f"compile_translations: {target} was not written")
        written.append(target)
    return written


def main() -> int:
    written = compile_all()
    if not written:
        print(f"compile_translations: no .ts file in {I18N}", file=sys.stderr)
        return 1
    for path in written:
        print(f"compile_translations: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
