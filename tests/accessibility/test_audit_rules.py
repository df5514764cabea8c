"""The accessibility audit catches what an elderly citizen would trip over, and passes a right screen."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from accessibility.audit import Violation, audit_widget, format_violations
from accessibility.audit_run import LANDSCAPE, PORTRAIT, AuditTarget, run_audit_over
from accessibility.contrast import contrast_ratio
from accessibility.themes import ELDER, HIGH_CONTRAST, STANDARD, THEMES, Theme

ERRORS_OK = {"身份证读取失败，请重新放置": "身份证没有读到，请把身份证重新放到感应区"}


def good_screen(theme: Theme) -> QWidget:
    """A screen built only from the theme's tokens, as the real screens are meant to be."""
    p = theme.palette
    root = QWidget()
    root.setObjectName("screen")
    root.setStyleSheet(
        f"QWidget#screen {{ background: {p.background}; }}"
        f"QLabel {{ color: {p.text}; background: transparent; font-size: {theme.body_px}px; }}"
        f"QLabel#title {{ font-size: {theme.title_px}px; font-weight: bold; }}"
        f"QLineEdit {{ color: {p.text}; background: {p.surface}; font-size: {theme.body_px}px;"
        f" border: {theme.border_px}px solid {p.border}; min-height: {theme.target_px}px; }}"
        f"QPushButton {{ color: {p.on_primary}; background: {p.primary}; font-size: {theme.button_px}px;"
        f" border: {theme.border_px}px solid {p.border}; border-radius: {theme.radius_px}px;"
        f" min-width: {theme.target_px * 2}px; min-height: {theme.target_px}px; }}"
    )
    column = QVBoxLayout(root)
    column.setSpacing(theme.spacing_px)
    title = QLabel("社保卡补办")
    title.setObjectName("title")
    column.addWidget(title)
    body = QLabel("请把身份证放到下方感应区，听到“嘀”一声后取走。如果读不出来，请点“找人帮忙”。")
    body.setWordWrap(True)
    column.addWidget(body)
    column.addWidget(QLineEdit("13800138000"))
    column.addWidget(tile(theme, "高龄津贴申请\n民政局", p.text))
    column.addStretch(1)
    row = QHBoxLayout()
    row.setSpacing(max(theme.spacing_px, 16))
    for text in ("返回", "找人帮忙", "下一步"):
        row.addWidget(QPushButton(text))
    column.addLayout(row)
    return root


def tile(theme: Theme, text: str, colour: str) -> QPushButton:
    """A service tile: two lines of text aligned left, as the services screen draws them."""
    p = theme.palette
    button = QPushButton(text)
    button.setObjectName("tile")
    button.setStyleSheet(
        f"QPushButton#tile {{ color: {colour}; background: {p.surface}; text-align: left;"
        f" padding: {theme.spacing_px}px; font-size: {theme.button_px}px; min-height: {theme.target_px * 2}px;"
        f" border: {theme.border_px}px solid {p.border}; border-radius: {theme.radius_px}px; }}"
    )
    return button


def bad_screen(theme: Theme) -> QWidget:
    """Every mistake at once: tiny text, pale text, a small button, a clipped label, buttons touching."""
    p = theme.palette
    root = QWidget()
    root.setObjectName("screen")
    root.setStyleSheet(f"QWidget#screen {{ background: {p.background}; }}")
    tiny = QLabel("温馨提示", root)
    tiny.setObjectName("tiny")
    tiny.setStyleSheet(f"color: {p.text}; font-size: 14px;")
    tiny.setGeometry(20, 20, 400, 60)
    pale = QLabel("办理进度", root)
    pale.setObjectName("pale")
    pale.setStyleSheet(f"color: #B0B0B0; background: #FFFFFF; font-size: {theme.heading_px}px;")
    pale.setGeometry(20, 100, 600, theme.heading_px * 2)
    small = QPushButton("好", root)
    small.setObjectName("small")
    small.setStyleSheet(f"font-size: {theme.button_px}px;")
    small.setGeometry(20, 400, 50, 50)
    clipped = QLabel("不动产登记资料查询申请", root)
    clipped.setObjectName("clipped")
    clipped.setStyleSheet(f"color: {p.text}; font-size: {theme.body_px}px;")
    clipped.setGeometry(20, 600, 150, theme.body_px * 2)
    field = QLineEdit(root)  # empty, but what will be typed into it is tiny
    field.setObjectName("field")
    field.setStyleSheet("font-size: 16px;")
    field.setGeometry(20, 1100, 600, theme.target_px)
    for i, name in enumerate(("left", "right")):
        touching = QPushButton("确定" if i else "取消", root)
        touching.setObjectName(name)
        touching.setStyleSheet(f"font-size: {theme.button_px}px;")
        touching.setGeometry(20 + i * (theme.target_px * 2 + 4), 800, theme.target_px * 2, theme.target_px)
    return root


@pytest.fixture
def screen(qtbot: QtBot) -> Iterator[list[QWidget]]:
    """Widgets made in a test, closed after it."""
    made: list[QWidget] = []
    yield made
    for widget in made:
        widget.close()
        widget.deleteLater()


