"""What each page shows, as typed views built from the store and the config (no HTML here).

The handlers in ``app.py`` parse the request, call one ``*_view`` function with a read-only
store, and hand the view to its template. Views hold records (``models``) and plain values;
stranger text is cleaned in the templates' filters (``text.py``) and escaped by autoescape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from monitor.config.load import Config
from monitor.models import (
    Absorption,
    ClaimPoint,
    Delivery,
    MilestoneState,
    OperatorNote,
    SourceHealth,
    Story,
    StoryFilter,
    StorySummary,
    TimelineEvent,
    UndatedConflict,
)
from monitor.ops.story import StoryView, story_view
from monitor.store import Store
from monitor.timeline.load import DEFAULT_PLACES
from monitor.timeline.table import milestone_states
from monitor.web.chart import Chart, RangeChoice, Status, build_chart, chart_range, status_of

PAGE_SIZE = 50
CHART_STORIES = 300  # the timeline draws the dated claims of this many recent stories
PERIODS: dict[str, timedelta] = {
    "day": timedelta(days=1),
    "week": timedelta(days=7),
    "month": timedelta(days=30),
}


# --------------------------------------------------------------------------- stories


@dataclass(frozen=True, slots=True)
class StoriesView:
    filter: StoryFilter
    period: str
    stories: tuple[StorySummary, ...]
    total: int
    page: int
    pages: int


def stories_view(
    store: Store, config: Config, flt: StoryFilter, period: str, page: int, now: datetime
) -> StoriesView:
    if period in PERIODS:
        flt = StoryFilter(flt.verdict, flt.place, now - PERIODS[period], flt.until, flt.query)
    places = places_within(config, flt.place) if flt.place else ()
    total = store.count_story_summaries(flt, places)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = store.story_summaries(
        flt, places, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, matching=total
    )
    return StoriesView(flt, period, tuple(rows), total, page, pages)


def places_within(config: Config, place: str) -> tuple[str, ...]:
    """``place`` and every place inside it (erbil: erbil, harir), from the timeline's places."""
    parents = dict(config.timeline.places) or DEFAULT_PLACES
    out = [place]
    for candidate in parents:
        up = parents.get(candidate)
        seen = {candidate}
        while up and up not in seen:
            if up == place:
                out.append(candidate)
                break
            seen.add(up)
            up = parents.get(up)
    return tuple(out)


def place_options(config: Config) -> list[tuple[str, str]]:
    """(id, Arabic name) of the gazetteer's places, Iraqi ones first."""
    places = sorted(config.rules.places, key=lambda p: (not p.iraqi, p.country is False, p.id))
    return [(p.id, p.ar[0] if p.ar else p.id) for p in places]


# --------------------------------------------------------------------------- one story


@dataclass(frozen=True, slots=True)
class StoryPage:
    """``monitor story``'s record (members, merged claims, alerts and their deliveries) with
    what the page adds: the timeline's events by id, and whether the story is closed."""

    view: StoryView
    events: Mapping[str, TimelineEvent]
    retired: bool
    absorbed: tuple[Absorption, ...] = ()  # stories found later to be this development
    absorbed_by: Absorption | None = None  # the story this one was joined into

    @property
    def story(self) -> Story:
        return self.view.story


def story_page(store: Store, config: Config, story_id: str) -> StoryPage | None:
    view = story_view(store, story_id)
    if view is None:
        return None
    return StoryPage(
        view=view,
        events={e.id: e for e in config.timeline.events},
        retired=store.story_retired(view.story.id),
        absorbed=tuple(store.absorbed_stories(view.story.id)),
        absorbed_by=store.absorber(view.story.id),
    )


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    event: TimelineEvent
    status: Status
    completed_by: str | None
    supporting: tuple[str, ...]
    contradicting: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimelineView:
    chart: Chart
    narrow: Chart  # the same, laid out for a phone
    choice: RangeChoice
    rows: tuple[MilestoneRow, ...]
    titles: Mapping[str, str]  # story id -> title, for the table's links
    points: tuple[ClaimPoint, ...]
    capped: bool  # only the CHART_STORIES most recent stories with dated claims are drawn
    undated: tuple[UndatedConflict, ...]  # conflicting claims with no date to draw them at


