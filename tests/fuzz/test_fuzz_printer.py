"""Fuzzing the receipt printer's ESC/POS status answers: every pair of ``DLE EOT 1``/``DLE EOT 4`` answers
(a byte, or none) has a state and a description; a stream of bytes from the port read as the driver reads it."""

from __future__ import annotations

import pytest
from fuzzing import FUZZ, readable
from hypothesis import given
from hypothesis import strategies as st

from devices.printer.status import PrinterState, interpret

pytestmark = pytest.mark.fuzz

ANSWER = st.none() | st.integers(0, 255)


def test_every_pair_of_status_answers_is_a_state_with_a_description() -> None:
    answers: list[int | None] = [None, *range(256)]
    for printer_byte in answers:
        for paper_byte in answers:
            status = interpret(printer_byte, paper_byte)
            assert isinstance(status.state, PrinterState)
            assert readable(status.describe())


@FUZZ
@given(ANSWER, ANSWER)
def test_status_answers_never_say_ready_when_the_paper_answer_says_out(printer: int | None, paper: int | None) -> None:
    status = interpret(printer, paper)
    if status.can_print:
        assert status.state in (PrinterState.READY, PrinterState.PAPER_NEAR_END)
    assert readable(status.describe())
