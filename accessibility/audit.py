"""The accessibility audit (无障碍检查): does a rendered screen meet the numbers of its theme?

A screen is checked as a person would meet it: shown at its real size (the caller sizes it, 1080×1920
portrait or 1920×1080 landscape), laid out, drawn. Then, widget by widget:

``text-size``      every visible text is at least ``theme.small_px`` pixels (``QFontInfo(font).pixelSize()``);
``contrast``       text against what is drawn behind it is at least 7:1 (WCAG 2.2 AAA), from the grabbed
                   pixels (see :mod:`accessibility.contrast`), falling back to the palette's text role where
                   the pixels cannot be trusted;
``target-size``    every enabled, visible button, and every widget marked with the dynamic property
                   ``touchTarget``, is at least ``theme.target_px`` square;
``target-spacing`` targets that do not overlap are at least :data:`MIN_TARGET_GAP_PX` apart;
``text-clipped``   a label's or button's text fits its rectangle (word wrap honoured);
``screen-overflow`` the whole screen's content fits the glass it is shown on (a kiosk window cannot grow),
                   in every state of the screen (candidate row shown, error shown, longest strings);
``keys-moved``     a key that is on the screen in two of its states is in the same place in both
                   (:func:`key_rectangles`, compared by
                   :func:`accessibility.audit_run.keys_moved`);
``voice-prompt``   the screen has a spoken prompt;
``error-spoken``   every error message the screen can show has a spoken form;
``half-width-punctuation`` no ``? , . ! : ; ( )`` typed half-width inside Chinese text
                   (:func:`accessibility.chinese_text.half_width_marks`);
``text-orphan``    a wrapped text's last line is not one character alone (``页。``).

Over every screen, theme and orientation: :func:`accessibility.audit_run.run_audit_over`, behind
``kiosk a11y-audit [--json]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from PySide6 import QtGui
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontInfo, QImage, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScroller,
    QTextEdit,
    QWidget,
)

from accessibility.chinese_text import half_width_marks, is_chinese
from accessibility.contrast import contrast_ratio, estimate_text_contrast, hex_of, rgb_of
from accessibility.themes import Theme

#: WCAG 2.2 AAA (1.4.6) for body text; we ask it of every text, large or not.
MIN_CONTRAST = 7.0
#: 工信部 适老化 rules and WCAG 2.5.8 want targets apart; we ask 16 px on a 1080-px screen.
MIN_TARGET_GAP_PX = 16
#: Dynamic property that marks a non-button widget (a tile, a card) as something a finger taps.
TOUCH_TARGET_PROPERTY = "touchTarget"

#: Each rule's headline, Chinese first: what the technician or designer reads.
RULES: dict[str, str] = {
    "text-size": "文字太小 / text too small",
    "contrast": "对比度不足 / text contrast too low",
    "target-size": "按钮太小 / touch target too small",
    "target-spacing": "按钮挨得太近 / touch targets too close together",
    "text-clipped": "文字显示不全 / text clipped: it needs more room than the widget gives it",
    "voice-prompt": "缺少语音提示 / the screen has no voice prompt",
    "error-spoken": "错误提示没有语音 / an error message has no spoken form",
    "screen-overflow": "内容超出屏幕 / the screen's content does not fit: part of it would be cut off",
    "keys-moved": "按键移位 / a key is somewhere else in another state of the same screen",
    "scroll-by-finger": "滑动不能翻页 / a scroll area does not follow a finger's swipe, or its bar is too thin",
    "half-width-punctuation": "中文里用了半角标点 / half-width punctuation inside Chinese text",
    "text-orphan": "末行只剩一个字 / a wrapped text leaves one character alone on its last line",
}

_FIELD_CLASSES = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)
_TEXT_CLASSES = (QLabel, QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


@dataclass(frozen=True)
class Violation:
    """One place where a screen falls below a number, said so a person can find and fix it."""

    screen: str
    theme: str
    rule: str
    widget: str
    measured: str
    required: str
    message: str
    orientation: str = ""


def describe(widget: QWidget) -> str:
    """``QPushButton#confirm "确定"``: class, objectName and a short excerpt of the text."""
    name = widget.objectName()
    text = shown_text(widget).replace("\n", " ")
    excerpt = text if len(text) <= 16 else text[:15] + "…"
    return widget.metaObject().className() + (f"#{name}" if name else "") + (f' "{excerpt}"' if text else "")


