"""The key file's passphrase prompt, used by the connect dialog and the session."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.store import MIN_PASSPHRASE_CHARS, check_new_passphrase
from desktop.ui.fitting import FittingDialog, MessageArea, wrapped_label


class PassphraseDialog(FittingDialog):
    """The key file's passphrase: once to open the file, twice in this one dialog to create it.

    For a new file, OK stays off until both fields hold the same passphrase and it passes
    `check_new_passphrase`; the line under the fields says what is missing meanwhile.
    `reason`, when it asks again ("The passphrase does not open the key file ..."), is the
    first thing it says, wrapped and selectable (the path can be copied).
    """

    WIDTH_CHARS = 64

    def __init__(self, parent: QWidget | None, creating: bool, reason: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Clockify Panel"))
        self.creating = creating
        layout = QVBoxLayout(self)
        self.reason_area = MessageArea(self)
        self.reason_label = self.reason_area.label
        self.reason_area.setText(reason)
        self.reason_area.setVisible(bool(reason))
        layout.addWidget(self.reason_area)
        self.intro_label = wrapped_label(
            self.tr(
                "No system keyring works here, so the API key is kept in an encrypted file. "
                "Choose its passphrase, at least {count} characters; the panel "
                "asks for it when it starts."
            ).format(count=MIN_PASSPHRASE_CHARS)
            if creating
            else self.tr("The API key is kept in an encrypted file. Its passphrase:"),
            self,
        )
        layout.addWidget(self.intro_label)
        form = QFormLayout()
        self.first_edit = self._password_field(self.tr("Passphrase"))
        form.addRow(self.tr("&Passphrase:"), self.first_edit)
        self.second_edit = self._password_field(self.tr("Passphrase again"))
        if creating:
            form.addRow(self.tr("&Again:"), self.second_edit)
        else:
            self.second_edit.hide()
        layout.addLayout(form)
        self.problem_label = wrapped_label("", self)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.first_edit.textChanged.connect(self._on_text_changed)
        self.second_edit.textChanged.connect(self._on_text_changed)
        self._on_text_changed()

    def _password_field(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(name)
        return edit

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def problem(self) -> str | None:
        """What keeps OK off (one sentence), or None when the passphrase will do."""
        text = self.first_edit.text()
        if not self.creating:
            return None if text else self.tr("Type the passphrase.")
        problem = check_new_passphrase(text)
        if problem is not None:
            return problem
        again = self.second_edit.text()
        if not again:
            return self.tr("Type the same passphrase again in the second field.")
        if again != text:
            return self.tr("The two passphrases differ.")
        return None

    @Slot()
    def _on_text_changed(self) -> None:
        problem = self.problem()
        self.ok_button.setEnabled(problem is None)
        # Nothing typed yet is not a mistake: the introduction says what to do.
        shown = problem if problem is not None and self.first_edit.text() else ""
        self.problem_label.setText(shown)

    def passphrase(self) -> str | None:
        """The passphrase typed, if it will do (else None)."""
        return self.first_edit.text() if self.problem() is None else None

    def accept(self) -> None:
        if self.problem() is None:  # Enter in a field while OK is off does nothing
            super().accept()


def ask_passphrase(parent: QWidget | None, creating: bool, reason: str = "") -> str | None:
    """Ask the key file's passphrase in a PassphraseDialog; None when it was cancelled.

    `reason` says why it asks again (the last passphrase did not open the file, say).
    """
    dialog = PassphraseDialog(parent, creating, reason)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.passphrase()
    finally:
        dialog.deleteLater()
