"""Anonymous usage events of a visit (使用统计), read off the citizen's path as it moves.

What is recorded is only what the catalog and the path name: the service's code, the step's name (a form
question by its catalog key), how long the step took, where a visit was left, how it came out, the rating's
level, and whether elder mode (长辈版) or English was on. Never a name, an ID number, a phone number, an answer
or a reason typed in: an event has no field that could hold one (docs/usage.md).

:class:`VisitUsageRecorder` watches a :class:`~kiosk.visit.flow.CitizenFlow` (its ``on_change``) and hands each
event to a sink; the hall's sink keeps them on disk and sends them in batches (``kiosk/hall/usage.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kiosk.visit.views import FieldView, FlowScreen

if TYPE_CHECKING:
    from kiosk.visit.flow import CitizenFlow

#: Steps after which a visit counts as finished rather than abandoned.
FINISHED_STEPS = frozenset({"result", "rating", "thanks"})


@dataclass(frozen=True)
class UsageEvent:
    """One anonymous event: its kind, the hall's local hour it fell in, and only fields the catalog names."""

    kind: str
    hour: str  # the hall's local hour, "YYYY-MM-DDTHH"
    service: str = ""
    step: str = ""
    seconds: float = 0.0
    outcome: str = ""
    level: int = 0
    elder: bool = False
    language: str = ""

    def to_json(self) -> dict[str, Any]:
        """The event as sent: empty fields left out."""
        record: dict[str, Any] = {"kind": self.kind, "hour": self.hour}
        if self.service:
            record["service"] = self.service
        if self.step:
            record["step"] = self.step
        if self.seconds:
            record["seconds"] = round(self.seconds, 1)
        if self.outcome:
            record["outcome"] = self.outcome
        if self.level:
            record["level"] = self.level
        if self.elder:
            record["elder"] = True
        if self.language:
            record["language"] = self.language
        return record


def step_name(screen: FlowScreen) -> str:
    """The step as counted: the screen's name, a form question with its catalog key (``form:phone``)."""
    if isinstance(screen.view, FieldView):
        return f"form:{screen.view.field.key}"
    return screen.name


class VisitUsageRecorder:
    """Turns a flow's screen changes into usage events.

    ``clock``: seconds (monotonic) for step durations; ``now``: the hall's local time for the hour; ``elder``:
    whether elder mode is on (the shell knows; the flow does not).
    """

    def __init__(
        self,
        sink: Callable[[UsageEvent], None],
        *,
        clock: Callable[[], float],
        now: Callable[[], datetime],
        elder: Callable[[], bool] = lambda: False,
    ) -> None:
        self._sink = sink
        self._clock = clock
        self._now = now
        self._elder = elder
        self._flow: CitizenFlow | None = None
        self._step = "attract"
        self._entered = 0.0
        self._service = ""
        self._rated = False
        self._elder_on = False  # sticky over the visit: the wipe puts the hall's defaults back before it ends
        self._language_used = ""

    def watch(self, flow: CitizenFlow) -> None:
        """Follow ``flow`` from now on."""
        self._flow = flow
        self._step = step_name(flow.screen)
        self._entered = self._clock()
        flow.on_change.append(self.screen_changed)

    def _emit(self, kind: str, **fields: Any) -> None:
        hour = self._now().strftime("%Y-%m-%dT%H")
        self._sink(UsageEvent(kind, hour, **fields))

    def _language(self) -> str:
        return self._flow.texts.language if self._flow is not None else ""

    def screen_changed(self, screen: FlowScreen) -> None:
        step = step_name(screen)
        if step == self._step:
            return  # a re-render (the language, a page, an error on the same question)
        flow = self._flow
        self._elder_on = self._elder_on or self._elder()
        if step != "attract" and flow is not None:
            self._language_used = flow.texts.language
        now = self._clock()
        previous, seconds = self._step, max(0.0, now - self._entered)
        self._step, self._entered = step, now
        if previous == "attract":
            self._emit("visit_started", elder=self._elder(), language=self._language())
        else:
            self._emit("step_done", service=self._service, step=previous, seconds=seconds)
        service = flow.service.code if flow is not None and flow.service is not None else ""
        if service and service != self._service:
            self._emit("service_chosen", service=service)
        if service:
            self._service = service
        if step == "result" and flow is not None and flow.outcome is not None:
            self._emit("outcome", service=self._service, outcome=flow.outcome.kind)
        if step == "thanks" and not self._rated and flow is not None and flow.rating_level is not None:
            self._rated = True
            self._emit("rating", service=self._service, level=flow.rating_level)
        if step == "attract":
            self._visit_over(previous)

    def _visit_over(self, last_step: str) -> None:
        extra = {"elder": self._elder_on, "language": self._language_used}
        if last_step in FINISHED_STEPS:
            self._emit("visit_ended", service=self._service, step=last_step, **extra)
        else:
            self._emit("visit_abandoned", service=self._service, step=last_step, **extra)
        self._service = ""
        self._rated = False
        self._elder_on = False
        self._language_used = ""
