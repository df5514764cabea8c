"""A policy notice (政策推送) published in the fleet console reaches the kiosk's attract screen with the next
heartbeat's answer, and leaves it when it is withdrawn; the screens are rebuilt only when the notices change."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from central.console.notices import NoticeBoard as ConsoleNotices
from central.console.notices import NoticeDraft
from central.db import open_engine
from kiosk.hall.compose import Hall
from kiosk.visit.views import AttractView

from .test_technician_desk import Make

TITLE = "医保年度结算提醒"


def attract_titles(hall: Hall) -> list[str]:
    return [notice.title.zh for notice in hall.catalog().notices]


def test_a_published_notice_reaches_the_attract_screen_and_leaves_when_withdrawn(
    qtbot: QtBot, make_controller: Make, demo_hall: Hall
) -> None:
    engine = open_engine(f"sqlite:///{demo_hall.paths.platform_db}", create_schema=False)
    console = ConsoleNotices(engine)
    now = datetime.now(UTC)
    draft = NoticeDraft(TITLE, "", "12月31日前请到窗口或本机办理医保年度结算。", "", "", "", now, None)
    seq = console.publish(draft, "hall-manager", now)
    try:
        controller, _, _ = make_controller()
        assert demo_hall.heartbeat.beat()
        assert TITLE in attract_titles(demo_hall)
        first = demo_hall.catalog()
        demo_hall.catalog_cache.refresh(demo_hall.sync.courier.client.session(), demo_hall.sync.courier.client.link.url)
        assert demo_hall.catalog() is first  # nothing changed (a refresh with no news): the same catalog, no rebuild
        controller.use_catalog(demo_hall.catalog())
        view = controller.flow.screen.view
        assert isinstance(view, AttractView)
        assert any(TITLE in title for title, _body in view.notices)
    finally:
        console.withdraw(seq, datetime.now(UTC))
        engine.dispose()
    assert demo_hall.heartbeat.beat()
    assert TITLE not in attract_titles(demo_hall)
