"""The interface's language: Qt translators for the panel's texts and for Qt's own.

The panel's texts go through Qt's translation machinery (`self.tr`, `translate`); their
German is in resources/i18n/clockify_panel_de.ts, compiled to a .qm file by the build
(scripts/compile_translations.py, run by .ci/run and scripts/build_bundle.sh), never at run
time. Qt's own `qtbase` catalogue translates the standard buttons (OK, Cancel, Yes...).

The language is the "Language" setting (LANGUAGE_KEY: "" for the system's, "en", "de"),
else the system locale's; it applies at the next start. The command line stays English.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop.resources import resources_dir

log = logging.getLogger(__name__)

#: The QSettings key of the "Language" setting: "" (or absent) follows the system.
LANGUAGE_KEY = "view/language"
#: The languages the interface has, by code; English is the source language.
LANGUAGES = ("en", "de")
SOURCE_LANGUAGE = "en"
#: The panel's catalogue: resources/i18n/clockify_panel_<code>.ts / .qm
CATALOGUE = "clockify_panel"


def translations_dir() -> Path:
    """Where the panel's .ts sources and compiled .qm files are."""
    return resources_dir() / "i18n"


def system_language() -> str:
    """The first of the system's interface languages the panel has; English otherwise."""
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-", 1)[0].lower()
        if code in LANGUAGES:
            return code
        if code == "c":  # the C/POSIX locale: no preference, so the source language
            break
    return SOURCE_LANGUAGE


def chosen_language(setting: object) -> str:
    """The language to use: `setting` when it names one the panel has, else the system's."""
    code = str(setting or "").strip().lower()
    return code if code in LANGUAGES else system_language()


def saved_setting() -> str:
    """The "Language" setting as stored ("" when it follows the system)."""
    from desktop.ui.connection_settings import app_settings

    value = app_settings().value(LANGUAGE_KEY, "")
    return str(value) if value in LANGUAGES else ""


def install_translators(
    app: QCoreApplication, language: str | None = None, directory: Path | None = None
) -> list[QTranslator]:
    """Install the translators for `language` (None: the setting, else the system's).

    Returns the translators installed (none for English), children of `app`. When the
    panel's compiled catalogue is missing the panel stays English and says so in one log
    line; Qt's own catalogue, when missing, leaves only the standard buttons English.
    """
    code = chosen_language(saved_setting() if language is None else language)
    if code == SOURCE_LANGUAGE:
        return []
    folder = directory if directory is not None else translations_dir()
    own = QTranslator(app)
    if not own.load(f"{CATALOGUE}_{code}", str(folder)):
        log.warning(
            "no compiled %s translation in %s (run scripts/compile_translations.py): English",
            code,
            folder,
        )
        own.deleteLater()
        return []
    installed = [own]
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt = QTranslator(app)
    bundled = _bundled_qt_folder()
    if qt.load(f"qtbase_{code}", qt_folder) or (
        bool(bundled) and qt.load(f"qtbase_{code}", bundled)
    ):
        installed.append(qt)
    else:
        log.info(
            "Qt's own %s translation is not in %s; standard buttons stay English", code, qt_folder
        )
        qt.deleteLater()
    for translator in installed:
        app.installTranslator(translator)
    log.info("interface language: %s", code)
    return installed


def _bundled_qt_folder() -> str:
    """Where the PyInstaller bundle (build.spec) keeps Qt's own catalogues ("" elsewhere)."""
    bundle = getattr(sys, "_MEIPASS", None)
    return str(Path(bundle) / "PySide6" / "Qt" / "translations") if bundle else ""


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    """Undo `install_translators` (tests)."""
    for translator in translators:
        app.removeTranslator(translator)
        translator.deleteLater()
