"""Themes as tokens: font sizes, spacing, colours and target sizes for standard, elder (长辈版), high contrast.

The numbers are the floor set by 工信部 适老化通用设计规范, WCAG 2.2 AAA and the ADA/508 kiosk rules, raised for
a 1080-pixel-wide touch screen seen from standing height: elder body text ≥ 32 px, headings ≥ 48 px; targets
≥ 96 × 96 px in elder mode and ≥ 64 × 64 px otherwise, 16 px apart; line spacing ≥ 1.3; text contrast ≥ 7:1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    background: str
    surface: str
    text: str
    muted_text: str
    primary: str
    on_primary: str
    danger: str
    on_danger: str
    success: str
    on_success: str
    border: str
    focus: str


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    body_px: int
    small_px: int
    heading_px: int
    title_px: int
    button_px: int
    line_spacing: float
    target_px: int
    spacing_px: int
    radius_px: int
    border_px: int
    max_tiles_per_page: int
    one_field_per_page: bool
    timeout_factor: float
    palette: Palette


STANDARD = Theme(
    name="standard",
    label="标准版",
    body_px=26,
    small_px=24,
    heading_px=40,
    title_px=48,
    button_px=28,
    line_spacing=1.4,
    target_px=72,
    spacing_px=16,
    radius_px=14,
    border_px=2,
    max_tiles_per_page=9,
    one_field_per_page=False,
    timeout_factor=1.0,
    palette=Palette(
        background="#F4F6FA",
        surface="#FFFFFF",
        text="#111827",
        muted_text="#374151",
        primary="#0B4F9C",
        on_primary="#FFFFFF",
        danger="#9B1C1C",
        on_danger="#FFFFFF",
        success="#0F5132",
        on_success="#FFFFFF",
        border="#4B5563",
        focus="#92400E",
    ),
)

ELDER = Theme(
    name="elder",
    label="长辈版",
    body_px=36,
    small_px=32,
    heading_px=52,
    title_px=60,
    button_px=38,
    line_spacing=1.5,
    target_px=112,
    spacing_px=24,
    radius_px=18,
    border_px=3,
    max_tiles_per_page=6,
    one_field_per_page=True,
    timeout_factor=2.0,
    palette=Palette(
        background="#FFF8EE",
        surface="#FFFFFF",
        text="#1A1A1A",
        muted_text="#333333",
        primary="#8A2A0B",
        on_primary="#FFFFFF",
        danger="#8B0000",
        on_danger="#FFFFFF",
        success="#14532D",
        on_success="#FFFFFF",
        border="#3F3F3F",
        focus="#0B4F9C",
    ),
)

HIGH_CONTRAST = Theme(
    name="high_contrast",
    label="高对比度",
    body_px=32,
    small_px=28,
    heading_px=48,
    title_px=56,
    button_px=34,
    line_spacing=1.5,
    target_px=96,
    spacing_px=20,
    radius_px=8,
    border_px=4,
    max_tiles_per_page=6,
    one_field_per_page=False,
    timeout_factor=1.5,
    palette=Palette(
        background="#000000",
        surface="#000000",
        text="#FFFFFF",
        muted_text="#FFFF00",
        primary="#FFFF00",
        on_primary="#000000",
        danger="#FF9E9E",
        on_danger="#000000",
        success="#7CFC9A",
        on_success="#000000",
        border="#FFFFFF",
        focus="#00FFFF",
    ),
)

THEMES: dict[str, Theme] = {t.name: t for t in (STANDARD, ELDER, HIGH_CONTRAST)}


def theme_named(name: str) -> Theme:
    return THEMES[name]
