"""The words of a timeline verdict: what one claim/event pair says, as a reason in plain words.

``Facts`` is what the rules (``assess.py``) know about one pair; the rules name the ``Case`` they
decided, and ``EN`` here and ``arabic.AR`` word that case from the same facts, so the English and
the Arabic reason always say the same thing. Pure functions, no I/O. Reasons show both values of
a disagreement ("says ... 2025-09; timeline: 2024-09-27 (id)") and end with the event's titles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from monitor.models import POLITICAL_KINDS, Claim, TimelineEvent
from monitor.timeline.fit import BROAD, NESTED, describe_number, describe_when

# Why a dated claim's date was not compared with the event's.
Unchecked = Literal["", "deadline", "peg"]

# What the rules decided about one pair, worded in each language from the same ``Facts``.
Case = Literal[
    "still_ahead",  # conflicting: written after the milestone was done, speaks of it as ahead
    "differs",  # conflicting: a date or a number differs (both values shown)
    "denies_unheld",  # consistent: denies a date or figure the timeline does not hold either
    "denies_held",  # conflicting: denies what the timeline holds
    "nothing_to_deny",  # consistent: a denial with nothing specific in it
    "agrees",  # consistent: what was checked and agreed (or the kind alone)
    "denies_done",  # conflicting: denies a milestone the timeline holds completed
    "confirms",  # consistent: reports done what is completed
    "not_yet",  # consistent: says a planned milestone is not done yet
    "too_early",  # conflicting: done long before the plan
    "broadly",  # consistent: something done that fits the milestone only broadly
    "hedged",  # consistent: reports it done, but hedged
    "step",  # consistent: a number gone, a step towards the milestone
    "done_planned",  # completed: reports done what the timeline holds as planned
]

_DATE_PHRASE = {
    "agreement": "says the agreement was signed",
    "timetable": "says the timetable was agreed",
    "withdrawal": "puts the withdrawal at",
    "mission_end": "puts the end of the mission at",
    "handover": "puts the handover at",
    "relocation": "puts the move at",
    "troop_count": "gives the troop figure for",
    "other": "dates it",
}


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known about one claim/event pair, for the verdict rules and their wording."""

    claim: Claim
    event: TimelineEvent
    published: date | None
    completed_by: str | None  # the story that reported the event done (from the store)
    done: bool  # the timeline (file or store) holds the event completed
    place: int
    kind: int
    strong: bool  # specific enough to conflict or to complete
    date_ok: bool | None  # None: no date, or one that is not the event's (see ``unchecked``)
    number_ok: bool | None  # None: nothing to compare
    unchecked: Unchecked = ""  # why a date was left out: an agreement's deadline, the news peg
    late: bool = False  # dated after the plan of a milestone a story completed: its late date
    partial: bool = False  # the claim also names places outside the event's
    placed: bool = True  # the claim names a place (or is an agreement: places are metonyms)
    phase: bool = False  # the claim's sentence names this event's phase by its ordinal
    pinned: bool = False  # ... and names no place: the phase gave it the event's places


def mismatches(f: Facts) -> str:
    """Both values of each disagreement, e.g. "says ... 2025-09; timeline: 2024-09-27 (id)"."""
    claim, ev = f.claim, f.event
    parts = []
    if f.date_ok is False and claim.date is not None:
        parts.append(
            f"{_DATE_PHRASE[claim.kind]} {claim_when(claim)}; timeline: {when(ev)} ({ev.id})"
        )
    if f.number_ok is False and claim.number is not None and ev.number is not None:
        parts.append(
            f"says {describe_number(claim.number)}; timeline: {describe_number(ev.number)} ({ev.id})"
        )
    return "; ".join(parts) + (title(ev) if parts else "")


def checked_facts(f: Facts) -> list[str]:
    """What a consistent verdict checked and found agreeing: "date", "phase", "places" (with
    "(broadly)" or "(partly)"), "number"; empty when the claim agrees by its kind alone."""
    checked = ["date"] if f.date_ok else []
    if f.phase:
        checked.append("phase")
    # place names in agreement sentences are governments ("بغداد وواشنطن"): not checked
    political = f.claim.kind in POLITICAL_KINDS and f.event.kind in POLITICAL_KINDS
    if f.claim.places and not political and f.place >= BROAD and not f.pinned:
        fit = "places" if f.place >= NESTED else "places (broadly)"
        checked.append("places (partly)" if f.partial else fit)
    if f.number_ok:
        checked.append("number")
    return checked


