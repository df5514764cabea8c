"""``kiosk doctor id-reader``: what a technician sees, and the exit codes scripts rely on."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from devices.idcard import frames
from devices.idcard.simulator import Fault, IdCardSimulator
from kiosk.cli.main import main


@pytest.fixture
def sim() -> Iterator[IdCardSimulator]:
    simulator = IdCardSimulator()
    simulator.serve_socket()
    yield simulator
    simulator.close()


def test_sim_reader_prints_masked_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "id-reader", "--port", "sim://"]) == 0
    out = capsys.readouterr().out
    assert "王*" in out
    assert "110***********0017" in out
    assert "110101198503120017" not in out
    assert "王䶮" not in out


def test_reveal_shows_the_full_fields_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "id-reader", "--port", "sim://?card=li_kun", "--json", "--reveal"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert fields["name"] == "李堃"
    assert fields["id_number"] == "110101194901010026"
    assert fields["valid_until"] == "长期"
    assert fields["ethnicity"] == "回"


def test_real_serial_url_with_a_card(sim: IdCardSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    sim.place_card("john_smith")
    assert main(["doctor", "id-reader", "--port", sim.url, "--json"]) == 0
    fields = json.loads(capsys.readouterr().out)
    assert fields["english_name"] == "S**** J*** S*****"
    assert fields["nationality"] == "USA 美国"


def test_no_card_exits_4(sim: IdCardSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "id-reader", "--port", sim.url, "--timeout", "0.5"]) == 4
    assert "no card" in capsys.readouterr().err


def test_no_reader_exits_3(sim: IdCardSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    url = sim.url
    sim.unplug()
    assert main(["doctor", "id-reader", "--port", url]) == 3
    err = capsys.readouterr().err
    assert "cannot open serial port" in err
    assert "Traceback" not in err


def test_protocol_error_exits_5(sim: IdCardSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    sim.place_card("wang_yan")
    sim.inject(Fault.BAD_CHECKSUM, command=frames.READ_BASE)
    assert main(["doctor", "id-reader", "--port", sim.url]) == 5
    assert "checksum" in capsys.readouterr().err
