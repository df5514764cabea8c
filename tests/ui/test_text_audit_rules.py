"""The audit's two rules for Chinese text, each tested against a screen built to break it (and a screen that
keeps it), and the real idle warning: half-width punctuation inside Chinese, and one character alone on a
wrapped text's last line (``页。``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from accessibility.audit import Violation, audit_widget
from accessibility.chinese_text import keep_last_together
from accessibility.themes import ELDER, STANDARD, Theme
from accessibility.voice_recording import RecordingVoice
from ui.controller import KioskController
from ui.parts import label

from .conftest import FakeClock

Make = Callable[..., tuple[KioskController, RecordingVoice, FakeClock]]
#: At heading size in elder mode on a portrait screen, this sentence wraps with 页。 alone on its last line.
COUNTDOWN = "59 秒后将清除您填写的内容并返回首页。"


def screen_of(qtbot: QtBot, theme: Theme, *texts: str, width: int = 1080, heading: bool = False) -> QWidget:
    root = QWidget()
    root.setStyleSheet(
        f"QWidget {{ background: {theme.palette.background}; color: {theme.palette.text};"
        f" font-size: {theme.heading_px if heading else theme.body_px}px; font-weight: 700; }}"
    )
    column = QVBoxLayout(root)
    column.setContentsMargins(72, 72, 72, 72)
    for text in texts:
        shown = QLabel(text)
        shown.setWordWrap(True)
        shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(shown)
    column.addStretch(1)
    qtbot.addWidget(root)
    root.resize(width, 1920)
    return root


def rules(found: list[Violation], *names: str) -> list[Violation]:
    return [v for v in found if v.rule in names]


def audit(root: QWidget, theme: Theme) -> list[Violation]:
    return audit_widget(root, theme, screen_name="built", has_voice_prompt=True, error_messages={})


def test_half_width_punctuation_inside_chinese_is_found(qtbot: QtBot) -> None:
    broken = screen_of(qtbot, STANDARD, "您还在办理吗?", "请带好身份证(本人)，再见.")
    found = rules(audit(broken, STANDARD), "half-width-punctuation")
    assert sorted(v.measured for v in found) == ["\u201c(\u201d", "\u201c)\u201d", "\u201c.\u201d", "\u201c?\u201d"]
    assert all("中文里用了半角标点" in v.message for v in found)


def test_full_width_punctuation_and_english_pass(qtbot: QtBot) -> None:
    kept = screen_of(qtbot, STANDARD, "您还在办理吗？", "请带好身份证（本人）。", "Case number (SMS): 10:30.")
    assert rules(audit(kept, STANDARD), "half-width-punctuation") == []


def test_one_character_alone_on_the_last_line_is_found(qtbot: QtBot) -> None:
    broken = screen_of(qtbot, ELDER, COUNTDOWN, heading=True)
    found = rules(audit(broken, ELDER), "text-orphan")
    assert len(found) == 1 and "页。" in found[0].measured


def test_the_last_two_characters_kept_together_pass(qtbot: QtBot) -> None:
    kept = screen_of(qtbot, ELDER, keep_last_together(COUNTDOWN), heading=True)
    assert rules(audit(kept, ELDER), "text-orphan") == []


@pytest.mark.parametrize("theme", [STANDARD, ELDER], ids=lambda t: t.name)
def test_every_label_made_by_the_screens_keeps_its_last_characters_together(qtbot: QtBot, theme: Theme) -> None:
    root = QWidget()
    root.setStyleSheet(f"QLabel {{ font-size: {theme.heading_px}px; font-weight: 700; }}")
    column = QVBoxLayout(root)
    column.setContentsMargins(72, 72, 72, 72)
    column.addWidget(label(COUNTDOWN, "heading", center=True))
    column.addStretch(1)
    qtbot.addWidget(root)
    root.resize(1080, 1920)
    assert rules(audit(root, theme), "text-orphan") == []


@pytest.mark.parametrize("shape", [(1080, 1920), (1920, 1080)])
def test_the_idle_warning_leaves_no_character_alone(make_controller: Make, shape: tuple[int, int]) -> None:
    controller, _, clock = make_controller(shape)
    controller.set_theme("elder")
    controller.start()
    for step in (121, 1, 1):  # the warning, then two ticks of its countdown (its text is set anew each second)
        clock.advance(step)
        controller.tick()
        warning = controller.window.overlay
        assert warning is not None and warning.objectName() == "idle-warning"
        found = audit(warning, controller.theme)
        assert rules(found, "text-orphan", "half-width-punctuation") == [], found
    controller.wipe()
