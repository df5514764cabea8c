"""The pinyin table holds every character of the 通用规范汉字表: an address and a rare surname can be spelt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ui.widgets.pinyin_table import SYLLABLES, candidates

ROOT = Path(__file__).resolve().parents[2]


def _offered(letters: str) -> set[str]:
    return {c.text for c in candidates(letters)}


def test_every_character_of_the_general_standard_list_is_in_the_table() -> None:
    known = {char for chars in SYLLABLES.values() for char in chars}
    assert len(known) >= 8105
    rare = {"院": "yuan", "栋": "dong", "层": "ceng", "禤": "xuan", "亓": "qi", "阚": "kan", "䶮": "yan"}
    for char, letters in rare.items():
        assert char in _offered(letters), (char, letters)
    assert len(_offered("bei")) > 10, "bei offers more than 北"


def test_surnames_still_come_first() -> None:
    assert candidates("wang")[0].text == "王"
    assert candidates("lv")[0].text == "吕"
    assert candidates("beijing")[0].text == "北京"


def test_the_data_file_is_what_the_generator_makes() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "make_pinyin_table.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
