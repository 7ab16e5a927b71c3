"""A window in its own process that accepts one drop and reports it (for test_panel_e2e).

    python tests/drop_target.py X Y

shows a 300x300 window titled "Drop target" at X, Y. It reports on stdout, one JSON line
each: the first time a drag moves over it, {"event": "over", "formats": [...]}; on a drop,
{"event": "drop", "formats": [...], "text/plain": "...", "application/json": "..."} (a
payload the drop did not carry is null). It accepts every drag as a copy and runs until
ended.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel

TITLE = "Drop target"
MIME_TEXT, MIME_JSON = "text/plain", "application/json"


class DropTarget(QLabel):
    def __init__(self) -> None:
        super().__init__("Drop here")
        self.setWindowTitle(TITLE)
        self.setAcceptDrops(True)
        self._over = False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.acceptProposedAction()
        if not self._over:
            self._over = True
            report({"event": "over", "formats": event.mimeData().formats()})

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        event.acceptProposedAction()
        report(
            {
                "event": "drop",
                "formats": data.formats(),
                MIME_TEXT: data.text() if data.hasText() else None,
                MIME_JSON: bytes(data.data(MIME_JSON).data()).decode("utf-8")
                if data.hasFormat(MIME_JSON)
                else None,
            }
        )


def report(fields: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")  # ASCII: whatever the locale
    sys.stdout.flush()


def main() -> None:
    x, y = (int(arg) for arg in sys.argv[1:3])
    app = QApplication(sys.argv[:1])
    target = DropTarget()
    target.setGeometry(x, y, 300, 300)
    target.show()
    app.exec()


if __name__ == "__main__":
    main()
