"""Every sentence a citizen sees or hears comes from the strings catalog, in the visit's language.

The code that builds what a citizen meets (the screens, the visit, the hall's adapters) holds no "中文 / English"
pair to be shown or spoken whole, and every catalog key it names exists in both languages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from kiosk.visit.strings import CATALOG

ROOT = Path(__file__).resolve().parents[2]
#: What a citizen meets. The technician's panel and PIN, the audit's report and the screenshot tool speak to
#: technicians and developers, and say both languages on purpose.
CITIZEN_CODE = [
    *(
        p
        for p in (ROOT / "ui").rglob("*.py")
        if p.name not in {"technician_panel.py", "audit_screens.py", "screenshots.py"}
    ),
    *(ROOT / "kiosk" / "visit").rglob("*.py"),
    *(p for p in (ROOT / "kiosk" / "hall").rglob("*.py") if not p.name.startswith("technician")),
]
PAIR = re.compile(r"[\u4e00-\u9fff][^/]*\s/\s[A-Za-z]")
KEY_CALL = re.compile(r"""\b(?:t|texts|self\.texts|ctx\.texts|Notice|Notice\.of)\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")


def _programming_errors(tree: ast.AST) -> set[int]:
    """Line numbers of string constants raised in an exception other than the citizen's HallError: those say
    what a developer got wrong (unmasked data reaching paper), not what a citizen should do."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = node.exc.func.id if isinstance(node.exc.func, ast.Name) else ""
            if name != "HallError":
                lines |= {c.lineno for c in ast.walk(node.exc) if isinstance(c, ast.Constant)}
    return lines


def test_no_bilingual_pair_is_shown_whole() -> None:
    found = []
    for path in CITIZEN_CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = _programming_errors(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and PAIR.search(node.value)
                and node.lineno not in allowed
                and not _is_docstring(tree, node)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]}")
    assert found == []


def _is_docstring(tree: ast.AST, constant: ast.Constant) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and first.value is constant:
                return True
    return False


def test_every_key_named_in_the_code_is_in_the_catalog() -> None:
    missing = []
    for path in CITIZEN_CODE:
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            if key not in CATALOG:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []


def test_every_entry_has_both_languages() -> None:
    for key, (zh, en) in CATALOG.items():
        if key == "shell.language":  # the button names the other language, in that language
            continue
        assert re.search(r"[\u4e00-\u9fff]", zh), key
        assert en, key
        assert not re.search(r"[\u4e00-\u9fff]", en), key
