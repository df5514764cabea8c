"""The accessibility audit over every screen (无障碍检查): each screen the UI provides, in every theme and every
orientation the kiosk is installed in, each of its states, checked by :func:`accessibility.audit.audit_widget`;
keys that stand elsewhere in another state of a screen; the report ``kiosk a11y-audit`` prints."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from accessibility.audit import RULES, Violation, audit_widget, format_violations, key_rectangles
from accessibility.themes import Theme


def keys_moved(
    screen: str,
    theme: str,
    orientation: str,
    states: Mapping[str, dict[str, tuple[str, tuple[int, int, int, int]]]],
) -> list[Violation]:
    """Keys that stand elsewhere in another state of the screen: compared with the first state, every key
    with the same name and text must have the same rectangle (a key that changed its text is another key)."""
    found: list[Violation] = []
    items = list(states.items())
    if not items:
        return found
    first_state, first = items[0]
    for state, keys in items[1:]:
        for name, (text, box) in keys.items():
            if name in first and first[name][0] == text and first[name][1] != box:
                found.append(
                    Violation(
                        screen,
                        theme,
                        "keys-moved",
                        f"{name} \u201c{text}\u201d in {state or 'base'}",
                        "{},{} {}×{}".format(*box),
                        "{},{} {}×{} as in {}".format(*first[name][1], first_state or "base"),
                        RULES["keys-moved"],
                        orientation,
                    )
                )
    return found


@dataclass(frozen=True)
class Orientation:
    """A screen shape the kiosk is installed in."""

    name: str
    width: int
    height: int


PORTRAIT = Orientation("portrait", 1080, 1920)
LANDSCAPE = Orientation("landscape", 1920, 1080)
ORIENTATIONS = (PORTRAIT, LANDSCAPE)


@dataclass(frozen=True)
class AuditTarget:
    """One screen to audit, as the UI provides it.

    ``build(theme)`` returns a new, not yet shown top-level QWidget for that theme, filled with sample
    data so every text it can show is there (the longest service name, an error banner if the screen has
    one). The audit sizes it, shows it, checks it, then closes and deletes it: the factory must not keep it.
    ``voice_prompt`` is what the voice says on entering the screen (empty or ``None``: no prompt);
    ``error_messages`` maps each error text the screen can display to its spoken form (``None``: silent).
    """

    name: str
    build: Callable[[Theme], QWidget]
    voice_prompt: str | None
    error_messages: Mapping[str, str | None] = field(default_factory=dict)
    #: The screen's other states (label → build): each is audited too, and its keys compared with the first.
    states: Mapping[str, Callable[[Theme], QWidget]] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditReport:
    """The result over every screen × theme × orientation checked."""

    violations: tuple[Violation, ...]
    checked: tuple[tuple[str, str, str], ...]

    @property
    def passed(self) -> bool:
        return not self.violations

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "checked": [{"screen": s, "theme": t, "orientation": o} for s, t, o in self.checked],
            "violations": [asdict(v) for v in self.violations],
        }

    def text(self) -> str:
        return f"checked {len(self.checked)} screen renderings\n" + format_violations(self.violations)


class AuditError(Exception):
    """The audit could not run (no QApplication, a screen factory failed); the message names the screen."""


def run_audit_over(
    screens: Iterable[AuditTarget],
    themes: Iterable[Theme],
    orientations: Iterable[Orientation] = ORIENTATIONS,
) -> AuditReport:
    """Build, size, show and check every screen in every theme and orientation.

    Needs a running ``QApplication`` (offscreen is fine: ``QT_QPA_PLATFORM=offscreen``).
    ``ui.launch.run_audit`` is expected to create one, gather an :class:`AuditTarget` per screen, call
    this with the three themes of :data:`accessibility.themes.THEMES` and :data:`ORIENTATIONS`, print
    ``report.text()`` (or ``json.dumps(report.to_json())`` for ``--json``) and return 0 when
    ``report.passed``, else 1.
    """
    if QApplication.instance() is None:
        raise AuditError("the accessibility audit needs a QApplication; create one first (offscreen works)")
    theme_list, shape_list = list(themes), list(orientations)
    found: list[Violation] = []
    checked: list[tuple[str, str, str]] = []
    for target in screens:
        builds = {"": target.build, **target.states}
        for theme in theme_list:
            for shape in shape_list:
                keys: dict[str, dict[str, tuple[str, tuple[int, int, int, int]]]] = {}
                for state, build in builds.items():
                    name = f"{target.name}~{state}" if state else target.name
                    try:
                        root = build(theme)
                    except Exception as exc:
                        raise AuditError(f"screen {name!r} could not be built in theme {theme.name}: {exc}") from exc
                    try:
                        found += audit_widget(
                            root,
                            theme,
                            screen_name=name,
                            has_voice_prompt=bool(target.voice_prompt and target.voice_prompt.strip()),
                            error_messages=target.error_messages,
                            orientation=shape.name,
                            glass=(shape.width, shape.height),
                        )
                        keys[state] = key_rectangles(root)
                    finally:
                        root.close()
                        root.deleteLater()
                    checked.append((name, theme.name, shape.name))
                found += keys_moved(target.name, theme.name, shape.name, keys)
    return AuditReport(tuple(found), tuple(checked))
