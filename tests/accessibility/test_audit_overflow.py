"""A kiosk window cannot grow: content taller than the glass is named as cut off."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from accessibility.audit import audit_widget
from accessibility.themes import ELDER


def _screen(buttons: int) -> QWidget:
    root = QWidget()
    layout = QVBoxLayout(root)
    layout.setSpacing(24)
    title = QLabel("请选择")
    title.setStyleSheet(f"font-size: {ELDER.heading_px}px; color: #1A1A1A; background: #FFF8EE;")
    layout.addWidget(title)
    for index in range(buttons):
        key = QPushButton(f"选项 {index}")
        key.setMinimumSize(400, 120)
        key.setStyleSheet(f"font-size: {ELDER.button_px}px; color: #FFFFFF; background: #8A2A0B;")
        layout.addWidget(key)
    root.setStyleSheet("background: #FFF8EE;")
    return root


def test_content_taller_than_the_screen_is_a_violation(qtbot: QtBot) -> None:
    root = _screen(buttons=12)  # 12 × (120 + 24) > 1080
    qtbot.addWidget(root)
    root.resize(1920, 1080)
    found = audit_widget(root, ELDER, screen_name="too-tall", has_voice_prompt=True, error_messages={})
    assert [v.rule for v in found if v.rule == "screen-overflow"] == ["screen-overflow"]


def test_content_that_fits_passes_the_overflow_rule(qtbot: QtBot) -> None:
    root = _screen(buttons=3)
    qtbot.addWidget(root)
    root.resize(1920, 1080)
    found = audit_widget(root, ELDER, screen_name="fits", has_voice_prompt=True, error_messages={})
    assert not [v for v in found if v.rule == "screen-overflow"]