def agrees(f: Facts) -> str:
    """A consistent verdict: what was checked and agreed, or why a date was not checked."""
    ev = f.event
    if f.late:
        after = (
            ", after the plan" if f.claim.date is not None and f.claim.date.start > ev.end else ""
        )
        return (
            f"dated {claim_when(f.claim)}{after}: fits {event_ref(ev)}, which is "
            f"completed{by(f)}{title(ev)}"
        )
    lead = ""
    if f.unchecked == "deadline":
        lead = f"its date ({claim_when(f.claim)}) is a deadline after publication, not the day "
        lead += "of the agreement; "
    elif f.unchecked == "peg":
        lead = f"its date ({claim_when(f.claim)}) is the week it was published: when it was "
        lead += "said, not a date for the event; "
    checked = checked_facts(f)
    status = f"; it is completed{by(f)}" if f.completed_by else ""
    if not checked:
        what = "" if lead else f"{_unchecked(f.claim)}; "
        return f"{lead}{what}fits {event_ref(ev)} by kind{status}{title(ev)}"
    return f"{lead}agrees with {event_ref(ev)} on {' and '.join(checked)}{status}{title(ev)}"


def _still_ahead(f: Facts) -> str:
    ev = f.event
    return (
        f"speaks of it as still ahead ({claim_when(f.claim)}, after publication {f.published}); "
        f"timeline: {ev.id} ({when(ev)}) completed{by(f)}{title(ev)}"
    )


def _reported_on(f: Facts) -> date | None:
    """The day a "done" report speaks of: its own date, else the publication day."""
    return f.claim.date.end if f.claim.date is not None else f.published


def _done_planned(f: Facts) -> str:
    ev, ref = f.event, _reported_on(f)
    timing = ""
    if ref is not None and ref > ev.end:
        timing = ", later than planned"
    elif ref is not None and ref < ev.start:
        timing = ", ahead of plan"
    return (
        f"reports as done what the timeline holds as planned: {ev.id} "
        f"(planned {when(ev)}{timing}){title(ev)}"
    )


def _step(f: Facts) -> str:
    gone = describe_number(f.claim.number) if f.claim.number is not None else "some"
    return (
        f"reports {gone} gone: a step towards {event_ref(f.event)}, "
        f"not counted as completed{title(f.event)}"
    )


EN: dict[Case, Callable[[Facts], str]] = {
    "still_ahead": _still_ahead,
    "differs": mismatches,
    "denies_unheld": lambda f: f"denies what the timeline does not hold either: {mismatches(f)}",
    "denies_held": lambda f: (
        f"denies what the timeline holds: {event_ref(f.event)}{title(f.event)}"
    ),
    "nothing_to_deny": lambda f: (
        f"nothing specific to deny; see {event_ref(f.event)}{title(f.event)}"
    ),
    "agrees": agrees,
    "denies_done": lambda f: (
        f"denies that it is done; timeline: {f.event.id} ({when(f.event)}) completed{by(f)}"
        f"{title(f.event)}"
    ),
    "confirms": lambda f: f"confirms {event_ref(f.event)} is completed{by(f)}{title(f.event)}",
    "not_yet": lambda f: (
        f"says it is not done yet; timeline holds it planned: {event_ref(f.event)}"
    ),
    "too_early": lambda f: (
        f"reports as done by {_reported_on(f)} what the timeline plans for {when(f.event)} "
        f"({f.event.id}){title(f.event)}"
    ),
    "broadly": lambda f: (
        f"reports something done that fits {event_ref(f.event)} only broadly{title(f.event)}"
    ),
    "hedged": lambda f: (
        f"reports {event_ref(f.event)} done, but hedged: not counted as completed{title(f.event)}"
    ),
    "step": _step,
    "done_planned": _done_planned,
}


def names_anything(claim: Claim) -> bool:
    """Whether the claim states a date, a place or a number at all."""
    return bool(claim.date or claim.places or claim.number)


def _unchecked(claim: Claim) -> str:
    # a claim that names places an event cannot be checked by (a government's capital in an
    # agreement, a region around the event's site) must not read as naming none
    if names_anything(claim):
        return "nothing it names can be checked against the event"
    return "names no date, place or number to check"


def describe_new(claim: Claim, names: Mapping[str, tuple[str, str]]) -> str:
    """Why nothing matched, naming what the claim said (places by ``names``' English)."""
    parts = [claim.kind.replace("_", " ")]
    if claim.places:
        parts.append("at " + ", ".join(names.get(p, ("", p))[1] for p in claim.places))
    if claim.date is not None:
        parts.append(claim_when(claim))
    if claim.number is not None:
        parts.append(describe_number(claim.number))
    return "no timeline event matches this claim (" + "; ".join(parts) + ")"


def claim_when(claim: Claim) -> str:
    assert claim.date is not None
    return describe_when(claim.date.start, claim.date.end, claim.date.granularity)


def when(ev: TimelineEvent) -> str:
    return describe_when(ev.start, ev.end, ev.granularity)


def event_ref(ev: TimelineEvent) -> str:
    figure = f", {describe_number(ev.number)}" if ev.number is not None else ""
    return f"{ev.id} ({when(ev)}{figure})"


def title(ev: TimelineEvent) -> str:
    """The event's titles; the Arabic one only when short enough for an alert line."""
    arabic = f" «{ev.title_ar}»" if len(ev.title_ar) <= 70 else ""
    return f" — {ev.title_en}{arabic}"


def by(f: Facts) -> str:
    return f", reported by story {f.completed_by}" if f.completed_by else ""
