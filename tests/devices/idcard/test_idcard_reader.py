"""The serial driver against the simulator: real frames over a real pty or a loopback socket."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from devices.base import Backoff, DeviceHealth, DeviceState, SilentHandler
from devices.idcard import frames
from devices.idcard.card import CardType, IdCard
from devices.idcard.errors import (
    CardAuthenticationError,
    CardReadError,
    FrameChecksumError,
    IdCardError,
    NoCardError,
    ReaderTimeoutError,
    SamError,
)
from devices.idcard.reader import PLACE_CARD
from devices.idcard.sam import SamTimeouts
from devices.idcard.sam_peer import Command, Transmission
from devices.idcard.samples import SAMPLE_CARDS
from devices.idcard.serial_reader import SerialIdCardReader
from devices.idcard.simulator import Fault, IdCardSimulator
from devices.serial_link import SerialLinkError

#: How long the reader waits for an answer the simulator is going to give: a busy machine may be slow, and no
#: test waits this long unless something is broken. A test of an answer that never comes (or comes too late)
#: shortens the one timeout it is about (``SILENT_READ``).
ANSWERED = SamTimeouts(find=10.0, select=10.0, read=10.0, sam=10.0)
SILENT_READ = replace(ANSWERED, read=0.5)
WAIT = 10.0  # generous: how long a test waits for something that should happen in well under a second


@pytest.fixture(params=["pty", "socket"])
def sim(request: pytest.FixtureRequest) -> Iterator[IdCardSimulator]:
    simulator = IdCardSimulator()
    if request.param == "pty":
        simulator.serve_pty()
    else:
        simulator.serve_socket()
    yield simulator
    simulator.close()


@pytest.fixture
def reader(sim: IdCardSimulator) -> Iterator[SerialIdCardReader]:
    device = SerialIdCardReader(sim.url, SilentHandler(), timeouts=ANSWERED, poll_interval=0.3)
    assert device.open().state is DeviceState.OK
    yield device
    device.close()


def test_resident_card_is_read_with_every_field(sim: IdCardSimulator, reader: SerialIdCardReader) -> None:
    sim.place_card("wang_yan")
    card = reader.read_card(timeout=2)
    assert card == SAMPLE_CARDS["wang_yan"]
    assert (card.name, card.gender, card.ethnicity) == ("王䶮", "男", "汉")
    assert len(card.photo) == 1024
    assert reader.decode_photo(card) is None  # no vendor WLT decoder: the UI shows its placeholder


def test_permit_and_foreign_card_are_read(sim: IdCardSimulator, reader: SerialIdCardReader) -> None:
    sim.place_card("chan_tai_man")
    permit = reader.read_card(timeout=2)
    assert permit.card_type is CardType.HMT_PERMIT
    assert (permit.pass_number, permit.issue_count, permit.id_number) == ("H12345678", 1, "81000019920101003X")
    sim.place_card("john_smith")
    foreign = reader.read_card(timeout=2)
    assert foreign.card_type is CardType.FOREIGN_PERMANENT
    assert (foreign.english_name, foreign.nationality, foreign.name) == ("SMITH, JOHN SAMPLE", "美国", "史密斯")


def test_fingerprint_command_reads_the_same_card(sim: IdCardSimulator) -> None:
    sim.place_card("li_kun")
    device = SerialIdCardReader(sim.url, timeouts=ANSWERED, with_fingerprint=True)
    try:
        device.open()
        assert device.read_card(timeout=2) == SAMPLE_CARDS["li_kun"]
        assert sim.peer.received[-1].key == frames.READ_BASE_FINGERPRINT
    finally:
        device.close()


def test_no_card_asks_the_person_then_gives_a_typed_error(reader: SerialIdCardReader) -> None:
    with pytest.raises(NoCardError) as caught:
        reader.read_card(timeout=0.7)
    assert "身份证" in caught.value.message
    assert isinstance(reader.handler, SilentHandler)
    assert reader.handler.requests == [("id_reader", PLACE_CARD), ("id_reader", "")]


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault.BAD_CHECKSUM, FrameChecksumError), (Fault.NO_ANSWER, ReaderTimeoutError)],
)
def test_line_faults_give_typed_errors_and_the_next_read_works(
    sim: IdCardSimulator, reader: SerialIdCardReader, fault: Fault, error: type[IdCardError]
) -> None:
    sim.place_card("wang_yan")
    sim.inject(fault, command=frames.READ_BASE)
    reader.session.timeouts = SILENT_READ
    with pytest.raises(error):
        reader.read_card(timeout=2)
    reader.session.timeouts = ANSWERED
    assert reader.read_card(timeout=2).name == "王䶮"


@pytest.mark.parametrize("fault", [Fault.GARBAGE_BEFORE, Fault.SPLIT])
def test_noise_and_trickled_frames_are_read_through(
    sim: IdCardSimulator, reader: SerialIdCardReader, fault: Fault
) -> None:
    sim.place_card("john_smith")
    sim.inject(fault, times=3)
    assert reader.read_card(timeout=2).english_name == "SMITH, JOHN SAMPLE"
    if fault is Fault.GARBAGE_BEFORE:
        assert reader.session.noise_bytes > 0


def test_slow_answers_within_time_succeed_and_late_ones_are_not_mistaken(
    sim: IdCardSimulator, reader: SerialIdCardReader
) -> None:
    sim.place_card("wang_yan")
    sim.inject(Fault.SLOW, command=frames.READ_BASE, delay=0.3)
    assert reader.read_card(timeout=2).name == "王䶮"
    # Late beyond the read timeout: a typed timeout, and the late answer is not taken for the next one.
    reader.session.timeouts = SILENT_READ
    sim.inject(Fault.SLOW, command=frames.READ_BASE, delay=SILENT_READ.read + 1.0)
    with pytest.raises(ReaderTimeoutError):
        reader.read_card(timeout=2)
    reader.session.timeouts = ANSWERED
    sim.place_card("li_kun")
    # The simulator answers in order: the late answer comes first, while this read waits for its own.
    assert reader.read_card(timeout=WAIT).name == "李堃"


@pytest.mark.parametrize(
    ("status", "command", "error"),
    [
        (0x41, frames.READ_BASE, CardReadError),
        (0x33, frames.READ_BASE, CardAuthenticationError),
        (0x66, frames.FIND_CARD, SamError),
    ],
)
def test_reader_status_bytes_map_to_typed_errors(
    sim: IdCardSimulator,
    reader: SerialIdCardReader,
    status: int,
    command: tuple[int, int],
    error: type[IdCardError],
) -> None:
    sim.place_card("wang_yan")
    sim.fail_with(status, command=command)
    with pytest.raises(error) as caught:
        reader.read_card(timeout=2)
    assert caught.value.status == status
    assert " / " in caught.value.message  # Chinese first, then English
    assert reader.read_card(timeout=2).name == "王䶮"


def test_sam_self_test_failure_degrades_the_reader(sim: IdCardSimulator, reader: SerialIdCardReader) -> None:
    sim.peer.sam_status = 0x60
    health = reader.check()
    assert health.state is DeviceState.DEGRADED
    assert "0x60" in health.reason
    sim.peer.sam_status = 0x90
    assert reader.check().state is DeviceState.OK


def _wait_for(predicate: Callable[[], bool], subscribe: Callable[[Callable[..., None]], None]) -> bool:
    changed = threading.Event()
    subscribe(lambda *args: changed.set())
    while not predicate():
        if not changed.wait(WAIT):
            return False
        changed.clear()
    return True


def test_watching_reports_arrival_failure_recovery_and_removal(
    sim: IdCardSimulator, reader: SerialIdCardReader
) -> None:
    events: list[tuple[str, object]] = []
    seen = threading.Condition()

    def record(kind: str) -> Callable[..., None]:
        def callback(*args: object) -> None:
            with seen:
                events.append((kind, args[0] if args else None))
                seen.notify_all()

        return callback

    reader.card_did_arrive.connect(record("arrive"))
    reader.card_did_leave.connect(record("leave"))
    reader.card_did_fail.connect(record("fail"))

    def wait_for(kind: str, count: int = 1) -> None:
        with seen:
            assert seen.wait_for(lambda: sum(k == kind for k, _ in events) >= count, WAIT), events

    reader.start_watching()
    sim.fail_with(0x41, command=frames.READ_BASE)
    sim.place_card("wang_yan")
    wait_for("fail")
    wait_for("arrive")  # the same card, read again on the next poll
    sim.remove_card()
    wait_for("leave")
    sim.place_card("chan_tai_man")
    wait_for("arrive", 2)
    reader.stop_watching()
    kinds = [k for k, _ in events]
    assert kinds == ["fail", "arrive", "leave", "arrive"]
    assert isinstance(events[0][1], CardReadError)
    arrived = [v for k, v in events if k == "arrive"]
    assert isinstance(arrived[1], IdCard)
    assert arrived[1].card_type is CardType.HMT_PERMIT


def test_unplug_goes_offline_and_polling_reconnects() -> None:
    sim = IdCardSimulator()
    sim.serve_socket()
    sim.place_card("li_kun")
    reader = SerialIdCardReader(sim.url, timeouts=ANSWERED)
    states: list[DeviceState] = []
    reader.device_did_change_health.connect(lambda health: states.append(health.state))
    try:
        assert reader.open().state is DeviceState.OK
        reader.start_polling(interval=0.2, backoff=Backoff(base=0.05, cap=0.3))
        sim.unplug()
        assert _wait_for(lambda: reader.health.state is DeviceState.OFFLINE, reader.device_did_change_health.connect)
        assert "serial" in reader.health.reason
        with pytest.raises(SerialLinkError):
            reader.read_card(timeout=0.5)
        sim.replug()
        assert _wait_for(lambda: reader.health.state is DeviceState.OK, reader.device_did_change_health.connect)
        assert reader.read_card(timeout=2).name == "李堃"
        assert states[-2:] == [DeviceState.OFFLINE, DeviceState.OK]
    finally:
        reader.close()
        sim.close()


def test_unplugging_a_pty_reader_while_a_card_lies_on_it_ends_the_card(sim: IdCardSimulator) -> None:
    left = threading.Event()
    arrived = threading.Event()
    reader = SerialIdCardReader(sim.url, timeouts=ANSWERED)
    reader.card_did_arrive.connect(lambda card: arrived.set())
    reader.card_did_leave.connect(left.set)
    health: list[DeviceHealth] = []
    reader.device_did_change_health.connect(health.append)
    try:
        reader.open()
        sim.place_card("wang_yan")
        reader.start_watching()
        assert arrived.wait(WAIT)
        sim.unplug()
        assert left.wait(WAIT)
        assert reader.health.state is DeviceState.OFFLINE
    finally:
        reader.close()


def test_a_card_left_lying_is_announced_once_and_a_card_placed_again_is_new(
    sim: IdCardSimulator, reader: SerialIdCardReader
) -> None:
    arrivals: list[IdCard] = []
    leaves: list[None] = []
    changed = threading.Condition()

    def arrived(card: IdCard) -> None:
        with changed:
            arrivals.append(card)
            changed.notify_all()

    def left() -> None:
        with changed:
            leaves.append(None)
            changed.notify_all()

    reader.card_did_arrive.connect(arrived)
    reader.card_did_leave.connect(left)
    sim.place_card("wang_yan")
    reader.start_watching()
    with changed:
        assert changed.wait_for(lambda: len(arrivals) == 1, WAIT)
    # Let the watcher poll the lying card a few more times: it must not be announced again.
    heard = threading.Semaphore(0)
    answer = sim.peer.answer

    def counted(command: Command) -> list[Transmission]:
        heard.release()
        return answer(command)

    sim.peer.answer = counted  # type: ignore[method-assign]
    for _ in range(6):
        assert heard.acquire(timeout=WAIT), "the watcher stopped polling"
    assert (len(arrivals), len(leaves)) == (1, 0)
    assert reader.card_on_reader == SAMPLE_CARDS["wang_yan"]
    # The demo lifts the card and puts one down in the same instant: still a leave, then a new arrival.
    sim.remove_card()
    sim.place_card("wang_yan")
    with changed:
        assert changed.wait_for(lambda: len(arrivals) == 2, WAIT)
    assert len(leaves) == 1
    # A card that was read can be read again on request while it lies there.
    assert reader.read_card(timeout=2).name == "王䶮"