def _audit(widget: QWidget, theme: Theme, *, voice: bool = True, errors: dict[str, str | None] | None = None):
    widget.resize(PORTRAIT.width, PORTRAIT.height)
    return audit_widget(
        widget,
        theme,
        screen_name="test",
        has_voice_prompt=voice,
        error_messages=ERRORS_OK if errors is None else errors,
    )


def _by_rule(found: list[Violation]) -> dict[str, list[Violation]]:
    out: dict[str, list[Violation]] = {}
    for v in found:
        out.setdefault(v.rule, []).append(v)
    return out


@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
def test_a_screen_built_from_the_theme_tokens_passes(screen: list[QWidget], theme: Theme) -> None:
    root = good_screen(theme)
    screen.append(root)
    found = _audit(root, theme)
    assert found == [], format_violations(found)


def test_the_bad_screen_names_each_mistake(screen: list[QWidget]) -> None:
    root = bad_screen(ELDER)
    screen.append(root)
    found = _audit(root, ELDER, voice=False, errors={"网络中断": None, "请重试": "  "})
    rules = _by_rule(found)
    report = format_violations(found)

    assert any("QLabel#tiny" in v.widget and v.measured == "14 px" for v in rules["text-size"]), report
    assert any(v.widget == "QLineEdit#field" and v.measured == "16 px" for v in rules["text-size"]), report
    assert rules["text-size"][0].required == f"≥ {ELDER.small_px} px"
    pale = [v for v in rules["contrast"] if "#pale" in v.widget]
    assert pale, report
    assert float(pale[0].measured.split(":")[0]) < 3.0
    assert any("#small" in v.widget and v.measured == "50×50 px" for v in rules["target-size"]), report
    assert any("#clipped" in v.widget for v in rules["text-clipped"]), report
    assert any("#left" in v.widget and "#right" in v.widget for v in rules["target-spacing"]), report
    assert len(rules["voice-prompt"]) == 1
    assert sorted(v.widget for v in rules["error-spoken"]) == ["error “网络中断”", "error “请重试”"]
    # The readable form names the screen, the widget and both numbers.
    assert "test [elder]" in report
    assert "QPushButton#small" in report
    assert "50×50 px (needs ≥ 112×112 px)" in report


def test_the_pixel_contrast_matches_the_wcag_ratio_of_the_colours_drawn(screen: list[QWidget]) -> None:
    root = QWidget()
    root.setObjectName("screen")
    screen.append(root)
    root.setStyleSheet("QWidget#screen { background: #FFFFFF; }")
    label = QLabel("对比度", root)
    # #767676 on white is the well-known 4.54:1 grey: fine for AA, not for our 7:1.
    label.setStyleSheet(f"color: #767676; background: #FFFFFF; font-size: {STANDARD.heading_px}px;")
    label.setGeometry(10, 10, 400, 100)
    found = _audit(root, STANDARD)
    assert [v.rule for v in found] == ["contrast"]
    assert found[0].measured == f"{contrast_ratio((0x76,) * 3, (255,) * 3):.1f}:1" == "4.5:1"


@pytest.mark.parametrize("theme", THEMES.values(), ids=THEMES.keys())
def test_a_pale_tile_is_caught_wherever_its_text_sits(screen: list[QWidget], theme: Theme) -> None:
    root = QWidget()
    root.setObjectName("screen")
    root.setStyleSheet(f"QWidget#screen {{ background: {theme.palette.background}; }}")
    screen.append(root)
    pale = "#999999" if theme is not HIGH_CONTRAST else "#333333"
    column = QVBoxLayout(root)
    column.addWidget(tile(theme, "居住证申领\n公安局", pale))
    column.addStretch(1)
    found = _audit(root, theme)
    assert [v.rule for v in found] == ["contrast"], format_violations(found)
    assert float(found[0].measured.split(":")[0]) < 3.5


def test_hidden_and_disabled_widgets_are_not_judged(screen: list[QWidget]) -> None:
    root = good_screen(HIGH_CONTRAST)
    screen.append(root)
    hidden = QLabel("隐藏", root)
    hidden.setStyleSheet("font-size: 8px;")
    hidden.hide()
    off = QPushButton("", root)
    off.setGeometry(0, 0, 10, 10)
    off.setEnabled(False)
    assert _audit(root, HIGH_CONTRAST) == []


def test_run_over_screens_themes_and_orientations_reports_each(qtbot: QtBot) -> None:
    targets = [
        AuditTarget("good", good_screen, "请放身份证", ERRORS_OK),
        AuditTarget("silent", good_screen, None, {"读卡失败": None}),
    ]
    report = run_audit_over(targets, [STANDARD, ELDER], [PORTRAIT, LANDSCAPE])
    assert len(report.checked) == 8
    assert not report.passed
    rules = {(v.screen, v.rule) for v in report.violations}
    assert rules == {("silent", "voice-prompt"), ("silent", "error-spoken")}
    assert {(v.theme, v.orientation) for v in report.violations} == {
        (t, o) for t in ("standard", "elder") for o in ("portrait", "landscape")
    }
    data = json.loads(json.dumps(report.to_json(), ensure_ascii=False))
    assert data["passed"] is False
    assert data["violations"][0]["screen"] == "silent"
    assert "8 screen renderings" in report.text()
