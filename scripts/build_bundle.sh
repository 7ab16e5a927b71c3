#!/usr/bin/env bash
# Build the one-folder bundle dist/clockify-panel/ from build.spec, then prove it works:
# `--version` and `--self-test` (offscreen, demo data). Exits non-zero on any failure.
#
#   scripts/build_bundle.sh                 # uses $PYTHON, else the active/venv python
#   PYTHON=/work/venv/bin/python scripts/build_bundle.sh
set -euo pipefail

PYINSTALLER_VERSION="6.22.3"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -n "${VIRTUAL_ENV:-}" ]]; then
        PYTHON="$VIRTUAL_ENV/bin/python"
    else
        PYTHON="$(command -v python3 || command -v python)"
    fi
fi
echo "== python: $PYTHON ($("$PYTHON" --version 2>&1))"

installed="$("$PYTHON" -c 'import PyInstaller; print(PyInstaller.__version__)' 2>/dev/null || true)"
if [[ "$installed" != "$PYINSTALLER_VERSION" ]]; then
    echo "== installing pyinstaller==$PYINSTALLER_VERSION (found: ${installed:-none})"
    "$PYTHON" -m pip install --quiet "pyinstaller==$PYINSTALLER_VERSION"
fi

# The project itself (and its dependencies) must be importable by that python.
"$PYTHON" -c 'import desktop, PySide6, keyring, secretstorage, cryptography' \
    || { echo "build_bundle: install the project first: $PYTHON -m pip install -e ." >&2; exit 1; }

# The interface's translations: resources/i18n/*.ts compiled to .qm (bundled with resources/).
echo "== compiling translations"
"$PYTHON" "$ROOT/scripts/compile_translations.py"

start=$(date +%s)
echo "== building dist/clockify-panel (pyinstaller $PYINSTALLER_VERSION)"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build" "$ROOT/build.spec"
end=$(date +%s)
echo "== build took $((end - start)) s"

BUNDLE="$ROOT/dist/clockify-panel"
EXE="$BUNDLE/clockify-panel"
[[ -x "$EXE" ]] || { echo "build_bundle: $EXE was not built" >&2; exit 1; }

echo "== $EXE --version"
version_out="$("$EXE" --version)"
echo "$version_out"
expected="$("$PYTHON" -c 'import desktop; print(desktop.__version__)')"
[[ "$version_out" == "clockify-panel $expected" ]] \
    || { echo "build_bundle: expected version $expected" >&2; exit 1; }

echo "== $EXE --self-test (offscreen)"
runtime="$(mktemp -d)"
trap 'rm -rf "$runtime"' EXIT
chmod 700 "$runtime"
QT_QPA_PLATFORM=offscreen LANG="${LANG:-C.UTF-8}" XDG_RUNTIME_DIR="$runtime" \
    timeout 120 "$EXE" --self-test

echo "== bundle size"
du -sh "$BUNDLE"
echo "== ok: $BUNDLE"