def timeline_view(
    store: Store, config: Config, choice: RangeChoice, today: date, today_chars: int = 5
) -> TimelineView:
    states = milestone_states(store.completed_milestones(), store.milestone_reports())
    events = config.timeline.events
    span = chart_range(events, today, choice)
    points = store.claim_points(*span, stories=CHART_STORIES)
    rows = tuple(_milestone_row(ev, states.get(ev.id), today) for ev in _by_date(events))
    ids = {sid for r in rows for sid in (r.completed_by or "", *r.supporting, *r.contradicting)}
    return TimelineView(
        chart=build_chart(events, states, points, today, span, today_chars=today_chars),
        narrow=build_chart(events, states, points, today, span, "narrow", today_chars),
        choice=choice,
        rows=rows,
        titles=store.story_titles(i for i in ids if i),
        points=tuple(points),
        capped=len({p.story_id for p in points}) >= CHART_STORIES,
        undated=tuple(store.undated_conflicts()),
    )


def _by_date(events: Sequence[TimelineEvent]) -> list[TimelineEvent]:
    return sorted(events, key=lambda e: (e.start, e.end, e.id))


def _milestone_row(ev: TimelineEvent, state: MilestoneState | None, today: date) -> MilestoneRow:
    return MilestoneRow(
        event=ev,
        status=status_of(ev, state, today),
        completed_by=state.completed_by if state else None,
        supporting=state.supporting if state else (),
        contradicting=state.contradicting if state else (),
    )


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True, slots=True)
class SourceRow:
    id: str
    name: str
    enabled: bool
    health: SourceHealth
    state: str  # ok | failing | never_polled | disabled
    silent_hours: float | None  # hours since the last new item (None: never had one)
    silent: bool  # past [health] silence_alert_hours


@dataclass(frozen=True, slots=True)
class SourcesView:
    sources: tuple[SourceRow, ...]
    notes: tuple[OperatorNote, ...]
    last_cycle: datetime | None
    last_cycle_ok: bool
    last_good_cycle: datetime | None


def sources_view(store: Store, config: Config, now: datetime) -> SourcesView:
    health = {h.source_id: h for h in store.all_health()}
    configured = [(s.id, s.name, s.enabled) for s in config.sources]
    # sources the state knows but this config does not (serve with another config)
    known = {sid for sid, _, _ in configured}
    configured += [(sid, sid, True) for sid in health if sid not in known]
    rows = []
    for sid, name, enabled in configured:
        h = health.get(sid, SourceHealth(sid))
        silent_hours = (now - h.last_new_item).total_seconds() / 3600 if h.last_new_item else None
        rows.append(
            SourceRow(
                id=sid,
                name=name,
                enabled=enabled,
                health=h,
                state=_source_state(enabled, h),
                silent_hours=silent_hours,
                silent=silent_hours is not None
                and silent_hours > config.health.silence_alert_hours,
            )
        )
    last = store.last_cycle()
    good = store.last_cycle(ok_only=True)
    return SourcesView(
        sources=tuple(rows),
        notes=tuple(store.operator_notes()),
        last_cycle=last[0] if last else None,
        last_cycle_ok=bool(last and last[1]),
        last_good_cycle=good[0] if good else None,
    )


def _source_state(enabled: bool, h: SourceHealth) -> str:
    if not enabled:
        return "disabled"
    if h.last_attempt is None:
        return "never_polled"
    return "ok" if h.consecutive_failures == 0 else "failing"


# --------------------------------------------------------------------------- outbox


@dataclass(frozen=True, slots=True)
class OutboxView:
    due: tuple[Delivery, ...]  # pending and failed
    dead: tuple[Delivery, ...]
    digest: Mapping[str, int]  # channel -> deliveries waiting for its digest
    counts: Mapping[str, int]


def outbox_view(store: Store, config: Config) -> OutboxView:
    due = sorted(store.outbox_rows("pending") + store.outbox_rows("failed"), key=lambda d: d.id)
    return OutboxView(
        due=tuple(due),
        dead=tuple(store.outbox_rows("dead")),
        digest={c.name: n for c in config.channels if (n := len(store.digest_queue(c.name)))},
        counts=store.outbox_counts(),
    )
