"""When the ID card cannot be used, the identify step offers a QR code instead (no Qt)."""

from __future__ import annotations

from datetime import date

from kiosk.hall.catalog_store import bundled_catalog
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.ports import Notice
from kiosk.visit.session import Applicant
from kiosk.visit.strings import Texts
from kiosk.visit.views import IdentifyView

NO_READER = Notice("device.reader_unavailable")


def identify_view(flow: CitizenFlow) -> IdentifyView:
    view = flow.screen.view
    assert isinstance(view, IdentifyView)
    return view


def at_identify(code: str) -> CitizenFlow:
    flow = CitizenFlow(bundled_catalog(), "示范大厅", texts=Texts("zh_CN"), today=lambda: date(2026, 11, 22))
    flow.start()
    flow.choose_service(code)
    assert flow.step == "identify"
    return flow


def test_a_card_that_cannot_be_used_offers_the_qr_code_and_the_qr_code_identifies() -> None:
    flow = at_identify("SBZM-03")
    assert not identify_view(flow).offer_qr
    flow.identify_failed(NO_READER)
    assert identify_view(flow).offer_qr
    assert flow.screen.prompt == NO_READER.text(Texts())
    flow.use_qr()
    view = identify_view(flow)
    assert (view.method, view.error, view.offer_qr) == ("qr", None, False)
    flow.identified(Applicant(name="", id_number="", source="qr"))
    assert flow.step == "form"


def test_back_to_the_card_the_offer_waits_for_the_next_failure() -> None:
    flow = at_identify("SBZM-03")
    flow.identify_failed(NO_READER)
    flow.use_qr()
    flow.use_id_card()
    assert identify_view(flow).method == "id_card" and not identify_view(flow).offer_qr


def test_too_young_is_not_a_card_failure_and_offers_no_way_around_it() -> None:
    flow = at_identify("GLJT-01")
    flow.identified(Applicant("王小明", "110101198503120017", birth_date=date(1985, 3, 12)))
    assert flow.step == "identify" and not identify_view(flow).offer_qr


def test_a_qr_code_that_cannot_be_read_offers_nothing_new() -> None:
    flow = at_identify("YBCX-05")
    flow.identify_failed(Notice("device.camera_use_card"))
    assert identify_view(flow).method == "qr" and not identify_view(flow).offer_qr
