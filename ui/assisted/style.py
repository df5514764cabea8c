"""The desktop look of the staff member's client: readable at 1366×768 from a chair, for a working day.

Body text 16 px and up, every control at least 32 px tall, text contrast 7:1 or better (above the 4.5:1 a
desktop needs): dark text on white, white on a deep blue for the main action, deep red for refusals.
"""

from __future__ import annotations

from accessibility.themes import STANDARD, Theme

DESKTOP = Theme(
    name="desktop",
    label="桌面版",
    body_px=16,
    small_px=16,
    heading_px=22,
    title_px=26,
    button_px=16,
    line_spacing=1.4,
    target_px=32,
    spacing_px=8,
    radius_px=4,
    border_px=1,
    max_tiles_per_page=12,
    one_field_per_page=False,
    timeout_factor=1.0,
    palette=STANDARD.palette,  # the kiosk's standard colours: the same hall, the same look
)

#: Background of a warning strip (limits near, the idle lock coming); its text stays the body colour.
WARN_BACKGROUND = "#FDF3C8"
REFUSE_BACKGROUND = "#FBE4E4"


def desk_style_sheet(theme: Theme = DESKTOP) -> str:
    p = theme.palette
    return f"""
QWidget {{ font-size: {theme.body_px}px; color: {p.text}; }}
QMainWindow, QWidget#assisted-root {{ background: {p.background}; }}
QLabel[role="title"] {{ font-size: {theme.title_px}px; font-weight: bold; }}
QLabel[role="heading"] {{ font-size: {theme.heading_px}px; font-weight: bold; }}
QLabel[role="muted"] {{ color: {p.muted_text}; }}
QLabel[role="error"] {{ color: {p.danger}; font-weight: bold; }}
QLabel[role="ok"] {{ color: {p.success}; }}
QLabel#login-notice {{ background: {WARN_BACKGROUND}; border: 1px solid {p.focus}; padding: 6px; }}
QFrame[role="strip-warn"] {{ background: {WARN_BACKGROUND}; border: 1px solid {p.focus}; }}
QFrame[role="strip-refuse"] {{ background: {REFUSE_BACKGROUND}; border: 1px solid {p.danger}; }}
QFrame[role="strip-ok"], QFrame[role="panel"] {{ background: {p.surface}; border: 1px solid #C9CED6; }}
QGroupBox {{ background: {p.surface}; border: 1px solid #C9CED6; margin-top: 14px; padding: 10px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 8px; font-weight: bold; }}
QLineEdit, QComboBox, QDateEdit, QPlainTextEdit {{
    min-height: {theme.target_px}px; padding: 2px 6px; background: {p.surface};
    border: 1px solid {p.border}; border-radius: {theme.radius_px}px;
}}
QLineEdit, QPlainTextEdit {{ placeholder-text-color: {p.muted_text}; }}
QLineEdit:focus, QComboBox:focus, QDateEdit:focus, QPlainTextEdit:focus {{ border: 2px solid {p.focus}; }}
QPushButton {{
    min-height: {theme.target_px}px; min-width: 72px; padding: 2px 14px; background: {p.surface};
    border: 1px solid {p.border}; border-radius: {theme.radius_px}px;
}}
QPushButton:focus {{ border: 2px solid {p.focus}; }}
QPushButton[role="primary"] {{ background: {p.primary}; color: {p.on_primary}; border-color: {p.primary}; }}
QPushButton:disabled {{ color: #4B5563; background: #E5E7EB; }}
QLineEdit:disabled, QComboBox:disabled, QDateEdit:disabled {{ color: #4B5563; background: #E5E7EB; }}
QCheckBox, QRadioButton {{ min-height: {theme.target_px}px; spacing: 8px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 20px; height: 20px; }}
QTableView {{ background: {p.surface}; gridline-color: #D1D5DB; selection-background-color: #CFE0F5;
    selection-color: {p.text}; }}
QHeaderView::section {{ background: #E8ECF2; padding: 4px; border: 0; border-right: 1px solid #C9CED6;
    font-weight: bold; min-height: {theme.target_px}px; }}
QProgressBar {{ min-height: 24px; border: 1px solid {p.border}; text-align: center; background: {p.surface}; }}
QProgressBar::chunk {{ background: #8DB4E2; }}
QScrollBar:vertical {{ width: 16px; }}
"""
