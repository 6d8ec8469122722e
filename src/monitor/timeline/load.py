"""Stage 8: the known timeline (``timeline.toml``) and the verdict on each claim.

Loading: ``load_timeline`` reads a versioned file of ``[[events]]`` (see the comments in
``config/timeline.toml``) and reports every problem at once, each naming the event (id, or its
index when the id is missing) and the key. An optional ``[places]`` table adds places to the
built-in hierarchy ``DEFAULT_PLACES`` (child -> parent; "" for a country).

Judging: ``judge(claim, timeline, published, milestones)`` is a pure function. Every event is
assessed against the claim (``timeline_judge.py``, with the measures in ``timeline_fit.py`` and
the wording in ``timeline_words.py``), the best assessment wins, and the verdict says why in
plain words. A wrong "conflicting" costs most (it alerts that the facts moved), so it needs
strong evidence; in doubt a claim is consistent or new.

- Kinds: the same kind fits best; withdrawal, mission_end, handover and relocation form one
  family (forces leaving), agreement and timetable another. A claim of one family may agree with
  an event of the other on a shared date (an agreement's deadline), but never conflicts with it.
  ``troop_count`` and ``other`` only meet their own kind, and ``other`` only on a shared date.
- Places: exact > nested (kurdistan ⊃ erbil ⊃ harir; anbar ⊃ ain_al_asad; baghdad ⊃
  joint_operations_command, victory) > broad (a country such as iraq against a place in it, or
  against itself: "العراق" is as often the actor as the place) > unspecified (either side names
  none). Disjoint places never match. A place that only frames a more specific one in the same
  claim is dropped ("عين الأسد غربي العراق" is about ain_al_asad). Taji sits under iraq, not
  baghdad: Camp Taji is ~30 km north of the capital, news copy treats it as a base of its own
  and the coalition left it in 2020, so it must not read as the "Baghdad drawdown".
  Between an agreement-family claim and event, place names are metonyms ("بغداد وواشنطن") and
  any overlap counts as exact. A claim naming several places ranks events by its least well
  placed one: "from Baghdad to Harir" fits Kurdistan's transfer and Baghdad's phase only in part.
- Dates: the finer interval must overlap the coarser one (a day matches its month, a month its
  year, September does not match "end of the year"), with one day of slack when both are days
  or weeks (time zones, "yesterday" resolved across midnight). See ``SLACK_DAYS``. Not compared:
  an agreement-family claim's date after its own publication ("agree to withdraw in 2025" gives
  the deadline, not the day of signing), and, on a claim that does not report something done, a
  date in the week up to publication against an agreement or a milestone still planned in the
  file ("اليوم"، "الأحد": the day it was said or demanded, not a date for the event;
  ``NEWS_PEG_DAYS``). A troop figure for another period (dated outside the event's, or undated
  in a story written before it) is another figure, not a contradiction.
- Numbers (compared only between the same kind): point values agree within 15% when either
  side says "about", else 5% (rounding); "more than X" is > X, "at least X" >= X, "less than
  X" < X, each against the other side's value widened by its own tolerance. An undated figure is
  compared first with the figure standing at publication.
- conflicting needs a strong match: exact or nested places, or a claim of the same kind that
  names only a country (taken to be about the event's places); and no specific place outside
  the event's ("Baghdad and Erbil" says more than either phase). A claim naming no place can
  agree, and can say a completed milestone is still ahead, but its date or figure never
  conflicts (agreements aside: their places are metonyms). A broad match can agree but not
  conflict: Taji in 2020 says nothing against "the rest by 2026". A relocation or handover
  event meets only its own kind (a convoy leaving for Kurdistan is not "advisers transferred
  in Kurdistan"). Steps are never a date for a milestone of another kind: a relocation or a
  handover, or a count of those who left ("350 advisers left the base"), before the milestone
  is on the way to it, and at another time than a completed one is another step; a count never
  completes a milestone. A demand or a call ("طالب"، "دعا"، "يجب"; not "طالباً عدم الكشف عن
  هويته") never conflicts: it takes the best other verdict, or is new.
- completed: the claim reports it done (not negated, not hedged), places match strongly, the
  event is still planned (in the file and in ``milestones``) and its start is no more than
  ``EARLY_DAYS`` after the claim's date (or the publication date). Done much earlier than
  planned is conflicting. Late completion is completed. Done up to ``EARLY_DAYS`` before a
  completed milestone's date agrees with it (its date is a deadline: "by the end of 2021").
- A milestone (a forces-leaving event) already completed: a claim dated wholly after its own
  publication that speaks of it as still ahead ("next month", not "by the end of this month")
  is conflicting, when a story completed it (``milestones``) or the file holds it done within
  ``RECENT_DAYS`` before the story (a mission "ending next month" years later is another
  mission); so is a negated report that it is done. When a story completed a milestone the file
  still plans, the day is unknown: a claim dated from the plan on and not after its
  publication (another copy's "أعلنت مساء الأحد…", with or without a word of completion) is
  consistent with it being completed. An undated plan-like mention is not flagged (it is as
  often background). An undated report that it is done confirms it only within
  ``RECENT_DAYS`` of the event (or when a story completed it).
- Negation flips a specific match: denying a date or figure the timeline holds is conflicting,
  denying one it does not hold is consistent; a negated claim with no date or figure that
  matches ("denies any plan for an immediate withdrawal from Iraq") has nothing specific to
  deny and is consistent. Hedged claims are judged like others but are never completed.
- Best event: highest (place fit by the least well placed place, verdict completed >
  consistent > conflicting, a date or figure agreed precisely (not merely inside a period
  longer than a month such as "2026", nor late), kind fit, nearest date or figure; for an
  undated claim, what is due (done reports) or next). An agreement with an event of another
  kind only inside such a coarse period ("advisers transferred in 2026") yields to a conflict
  with an event of the claim's own kind at named places ("the Kurdistan mission ends in March
  2026" vs 2026-09). A claim dated the very day of an event (a day) that a conflict would
  otherwise win reports that event ("announced on 27 September 2024 the end of the mission").
  A reason may add a note naming a second event that disagrees, which is how the two reports
  for Erbil (2026-09 vs the end of 2026) both stay visible.
- A claim with no date, place or number fits the best event of its kind as consistent (it goes
  to the digest; "new" would alert on every general mention of the withdrawal).
- new: no event fits by kind and places (and date or number where they must agree).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args

from monitor.confkit import Problems, Section, read_toml
from monitor.models import (
    Claim,
    ClaimKind,
    Granularity,
    MilestoneStatus,
    Qualifier,
    Quantity,
    Timeline,
    TimelineEvent,
    Verdict,
)
from monitor.timeline.assess import assess
from monitor.timeline.fit import places_of
from monitor.timeline.rank import Assessment, render
from monitor.timeline.table import milestone_json, milestone_rows, milestone_table
from monitor.timeline.words import describe_new

__all__ = [
    "DEFAULT_PLACES",
    "default_timeline_path",
    "effective_status",
    "judge",
    "load_timeline",
    "milestone_json",  # monitor timeline (timeline_table.py)
    "milestone_rows",
    "milestone_table",
]

KINDS: tuple[str, ...] = get_args(ClaimKind)
GRANULARITIES: tuple[str, ...] = get_args(Granularity)
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)
STATUSES = ("planned", "completed")

# Child -> parent. None marks a country (a "broad" place). The gazetteer's canonical ids.
DEFAULT_PLACES: dict[str, str | None] = {
    "iraq": None,
    "syria": None,
    "baghdad": "iraq",
    "joint_operations_command": "baghdad",
    "victory": "baghdad",
    "taji": "iraq",  # north of the capital, its own base: see the module docstring
    "anbar": "iraq",
    "ain_al_asad": "anbar",
    "kurdistan": "iraq",
    "erbil": "kurdistan",
    "harir": "erbil",
}

_DEFAULT_ITEMS = tuple(DEFAULT_PLACES.items())
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


# --------------------------------------------------------------------------- judging


def judge(
    claim: Claim,
    timeline: Timeline,
    published: date | None,
    milestones: Mapping[str, str] | None = None,
) -> Verdict:
    """The claim's verdict against the timeline (rules in the module docstring).

    ``milestones`` maps event id -> the story that reported it completed (kept by the store).
    """
    if isinstance(published, datetime):  # a datetime is a date too; compare calendar days
        published = published.date()
    gaz = places_of(timeline.places or _DEFAULT_ITEMS)
    found: list[Assessment] = []
    for event in timeline.events:
        result = assess(claim, event, published, milestones or {}, gaz)
        if result is not None:
            found.append(result)
    if not found:
        return Verdict("new", None, describe_new(claim))
    return _as_start(claim, render(claim, found), timeline)


def _as_start(claim: Claim, verdict: Verdict, timeline: Timeline) -> Verdict:
    """A move that *begins* neither completes a milestone nor dates its end: it agrees with the
    plan when it starts no later than the milestone's end, and contradicts it only after."""
    if claim.phase != "start" or verdict.verdict not in ("conflicting", "completed"):
        return verdict
    event = next((e for e in timeline.events if e.id == verdict.timeline_event), None)
    if event is None:
        return verdict
    if claim.date is not None and claim.date.start > event.end:
        return Verdict(
            "conflicting",
            event.id,
            f"says it starts {claim.date.start.isoformat()}; timeline: {event.id} ends by"
            f" {event.end.isoformat()} — {event.title_en}",
        )
    return Verdict(
        "consistent",
        event.id,
        f"reports a start, before the planned end of {event.id} ({event.end.isoformat()}):"
        f" a step towards it, not its completion — {event.title_en}",
    )


def effective_status(event: TimelineEvent, milestones: Mapping[str, str] | None) -> MilestoneStatus:
    """``completed`` when the file says so or a story reported it done, else ``planned``."""
    return (
        "completed" if event.status == "completed" or event.id in (milestones or {}) else "planned"
    )
