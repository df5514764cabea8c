"""The case form as left, sealed in the member's vault: it comes back whole, follows its case, goes when sent,
keeps its images once, opens only with its member's key, and nothing of it is readable on disk."""

from __future__ import annotations

from pathlib import Path

from kiosk.assisted.form_state import FormStore, SealedForm, case_form_key, new_form_key
from kiosk.assisted.vault import Vault, new_data_key

PHOTO = b"\xff\xd8 paper authorization photo " * 200
VALUES = {"service": "GLJT-01", "resident": {"name": "张桂兰", "id_number": "130624192608070073"}}


def test_a_form_comes_back_whole_and_follows_its_case(tmp_path: Path) -> None:
    store = FormStore(Vault(tmp_path, new_data_key()))
    form = SealedForm(new_form_key(), None, VALUES, {"paper": PHOTO})
    store.save(form)
    store.mark_open(form.key)
    assert store.open_form() == form

    moved = store.rename(form, "case-1")
    assert moved.key == case_form_key("case-1")
    assert store.open_key() == moved.key  # still the one on the screen
    assert store.load(form.key) is None
    assert store.for_case("case-1") == SealedForm(moved.key, "case-1", VALUES, {"paper": PHOTO})

    store.mark_open(None)
    assert store.open_form() is None
    assert store.for_case("case-1") is not None  # a draft keeps its form for the next opening


def test_images_are_kept_once_and_go_with_the_last_form_naming_them(tmp_path: Path) -> None:
    vault = Vault(tmp_path, new_data_key())
    store = FormStore(vault)
    store.save(SealedForm(case_form_key("a"), "a", VALUES, {"paper": PHOTO}))
    store.save(SealedForm(case_form_key("b"), "b", VALUES, {"paper": PHOTO}))
    assert len(vault.names("form-blob-")) == 1
    store.drop_case("a")
    assert store.for_case("b") is not None
    assert store.for_case("b").blobs["paper"] == PHOTO  # type: ignore[union-attr]
    store.drop_case("b")
    assert vault.names("form-") == []


def test_sealed_on_disk_and_closed_to_another_member(tmp_path: Path) -> None:
    store = FormStore(Vault(tmp_path, new_data_key()))
    store.save(SealedForm(case_form_key("a"), "a", VALUES, {"paper": PHOTO}))
    store.mark_open(case_form_key("a"))
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert "张桂兰".encode() not in data
        assert b"130624192608070073" not in data
        assert PHOTO[:20] not in data
    other = FormStore(Vault(tmp_path, new_data_key()))  # B's key over A's files
    assert other.for_case("a") is None
    assert other.open_form() is None
