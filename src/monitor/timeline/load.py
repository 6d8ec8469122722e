"""The known timeline (``timeline.toml``) and the place hierarchy.

Loading: ``load_timeline`` reads a versioned file of ``[[events]]`` (see the comments in
``config/timeline.toml``) and reports every problem at once, each naming the event (id, or its
index when the id is missing) and the key. An optional ``[places]`` table adds places to the
built-in hierarchy ``DEFAULT_PLACES`` (child -> parent; "" for a country).

Judging a claim against the loaded timeline is ``monitor.timeline.judge``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args

from monitor.confkit import Problems, Section, read_toml
from monitor.models import (
    ClaimKind,
    Granularity,
    Qualifier,
    Quantity,
    Timeline,
    TimelineEvent,
)

KINDS: tuple[str, ...] = get_args(ClaimKind)
GRANULARITIES: tuple[str, ...] = get_args(Granularity)
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)
STATUSES = ("planned", "completed")

# Child -> parent. None marks a country (a "broad" place). The gazetteer's canonical ids.
DEFAULT_PLACES: dict[str, str | None] = {
    "iraq": None,
    "syria": None,
    # Iraq outside the Kurdistan Region ("المناطق الاتحادية"): phase one's scope
    "federal_areas": "iraq",
    "baghdad": "federal_areas",
    "joint_operations_command": "baghdad",
    "victory": "baghdad",
    "taji": "federal_areas",  # north of the capital, its own base: see the module docstring
    "anbar": "federal_areas",
    "ain_al_asad": "anbar",
    "kurdistan": "iraq",
    "erbil": "kurdistan",
    "harir": "erbil",
}

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def default_timeline_path() -> Path:
    """The packaged default timeline (identical to ``config/timeline.toml``)."""
    return Path(__file__).parent.parent / "defaults" / "timeline.toml"


# --------------------------------------------------------------------------- loading


def load_timeline(path: Path, problems: Problems) -> Timeline:
    """Read and validate a timeline file; problems go to ``problems`` (the caller raises)."""
    root = Section(read_toml(path), str(path), problems)
    version = root.get("version", str)
    if "version" in root.table and isinstance(version, str) and not version.strip():
        problems.add(root.where, "key 'version' must not be empty")
    parents = _read_places(root.sub("places"))
    events: list[TimelineEvent] = []
    seen: dict[str, str] = {}
    for label, sec in _event_sections(root):
        event = _read_event(sec, parents)
        sec.done()
        if event is None:
            continue
        if event.id in seen:
            problems.add(sec.where, f"key 'id': duplicate id '{event.id}' (also {seen[event.id]})")
            continue
        seen[event.id] = label
        events.append(event)
    root.done()
    return Timeline(version=version, events=tuple(events), places=tuple(parents.items()))


def _event_sections(root: Section) -> Iterable[tuple[str, Section]]:
    """Each ``[[events]]`` table, labelled by index and id so every message names the event."""
    root.seen.add("events")
    raw = root.table.get("events")
    if not isinstance(raw, list) or not raw:
        root.problems.add(root.where, "'events' must be a non-empty array of tables ([[events]])")
        return
    for i, item in enumerate(raw, 1):
        ev_id = item.get("id") if isinstance(item, dict) else None
        label = f"#{i} ({ev_id})" if isinstance(ev_id, str) and ev_id else f"#{i}"
        yield label, Section(item, f"{root.where} [[events]] {label}", root.problems)


def _read_places(sec: Section) -> dict[str, str | None]:
    """Merge ``[places]`` (id = "parent" or "" for a country) over the built-in hierarchy."""
    parents = dict(DEFAULT_PLACES)
    for key, value in sec.table.items():
        sec.seen.add(key)
        if not _ID_RE.match(key):
            sec.problems.add(sec.where, f"key '{key}': place ids are lowercase letters/digits/_")
        elif not isinstance(value, str):
            sec.problems.add(sec.where, f"key '{key}' must be a parent place id or \"\"")
        else:
            parents[key] = value or None
    for key, parent in parents.items():
        if parent is not None and parent not in parents:
            sec.problems.add(sec.where, f"key '{key}': unknown parent place '{parent}'")
        elif _has_cycle(key, parents):
            sec.problems.add(sec.where, f"key '{key}': places form a cycle")
    return parents


def _has_cycle(place: str, parents: Mapping[str, str | None]) -> bool:
    seen = {place}
    parent = parents.get(place)
    while parent is not None:
        if parent in seen:
            return True
        seen.add(parent)
        parent = parents.get(parent)
    return False


def _read_event(sec: Section, parents: Mapping[str, str | None]) -> TimelineEvent | None:
    ev_id = sec.get("id", str)
    if ev_id and not _ID_RE.match(ev_id):
        sec.problems.add(
            sec.where, f"key 'id' must be lowercase letters, digits, '-' or '_'; got {ev_id!r}"
        )
    title_ar = _nonempty(sec, "title_ar")
    title_en = _nonempty(sec, "title_en")
    kind = sec.choice("kind", KINDS)
    period = _read_date(sec)
    places = sec.str_list("places")
    for place in places:
        if place not in parents:
            known = ", ".join(sorted(parents))
            sec.problems.add(
                sec.where,
                f"key 'places': unknown place '{place}' (known: {known}; add to [places])",
            )
    number = _read_number(sec) if "number" in sec.table else None
    sec.seen.add("number")
    status = sec.choice("status", STATUSES, "planned")
    sources = sec.str_list("sources")
    note = sec.get("note", str, "")
    phase = sec.get_opt("phase", int)
    if phase is not None and (isinstance(phase, bool) or phase < 1):
        sec.problems.add(sec.where, f"key 'phase' must be a whole number from 1, got {phase!r}")
    if not ev_id or period is None:
        return None
    start, end, granularity = period
    return TimelineEvent(
        id=ev_id,
        title_ar=title_ar,
        title_en=title_en,
        kind=kind,  # type: ignore[arg-type]  # checked by choice()
        start=start,
        end=end,
        granularity=granularity,  # type: ignore[arg-type]
        places=places,
        number=number,
        status=status,  # type: ignore[arg-type]
        sources=sources,
        note=note,
        phase=phase,
    )


def _nonempty(sec: Section, key: str) -> str:
    value = sec.get(key, str)
    if key in sec.table and isinstance(sec.table[key], str) and not value.strip():
        sec.problems.add(sec.where, f"key '{key}' must not be empty")
    return value


def _read_date(sec: Section) -> tuple[date, date, str] | None:
    """``date = "2024-09-27" | "2025-09" | "2026"``, or ``start``/``end`` + ``granularity``."""
    has_range = any(k in sec.table for k in ("start", "end", "granularity"))
    sec.seen.update(("date", "start", "end"))
    if "date" in sec.table:
        if has_range:
            sec.problems.add(
                sec.where, "give either 'date' or 'start'/'end'/'granularity', not both"
            )
            sec.seen.add("granularity")
            return None
        period = _period(sec.table["date"])
        if period is None:
            _bad_date(sec, "date")
        return period
    if not has_range:
        sec.problems.add(
            sec.where, "missing the date: give 'date' or 'start'/'end' + 'granularity'"
        )
        return None
    granularity = sec.choice("granularity", GRANULARITIES)
    if "start" not in sec.table:
        sec.problems.add(sec.where, "missing required key 'start'")
        return None
    first = _period(sec.table["start"])
    last = _period(sec.table.get("end", sec.table["start"]))
    if first is None or last is None:
        _bad_date(sec, "start" if first is None else "end")
        return None
    if last[1] < first[0]:
        sec.problems.add(sec.where, f"key 'end' ({last[1]}) is before 'start' ({first[0]})")
        return None
    return first[0], last[1], granularity


def _bad_date(sec: Section, key: str) -> None:
    got = sec.table.get(key)
    sec.problems.add(
        sec.where, f"key '{key}' must be 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'; got {got!r}"
    )


def _period(value: Any) -> tuple[date, date, str] | None:
    """First day, last day and granularity of a day, month or year given as text (or a TOML date)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value, value, "day"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # date = 2026 written without quotes
    match = _PERIOD_RE.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31), "year"
        if day is None:
            nxt = date(year + month // 12, month % 12 + 1, 1)
            return date(year, month, 1), date.fromordinal(nxt.toordinal() - 1), "month"
        return date(year, month, day), date(year, month, day), "day"
    except ValueError:
        return None


def _read_number(sec: Section) -> Quantity | None:
    num = sec.sub("number")
    value = num.get("value", int)
    if isinstance(value, int) and "value" in num.table and value <= 0:
        num.problems.add(num.where, f"key 'value' must be greater than 0, got {value}")
    qualifier = num.choice("qualifier", QUALIFIERS, "exact")
    num.done()
    return Quantity(value=value, qualifier=qualifier) if value > 0 else None  # type: ignore[arg-type]