def shown_text(widget: QWidget) -> str:
    """The text a person sees on the widget (plain text, rich text stripped, placeholder if empty)."""
    text = ""
    if isinstance(widget, QLabel):
        text = widget.text()
        if widget.textFormat() == Qt.TextFormat.RichText or (
            widget.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
        ):
            doc = QTextDocument()
            doc.setHtml(text)
            text = doc.toPlainText()
    elif isinstance(widget, QAbstractButton):
        text = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    elif isinstance(widget, QLineEdit):
        text = widget.text() or widget.placeholderText()
    elif isinstance(widget, QComboBox):
        text = widget.currentText()
    elif isinstance(widget, QAbstractSpinBox):
        text = widget.text()
    elif isinstance(widget, QTextEdit | QPlainTextEdit):
        text = widget.toPlainText()
    return text.strip()


def _is_shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0 and not widget.visibleRegion().isEmpty()


def _walk(root: QWidget) -> Iterator[QWidget]:
    yield root
    for child in root.findChildren(QWidget):
        if _is_shown(child):
            yield child


def _is_target(widget: QWidget) -> bool:
    if not widget.isEnabled():
        return False
    return isinstance(widget, QAbstractButton) or bool(widget.property(TOUCH_TARGET_PROPERTY))


def _text_area(widget: QWidget, text: str, inset: int) -> QRect:
    """Where the text is drawn, kept off the border (and its rounded corners) so a border is not taken for
    text. A button's text may sit anywhere (tiles align it left, over two lines): its whole inside counts."""
    inner = widget.rect().adjusted(inset, inset, -inset, -inset)
    if isinstance(widget, QLabel) and not widget.wordWrap():
        drawn = widget.style().itemTextRect(
            widget.fontMetrics(), widget.contentsRect(), int(widget.alignment().value), True, text
        )
        return drawn.adjusted(-2, -2, 2, 2).intersected(inner)
    if isinstance(widget, QLabel):
        return widget.contentsRect().intersected(inner)
    return inner


