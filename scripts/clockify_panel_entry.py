"""PyInstaller's entry script: the bundle's `clockify-panel` runs `desktop.__main__.main`."""

from __future__ import annotations

import sys

from desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
