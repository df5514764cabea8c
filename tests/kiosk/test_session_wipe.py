"""A visit leaves nothing behind: wipe forgets answers and identity and deletes its files; folders a crash
left are removed at the next start."""

from __future__ import annotations

from pathlib import Path

from kiosk.visit.session import Answer, Session
from kiosk.visit.showcase import SAMPLE_APPLICANT


def test_wipe_forgets_everything_and_deletes_the_visits_files(tmp_path: Path) -> None:
    session = Session(temp_root=tmp_path)
    session.applicant = SAMPLE_APPLICANT
    scan = session.temp_dir() / "contract.jpg"
    scan.write_bytes(b"\xff\xd8 a scan")
    session.answers["contract"] = Answer("contract.jpg", "已拍好", file=scan)
    session.wipe()
    assert session.applicant is None
    assert session.answers == {}
    assert not scan.exists()
    assert list(tmp_path.iterdir()) == []


def test_folders_left_by_a_crash_are_removed_at_start(tmp_path: Path) -> None:
    crashed = Session(temp_root=tmp_path)
    (crashed.temp_dir() / "photo.jpg").write_bytes(b"face")
    unrelated = tmp_path / "keep-me"
    unrelated.mkdir()
    assert Session(temp_root=tmp_path).clear_leftovers() == 1
    assert [p.name for p in tmp_path.iterdir()] == ["keep-me"]