class _ScreenAudit:
    """The checks for one rendered screen in one theme; collects :class:`Violation` values."""

    def __init__(self, theme: Theme, screen: str, orientation: str) -> None:
        self.theme = theme
        self.screen = screen
        self.orientation = orientation
        self.found: list[Violation] = []

    def add(self, rule: str, where: str, measured: str, required: str, detail: str = "") -> None:
        message = RULES[rule] + (f": {detail}" if detail else "")
        self.found.append(
            Violation(self.screen, self.theme.name, rule, where, measured, required, message, self.orientation)
        )

    def text_size(self, widget: QWidget) -> None:
        px = QFontInfo(widget.font()).pixelSize()
        if px < self.theme.small_px:
            self.add("text-size", describe(widget), f"{px} px", f"≥ {self.theme.small_px} px", self.theme.name)

    def contrast(self, window: QImage, root: QWidget, widget: QWidget, text: str) -> None:
        # Read the whole window's pixels, not widget.grab(): a transparent label shows its parent's fill.
        # A rounded corner's arc reaches about 0.3 × radius in from each edge.
        inset = self.theme.border_px + 1 + math.ceil(0.3 * self.theme.radius_px)
        area = _text_area(widget, text, inset)
        area.translate(widget.mapTo(root, area.topLeft()) - area.topLeft())
        estimate = estimate_text_contrast(window, area)
        if estimate is None:
            return
        text_rgb, ratio, how = estimate.text, estimate.ratio, "pixels"
        if not estimate.reliable:
            # Too few solid glyph pixels to trust: judge what Qt was asked to draw instead.
            text_rgb = rgb_of(widget.palette().color(widget.foregroundRole()))
            ratio, how = contrast_ratio(text_rgb, estimate.background), "palette"
        if ratio < MIN_CONTRAST:
            detail = f"text {hex_of(text_rgb)} on {hex_of(estimate.background)} (from {how})"
            self.add("contrast", describe(widget), f"{ratio:.1f}:1", f"≥ {MIN_CONTRAST:.0f}:1", detail)

    def punctuation(self, widget: QWidget, text: str) -> None:
        for mark in half_width_marks(text):
            where = f"{describe(widget)} at \u201c{mark.excerpt}\u201d"
            self.add("half-width-punctuation", where, f"\u201c{mark.mark}\u201d", f"\u201c{mark.should_be}\u201d")

    def orphan(self, widget: QWidget, text: str) -> None:
        """Lay the text out as the label wraps it; a last line of one Chinese character (and its stop) is an
        orphan (孤字)."""
        if not (isinstance(widget, QLabel) and widget.wordWrap()):
            return
        lines = wrapped_lines(text, widget.font(), widget.contentsRect().width())
        if len(lines) < 2:
            return
        last = [c for c in lines[-1] if not c.isspace() and c != "\u2060"]
        han = [c for c in last if is_chinese(c) and not (0x3000 <= ord(c) <= 0x303F or 0xFF00 <= ord(c) <= 0xFFEF)]
        if len(han) == 1 and len(last) <= 2:
            self.add("text-orphan", describe(widget), f"last line \u201c{''.join(last)}\u201d", "≥ 2 characters")

    def clipped(self, widget: QWidget, text: str) -> None:
        fm = widget.fontMetrics()
        if isinstance(widget, QLabel):
            m = widget.margin()
            room = widget.contentsRect().adjusted(m, m, -m, -m)
            flags = int(Qt.TextFlag.TextWordWrap.value) if widget.wordWrap() else 0
            limit = QRect(0, 0, room.width() if widget.wordWrap() else 100_000, 100_000)
            need = fm.boundingRect(limit, flags, text)
        elif isinstance(widget, QAbstractButton):
            room = widget.rect().adjusted(self.theme.border_px, 0, -self.theme.border_px, 0)
            need = fm.boundingRect(QRect(0, 0, 100_000, 100_000), 0, text)
        else:
            return
        if need.width() > room.width() or need.height() > room.height():
            measured, required = f"{need.width()}×{need.height()} px", f"≤ {room.width()}×{room.height()} px"
            self.add("text-clipped", describe(widget), measured, required)

    def target_size(self, widget: QWidget) -> None:
        need = self.theme.target_px
        if widget.width() < need or widget.height() < need:
            measured = f"{widget.width()}×{widget.height()} px"
            self.add("target-size", describe(widget), measured, f"≥ {need}×{need} px", self.theme.name)

    def target_spacing(self, root: QWidget, targets: list[QWidget]) -> None:
        boxes = [(t, QRect(t.mapTo(root, t.rect().topLeft()), t.size())) for t in targets]
        for i, (a, ra) in enumerate(boxes):
            for b, rb in boxes[i + 1 :]:
                # Overlap is a deliberate stack (a button on a tile); a target inside a target is one target.
                if ra.intersects(rb) or a.isAncestorOf(b) or b.isAncestorOf(a):
                    continue
                dx = max(0, rb.x() - (ra.x() + ra.width()), ra.x() - (rb.x() + rb.width()))
                dy = max(0, rb.y() - (ra.y() + ra.height()), ra.y() - (rb.y() + rb.height()))
                gap = math.hypot(dx, dy)
                if gap < MIN_TARGET_GAP_PX:
                    where = f"{describe(a)} ↔ {describe(b)}"
                    self.add("target-spacing", where, f"{gap:.0f} px", f"≥ {MIN_TARGET_GAP_PX} px")

    def fits(self, root: QWidget, width: int, height: int) -> None:
        """The screen's content fits the glass: a full-screen kiosk cannot grow, so more is cut off."""
        needed = root.minimumSizeHint().expandedTo(root.minimumSize())
        needed_height = needed.height()
        layout = root.layout()
        if layout is not None and layout.hasHeightForWidth():
            # wrapped text is taller when narrow: judge the height at the width the screen really has
            needed_height = layout.minimumHeightForWidth(width)
        if needed.width() > width or needed_height > height:
            self.add(
                "screen-overflow",
                describe(root),
                f"{needed.width()}×{needed_height} px",
                f"≤ {width}×{height} px",
            )

    def scrolling(self, area: QAbstractScrollArea) -> None:
        """A swipe scrolls it (kinetic scrolling grabbed on the viewport), and a shown bar is finger-wide."""
        viewport = area.viewport()
        if not (QScroller.hasScroller(viewport) and QScroller.grabbedGesture(viewport) != 0):
            self.add("scroll-by-finger", describe(area), "no kinetic scrolling", "a swipe scrolls")
        need = self.theme.target_px // 3
        for bar in (area.verticalScrollBar(), area.horizontalScrollBar()):
            thickness = bar.width() if bar.orientation() == Qt.Orientation.Vertical else bar.height()
            if _is_shown(bar) and thickness < need:
                self.add("scroll-by-finger", describe(bar), f"{thickness} px thick", f"≥ {need} px")

    def on_glass(self, root: QWidget, width: int, height: int) -> None:
        """Every shown widget lies on the glass: a layout squeezed below its minimum pushes keys off it."""
        glass = QRect(0, 0, width, height)
        for widget in _walk(root):
            if widget is root or (not _is_target(widget) and not isinstance(widget, _TEXT_CLASSES)):
                continue
            box = QRect(widget.mapTo(root, widget.rect().topLeft()), widget.size())
            if not glass.contains(box):
                where = f"{box.x()},{box.y()} {box.width()}×{box.height()}"
                self.add("screen-overflow", describe(widget), where, f"inside {width}×{height} px")

    def voice(self, has_voice_prompt: bool, error_messages: Mapping[str, str | None]) -> None:
        if not has_voice_prompt:
            self.add("voice-prompt", self.screen, "none", "a spoken prompt")
        for shown, spoken in error_messages.items():
            if not (spoken and spoken.strip()):
                self.add("error-spoken", f"error \u201c{shown}\u201d", "none", "a spoken form")


