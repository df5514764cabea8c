"""Theme tokens → one Qt style sheet. Widgets carry a ``role`` property; the sheet sizes and colours them."""

from __future__ import annotations

from accessibility.themes import Theme


def style_sheet(theme: Theme) -> str:
    p = theme.palette
    t = theme
    return f"""
QWidget {{
    background: {p.background}; color: {p.text};
    font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif;
    font-size: {t.body_px}px;
}}
QLabel {{ background: transparent; }}
QLabel[role="title"] {{ font-size: {t.title_px}px; font-weight: 700; }}
QLabel[role="heading"] {{ font-size: {t.heading_px}px; font-weight: 700; }}
QLabel[role="small"] {{ font-size: {t.small_px}px; color: {p.muted_text}; }}
QLabel[role="error"] {{
    font-size: {t.body_px}px; font-weight: 700; color: {p.on_danger}; background: {p.danger};
    border: {t.border_px}px solid {p.border}; border-radius: {t.radius_px}px; padding: {t.spacing_px // 2}px;
}}
QLabel[role="value"] {{
    font-size: {t.heading_px}px; background: {p.surface}; color: {p.text};
    border: {t.border_px}px solid {p.border}; border-radius: {t.radius_px}px; padding: {t.spacing_px // 2}px;
}}
QFrame[role="card"] {{
    background: {p.surface}; border: {t.border_px}px solid {p.border}; border-radius: {t.radius_px}px;
}}
QFrame[role="card"] QLabel {{ background: {p.surface}; }}
QFrame[role="card"] QLabel[role="error"] {{ background: {p.danger}; }}
QFrame[role="bar"] {{ background: {p.surface}; border-bottom: {t.border_px}px solid {p.border}; }}
QFrame[role="bar"] QLabel {{ background: {p.surface}; }}
QFrame[role="overlay"] {{ background: {p.surface}; border: {t.border_px * 2}px solid {p.focus}; }}
QFrame[role="overlay"] QLabel {{ background: {p.surface}; }}
QPushButton {{
    min-width: {t.target_px}px; min-height: {t.target_px}px;
    font-size: {t.button_px}px; font-weight: 700;
    background: {p.primary}; color: {p.on_primary};
    border: {t.border_px}px solid {p.border}; border-radius: {t.radius_px}px;
    padding: 4px {t.spacing_px}px;
}}
QPushButton:pressed {{ background: {p.focus}; }}
QPushButton:focus {{ border: {t.border_px + 2}px solid {p.focus}; }}
QPushButton[role="secondary"] {{ background: {p.surface}; color: {p.text}; }}
QPushButton[role="danger"] {{ background: {p.danger}; color: {p.on_danger}; }}
QPushButton[role="success"] {{ background: {p.success}; color: {p.on_success}; }}
QPushButton[role="tile"] {{
    background: {p.surface}; color: {p.text}; padding: {t.spacing_px}px;
    font-size: {t.button_px}px;
}}
QPushButton#start {{ font-size: {t.title_px}px; min-height: {t.target_px * 2}px; }}
QPushButton[role="elder-door"] {{
    background: {p.primary}; color: {p.on_primary}; border: {t.border_px + 2}px solid {p.border};
}}
QPushButton[role="elder-door"] QLabel {{ color: {p.on_primary}; background: transparent; }}
QPushButton[door="true"] {{ min-height: {t.target_px * 3 // 2}px; }}
QPushButton:disabled {{ background: {p.surface}; color: {p.muted_text}; border-style: dashed; }}
QLineEdit {{
    min-height: {t.target_px}px; font-size: {t.heading_px}px; background: {p.surface}; color: {p.text};
    border: {t.border_px}px solid {p.border}; border-radius: {t.radius_px}px; padding: 0 {t.spacing_px}px;
}}
QScrollArea {{ border: none; }}
QScrollBar:vertical {{
    width: {t.target_px // 2}px; background: {p.surface}; border: {t.border_px}px solid {p.border};
    border-radius: {t.radius_px}px; margin: 0px;
}}
QScrollBar::handle:vertical {{
    background: {p.text}; min-height: {t.target_px}px; border-radius: {t.radius_px}px; margin: 4px;
}}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0px; }}
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
"""
