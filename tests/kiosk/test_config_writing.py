"""Settings changed at the kiosk: validated as at start-up, written with the hall's comments kept, atomically;
a value that cannot be used changes nothing and says why."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.config import Config, ConfigError, load_config, write_config
from kiosk.hall.technician import HallTechnician
from kiosk.visit.ports import HallError

HALL_FILE = """# 示范大厅的终端配置（维护人员：张工）
[terminal]
hall_name = "示范区政务服务中心"   # 大厅名称，打印在回执上

[voice]
volume = 0.8
"""


def test_a_change_keeps_the_hall_s_comments_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HALL_FILE, encoding="utf-8")
    config = write_config(path, {"voice.volume": 0.5, "devices.printer.paper_width_mm": 58})
    assert config.voice.volume == 0.5 and config.devices.printer.paper_width_mm == 58
    text = path.read_text(encoding="utf-8")
    assert "# 示范大厅的终端配置（维护人员：张工）" in text and "# 大厅名称，打印在回执上" in text
    assert load_config(path) == config
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]  # no temporary file left


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"voice.volume": 5}, "voice.volume"),
        ({"devices.printer.paper_width_mm": 70}, "paper_width_mm"),
        ({"platform.url": "ftp://x"}, "platform.url"),
        ({"voice.loudness": 1}, "voice.loudness"),
    ],
)
def test_a_value_that_cannot_be_used_changes_nothing_and_names_the_key(
    tmp_path: Path, changes: dict[str, object], named: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HALL_FILE, encoding="utf-8")
    with pytest.raises(ConfigError, match=named):
        write_config(path, changes)
    assert path.read_text(encoding="utf-8") == HALL_FILE


class FakeAudit:
    def __init__(self) -> None:
        self.recorded: list[tuple[str, dict[str, object]]] = []

    def record(self, action: str, who: str, *, detail: dict[str, object]) -> None:
        self.recorded.append((str(action), detail))


def desk(tmp_path: Path) -> tuple[HallTechnician, SimpleNamespace, FakeAudit]:
    path = tmp_path / "config.toml"
    path.write_text(HALL_FILE, encoding="utf-8")
    audit = FakeAudit()
    reopened: list[Config] = []
    hall = SimpleNamespace(config=load_config(path), audit=audit, reopened=reopened)
    hall.reopen_devices = reopened.append
    return HallTechnician(hall, path), hall, audit  # type: ignore[arg-type]


def test_the_desk_refuses_a_bad_value_records_it_and_writes_nothing(tmp_path: Path) -> None:
    technician, _hall, audit = desk(tmp_path)
    with pytest.raises(HallError) as caught:
        technician.configure({"voice.volume": 3})
    assert "没有保存" in caught.value.message
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == HALL_FILE
    assert audit.recorded == [("config.change", {"changes": {"voice.volume": 3}, "ok": False})]
    with pytest.raises(HallError):
        technician.configure({"technician.pin_hash": "x"})  # not a setting the panel may change


def test_a_device_setting_re_opens_the_devices_with_the_new_config(tmp_path: Path) -> None:
    technician, hall, audit = desk(tmp_path)
    technician.configure({"devices.printer.paper_width_mm": 58})
    assert [c.devices.printer.paper_width_mm for c in hall.reopened] == [58]
    technician.configure({"voice.volume": 0.6})
    assert hall.config.voice.volume == 0.6 and len(hall.reopened) == 1
    assert [action for action, _ in audit.recorded] == ["config.change", "config.change"]