def audit_widget(
    root: QWidget,
    theme: Theme,
    *,
    screen_name: str,
    has_voice_prompt: bool,
    error_messages: Mapping[str, str | None],
    orientation: str = "",
    glass: tuple[int, int] | None = None,
) -> list[Violation]:
    """Check one screen, already built for ``theme`` and sized by the caller; shows it if it is hidden.

    ``glass``: the real screen's size. The window is held to it (a full-screen kiosk window cannot grow),
    and content that needs more, or is pushed off it, is a ``screen-overflow``.
    """
    if glass is not None:
        root.setFixedSize(*glass)
    wanted = root.size() if glass is None else QSize(*glass)
    if not root.isVisible():
        root.show()
    # Two turns: widgets that re-arrange themselves on resize post a second layout request.
    for _ in range(2):
        layout = root.layout()
        if layout is not None:
            layout.activate()
        QApplication.processEvents()
    audit = _ScreenAudit(theme, screen_name, orientation)
    audit.fits(root, wanted.width(), wanted.height())
    if glass is not None:
        audit.on_glass(root, *glass)
    window = root.grab().toImage()
    targets: list[QWidget] = []
    for widget in _walk(root):
        if isinstance(widget, QAbstractScrollArea):
            audit.scrolling(widget)
        if _is_target(widget):
            targets.append(widget)
            audit.target_size(widget)
        if not isinstance(widget, _TEXT_CLASSES):
            continue
        text = shown_text(widget)
        if text or isinstance(widget, _FIELD_CLASSES):
            audit.text_size(widget)  # a field's typed text must be big enough even while it is empty
        if text:
            audit.contrast(window, root, widget, text)
            audit.clipped(widget, text)
            audit.punctuation(widget, text)
            audit.orphan(widget, text)
    audit.target_spacing(root, targets)
    audit.voice(has_voice_prompt, error_messages)
    return audit.found


def key_rectangles(root: QWidget) -> dict[str, tuple[str, tuple[int, int, int, int]]]:
    """Every shown button with an object name: name → (its text, its rectangle on the window)."""
    keys: dict[str, tuple[str, tuple[int, int, int, int]]] = {}
    for widget in _walk(root):
        if isinstance(widget, QAbstractButton) and widget.objectName() and widget is not root:
            corner = widget.mapTo(root, widget.rect().topLeft())
            keys[widget.objectName()] = (shown_text(widget), (corner.x(), corner.y(), widget.width(), widget.height()))
    return keys


def wrapped_lines(text: str, font: QtGui.QFont, width: int) -> list[str]:
    """``text`` broken into lines as a word-wrapping label of ``width`` pixels breaks it."""
    layout = QtGui.QTextLayout(text, font)
    option = QtGui.QTextOption()
    option.setWrapMode(QtGui.QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    lines: list[str] = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, width))
        lines.append(text[line.textStart() : line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def format_violations(violations: list[Violation] | tuple[Violation, ...]) -> str:
    """One line per violation, grouped by screen: what, where, measured against required."""
    if not violations:
        return "无障碍检查通过 / accessibility audit passed: no violations"
    lines: list[str] = []
    last = None
    for v in sorted(violations, key=lambda v: (v.screen, v.theme, v.orientation, v.rule)):
        where = (v.screen, v.theme, v.orientation)
        if where != last:
            lines.append(f"{v.screen} [{v.theme}{', ' + v.orientation if v.orientation else ''}]")
            last = where
        lines.append(f"  {v.rule}: {v.widget}: {v.measured} (needs {v.required}) — {v.message}")
    lines.append(f"{len(violations)} violation(s)")
    return "\n".join(lines)
