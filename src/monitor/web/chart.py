"""The timeline drawn: geometry of a server-side SVG (the template only writes it out).

Time runs right to left, as the page reads: the earliest date at the right, next to the
milestone names. One lane per milestone, in date order: its planned interval as a bar (a
diamond for a single day), coloured by status (completed, planned, overdue: planned and its
end has passed), with a check mark at the end of a completed one and an exclamation mark at
the end of an overdue one. The claims of the stories are dots at the middle of the interval
they state (a whisker spans a month or a year), in the lane of the event they were judged
against (or a last lane for claims with no event), coloured by verdict; conflicting ones are
larger, ringed, and drawn last so nothing hides them. Every dot links to its story.

"recent" shows from two years before today to three months past the last milestone; events
entirely before that stay listed, with an arrow at the early edge. "all" shows every year.

Two layouts of the same chart: "wide" puts each milestone's name beside its lane (pages from
~640 px), "narrow" puts it above the lane across the whole width, so a phone reads the names
and sees the whole span without scrolling. The stylesheet shows one of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from monitor.alerts.render import clean
from monitor.models import ClaimPoint, MilestoneState, TimelineEvent

Status = Literal["completed", "planned", "overdue"]
RangeChoice = Literal["recent", "all"]
Layout = Literal["wide", "narrow"]

AXIS_HEIGHT = 40
RECENT_YEARS = 2
# Axis labels are centred on their tick, unless that would cross the edge of the drawing: then
# they end (or start) EDGE units inside it, so no width of the page cuts them. The widths are a
# generous guess per character at the stylesheet's sizes (12 px years, 11 px "today").
EDGE = 3
TICK_CHAR = 8.0
TODAY_CHAR = 8.0
_STACK = (0, -8, 8, -4, 4)  # dots at one spot in a lane spread up and down


@dataclass(frozen=True, slots=True)
class _Geometry:
    width: int
    plot_left: int
    plot_right: int
    lane_height: int
    bar_offset: int  # from the lane's top to the bar's middle
    label_chars: int  # a lane's title is cut to this; the full title is its tooltip
    label_x: int
    label_dy: int  # from the bar's middle to the label's baseline


_LAYOUTS = {
    "wide": _Geometry(1000, 16, 1000 - 320 - 16, 32, 16, 44, 1000 - 8, 4),
    "narrow": _Geometry(400, 10, 390, 46, 30, 52, 392, -14),
}


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str  # empty for a minor tick
    major: bool
    label_x: float = 0.0  # where the label is anchored (x unless near an edge)
    anchor: str = "middle"  # SVG text-anchor, left-to-right: middle, start or end


@dataclass(frozen=True, slots=True)
class Lane:
    event_id: str
    y: float  # the bar's middle
    label_y: float
    title: str  # cut to fit
    full_title: str
    when: str  # "2025-09-01 … 2025-09-30"
    status: Status
    x_start: float  # bar from x_start (later date, left) to x_end (earlier, right)
    x_end: float
    single_day: bool
    before_range: bool  # the whole interval lies before the range shown
    completed_by: str | None


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    x_from: float  # the whisker: the interval the claim states
    x_to: float
    verdict: str
    story_id: str
    tooltip: str


@dataclass(frozen=True, slots=True)
class Chart:
    layout: Layout
    width: int
    height: int
    label_x: float
    plot_left: float
    plot_right: float
    start: date
    end: date
    ticks: tuple[Tick, ...]
    lanes: tuple[Lane, ...]
    other_lane_y: float | None
    other_label_y: float | None
    dots: tuple[Dot, ...]
    today_x: float | None
    today_label_x: float | None = None
    today_anchor: str = "middle"


def chart_range(
    events: Sequence[TimelineEvent], today: date, choice: RangeChoice
) -> tuple[date, date]:
    """The dates the chart spans for ``choice`` (whole years at the early end)."""
    last = max([e.end for e in events] + [today]) + timedelta(days=92)
    if choice == "all" and events:
        first = date(min(e.start for e in events).year, 1, 1)
    else:
        first = date(today.year - RECENT_YEARS, 1, 1)
    return first, last


def status_of(event: TimelineEvent, state: MilestoneState | None, today: date) -> Status:
    if event.status == "completed" or (state is not None and state.status == "completed"):
        return "completed"
    return "overdue" if event.end < today else "planned"


def build_chart(
    events: Sequence[TimelineEvent],
    states: Mapping[str, MilestoneState],
    points: Sequence[ClaimPoint],
    today: date,
    span: tuple[date, date],
    layout: Layout = "wide",
    today_chars: int = 5,
) -> Chart:
    """Lay out the lanes, dots, axis and today line of one chart over ``span``.

    ``today_chars``: the length of the "today" label, to keep it inside the drawing."""
    g = _LAYOUTS[layout]
    start, end = span
    scale = _Scale(start, end, g)
    ordered = sorted(events, key=lambda e: (e.start, e.end, e.id))
    lanes = []
    lane_y: dict[str, float] = {}
    for i, ev in enumerate(ordered):
        y = AXIS_HEIGHT + g.lane_height * i + g.bar_offset
        lane_y[ev.id] = y
        lanes.append(_lane(ev, states.get(ev.id), today, scale, y, g))
    loose = [p for p in points if p.event_id not in lane_y]
    other_y = AXIS_HEIGHT + g.lane_height * len(ordered) + g.bar_offset if loose else None
    dots = _dots(points, lane_y, other_y, scale)
    rows = len(ordered) + (1 if loose else 0)
    today_x = scale.x(today) if start <= today <= end else None
    today_label: tuple[float | None, str] = (None, "middle")
    if today_x is not None:
        today_label = label_place(today_x, today_chars, g.width, TODAY_CHAR)
    return Chart(
        layout=layout,
        width=g.width,
        height=int(AXIS_HEIGHT + g.lane_height * rows + 12),
        label_x=g.label_x,
        plot_left=g.plot_left,
        plot_right=g.plot_right,
        start=start,
        end=end,
        ticks=_ticks(scale, g.width),
        lanes=tuple(lanes),
        other_lane_y=other_y,
        other_label_y=None if other_y is None else other_y + g.label_dy,
        dots=dots,
        today_x=today_x,
        today_label_x=today_label[0],
        today_anchor=today_label[1],
    )


class _Scale:
    """Dates to x: ``start`` at the right end of the plot, ``end`` at the left."""

    def __init__(self, start: date, end: date, g: _Geometry) -> None:
        self.start, self.end = start, end
        self.days = max(1, (end - start).days)
        self.left, self.right = g.plot_left, g.plot_right

    def x(self, day: date) -> float:
        clamped = min(max(day, self.start), self.end)
        frac = (clamped - self.start).days / self.days
        return round(self.right - frac * (self.right - self.left), 1)


def _lane(
    ev: TimelineEvent,
    state: MilestoneState | None,
    today: date,
    scale: _Scale,
    y: float,
    g: _Geometry,
) -> Lane:
    title = ev.title_ar or ev.title_en
    short = title if len(title) <= g.label_chars else title[: g.label_chars - 1] + "…"
    when = ev.start.isoformat() if ev.start == ev.end else f"{ev.start} … {ev.end}"
    return Lane(
        event_id=ev.id,
        y=y,
        label_y=y + g.label_dy,
        title=short,
        full_title=title,
        when=when,
        status=status_of(ev, state, today),
        x_start=scale.x(ev.end),
        x_end=scale.x(ev.start),
        single_day=ev.start == ev.end,
        before_range=ev.end < scale.start,
        completed_by=state.completed_by if state else None,
    )


def _dots(
    points: Sequence[ClaimPoint],
    lane_y: Mapping[str, float],
    other_y: float | None,
    scale: _Scale,
) -> tuple[Dot, ...]:
    taken: dict[tuple[float, int], int] = {}
    dots = []
    for p in points:
        y = lane_y.get(p.event_id or "", other_y)
        if y is None:
            continue
        middle = p.start + (p.end - p.start) / 2
        x = scale.x(middle)
        spot = (y, round(x / 6))
        n = taken.get(spot, 0)
        taken[spot] = n + 1
        dots.append(
            Dot(
                x=x,
                y=y + _STACK[n % len(_STACK)],
                x_from=scale.x(p.end),
                x_to=scale.x(p.start),
                verdict=p.verdict,
                story_id=p.story_id,
                tooltip=f"{p.start} … {p.end}: {clean(p.story_title)}",
            )
        )
    # conflicting last: drawn on top of the others
    return tuple(sorted(dots, key=lambda d: d.verdict == "conflicting"))


def label_place(x: float, chars: int, width: int, char_width: float) -> tuple[float, str]:
    """Where to anchor a label of ``chars`` characters meant to centre on ``x``, and how
    (``text-anchor``, read left to right), so that it stays inside ``0..width``."""
    half = chars * char_width / 2
    if x + half > width - EDGE:
        return float(width - EDGE), "end"
    if x - half < EDGE:
        return float(EDGE), "start"
    return x, "middle"


def _ticks(scale: _Scale, width: int) -> tuple[Tick, ...]:
    years = range(scale.start.year, scale.end.year + 1)
    # at most ~8 year labels (~40 px apart at the least), 4 on a phone
    step = max(1, len(years) // (8 if scale.right - scale.left > 500 else 4))
    out = []
    for year in years:
        for month in (1, 4, 7, 10):
            day = date(year, month, 1)
            if not scale.start <= day <= scale.end:
                continue
            major = month == 1
            if not major and len(years) > 5:
                continue
            label = str(year) if major and (year - years[0]) % step == 0 else ""
            x = scale.x(day)
            label_x, anchor = label_place(x, len(label), width, TICK_CHAR)
            out.append(Tick(x, label, major, label_x, anchor))
    return tuple(out)
