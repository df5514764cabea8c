"""The Qt binding must keep Python's books straight: a hall kiosk runs for weeks.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call of a method that returns nothing
(``processEvents``, ``setVisible``, ``click``…) and one to ``True`` on every ``Signal(bool)`` emitted with it.
When a count reaches zero the interpreter aborts ("bool_dealloc: deallocating True or False"): the soak's
kiosk died after about 280 visits. ``pyproject.toml`` keeps that version out; this test catches any other
binding that does the same. (From Python 3.12 these objects are immortal and their counts never move.)
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

CALLS = 300
#: Counts move a little as the interpreter itself allocates; a leak moves them by one per call.
SLACK = 30


class _Toggle(QObject):
    changed = Signal(bool)


def _drift(action: object) -> tuple[int, int, int]:
    assert callable(action)
    action()
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(CALLS):
        action()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    return (after[0] - before[0], after[1] - before[1], after[2] - before[2])


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None, True and False are immortal from Python 3.12")
def test_qt_calls_and_signals_leave_the_counts_of_none_true_and_false_alone(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    button = QPushButton("办理", window)
    label = QLabel("请放身份证", window)
    window.show()
    toggle = _Toggle()
    seen: list[bool] = []
    toggle.changed.connect(seen.append)
    app = QApplication.instance()
    assert app is not None

    actions = {
        "processEvents": app.processEvents,
        "sendPostedEvents": QCoreApplication.sendPostedEvents,
        "click": button.click,
        "setVisible": lambda: label.setVisible(True),
        "setText": lambda: label.setText("请稍候"),
        "emit(True)": lambda: toggle.changed.emit(True),
        "emit(False)": lambda: toggle.changed.emit(False),
    }
    drifts = {name: _drift(action) for name, action in actions.items()}
    leaking = {name: drift for name, drift in drifts.items() if min(drift) < -SLACK}
    assert not leaking, f"the Qt binding drops references (None, True, False) per {CALLS} calls: {leaking}"
    assert len(seen) == 2 * (CALLS + 1)
