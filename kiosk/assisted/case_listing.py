"""The case list's order and search (我的案件): worst first, narrowed by a filter, over thousands of cases.

Each case gets one :class:`ListedCase` when the book reads it or the case changes, never per sort or per
filter: its place in the order as a key of numbers (the stamps read once), and the lowercase text a search
looks in (case number, temporary number, masked name, service, state). The row the list shows
(:class:`kiosk.assisted.case_values.CaseRow`) is made the first time someone asks for it, so a list that shows
twenty rows of 5,000 makes twenty rows. The order is sorted once and kept until a case changes.

Worst first: 需处理, 中止, drafts, then what has not left the laptop (the oldest first: they are the risk), then the
platform's states, the finished last; within a state the newest change first.
"""

from __future__ import annotations

from operator import attrgetter

from kiosk.assisted.case_values import (
    STATE_RANK,
    UNSENT_STATES,
    Case,
    CaseFilter,
    CaseRow,
    case_row,
    moment,
    state_label,
)

_UNRANKED = len(STATE_RANK)


def _instant(stamp: str) -> float:
    """Seconds since the epoch of an ISO 8601 stamp (the platform's in UTC, the laptop's in the hall's zone
    compare as the moments they are); an unreadable stamp sorts as the oldest."""
    try:
        return moment(stamp).timestamp()
    except (ValueError, TypeError):
        return 0.0


class ListedCase:
    """One case as the list knows it: ``order`` (its sort key), ``haystack`` (what a search matches) and
    ``row`` (the masked line shown, made on first use)."""

    __slots__ = ("_row", "case", "case_id", "haystack", "order", "state")

    def __init__(self, case: Case) -> None:
        self.case = case
        self.case_id = case.case_id
        self.state = case.state
        unsent = case.state in UNSENT_STATES
        self.order = (
            STATE_RANK.get(case.state, _UNRANKED),
            _instant(case.created_at) if unsent else 0.0,
            -_instant(case.updated_at),
            case.case_id,  # equal stamps: the same order at every opening
        )
        self.haystack = " ".join(
            (case.reference, case.temporary_no or "", case.resident.masked_name, case.service_title, state_label(case))
        ).lower()
        self._row: CaseRow | None = None

    @property
    def row(self) -> CaseRow:
        if self._row is None:
            self._row = case_row(self.case)
        return self._row


class CaseListing:
    """The listed cases of one book, by case id; :meth:`ordered` sorts them once per change."""

    def __init__(self) -> None:
        self._listed: dict[str, ListedCase] = {}
        self._ordered: list[ListedCase] | None = None

    def put(self, case: Case) -> None:
        """A case read or changed: listed again (its key and search text made now, once)."""
        self._listed[case.case_id] = ListedCase(case)
        self._ordered = None

    def drop(self, case_id: str) -> None:
        if self._listed.pop(case_id, None) is not None:
            self._ordered = None

    def ordered(self) -> list[ListedCase]:
        """Every listed case, worst first (the same list object until a case changes: do not modify it)."""
        if self._ordered is None:
            self._ordered = sorted(self._listed.values(), key=attrgetter("order"))
        return self._ordered

    def select(self, filter: CaseFilter | None = None) -> list[ListedCase]:
        """The cases ``filter`` lets through, worst first; ``None``: all of them."""
        ordered = self.ordered()
        if filter is None:
            return list(ordered)
        needle = filter.text.strip().lower()
        states: frozenset[str] | None = filter.states or None
        if filter.unsent_only:
            states = UNSENT_STATES if states is None else states & UNSENT_STATES
        # One comprehension per kind of filter: the test inline, no call per case.
        if needle and states is not None:
            return [entry for entry in ordered if entry.state in states and needle in entry.haystack]
        if needle:
            return [entry for entry in ordered if needle in entry.haystack]
        if states is not None:
            return [entry for entry in ordered if entry.state in states]
        return list(ordered)
