"""What the big keyboard has written and the pinyin being typed (no Qt): letters in, characters chosen from
the candidates of :mod:`ui.widgets.pinyin_table`, a character or word written as it stands, backspace and
clear, within the field's length."""

from __future__ import annotations

from ui.widgets.pinyin_table import Candidate, candidates

ALPHABET = "abcdefghijklmnopqrstuvwxyz"


class PinyinComposer:
    """What has been written and the pinyin being typed: ``text`` (committed) and ``letters`` (pending)."""

    def __init__(self, *, max_length: int = 40) -> None:
        self.max_length = max_length
        self.text = ""
        self.letters = ""

    def candidates(self) -> list[Candidate]:
        return candidates(self.letters)

    def type_letter(self, letter: str) -> bool:
        if len(self.letters) >= 24 or len(letter) != 1 or letter not in ALPHABET:
            return False
        self.letters += letter
        return True

    def choose(self, candidate: Candidate) -> bool:
        if len(self.text) + len(candidate.text) > self.max_length:
            return False
        self.text += candidate.text
        self.letters = self.letters[candidate.letters_used :]
        return True

    def write(self, text: str) -> bool:
        """Write ``text`` as it stands (a digit, an address word, a handwritten character)."""
        if not text or len(self.text) + len(text) > self.max_length:
            return False
        self.text += text
        return True

    def keep_letters(self) -> bool:
        """The fallback: write the letters as typed (staff can correct them later)."""
        return self.choose(Candidate(self.letters, len(self.letters))) if self.letters else False

    def backspace(self) -> bool:
        """Remove the last pinyin letter, or when there is none, the last written character."""
        if self.letters:
            self.letters = self.letters[:-1]
        elif self.text:
            self.text = self.text[:-1]
        else:
            return False
        return True

    def clear(self) -> bool:
        had = bool(self.text or self.letters)
        self.text = self.letters = ""
        return had
