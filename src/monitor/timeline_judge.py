"""The rules behind ``timeline.judge``: one claim against one event, then the best assessment.

Split from ``timeline.py`` (which documents the rules in its docstring) to keep modules small.
Pure functions over the models; no I/O, no clock: "now" is always the publication date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from monitor.models import Claim, TimelineEvent, Verdict, VerdictKind
from monitor.timeline_fit import (
    BROAD,
    CROSS,
    FAMILY,
    MOVEMENT,
    NESTED,
    POLITICAL,
    SAME,
    UNSPECIFIED,
    date_gap,
    dates_agree,
    describe_number,
    describe_when,
    is_country_claim,
    kind_fit,
    midpoint,
    numbers_agree,
    place_fit,
)

EARLY_DAYS = 92  # done up to a quarter ahead of plan still completes the milestone
RECENT_DAYS = 366  # an undated "it is done" confirms a completed event for a year after it

_VERDICT_RANK = {"completed": 3, "consistent": 2, "conflicting": 1}
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
class Assessment:
    """One event's fit with a claim, and the verdict it would give."""

    event: TimelineEvent
    verdict: VerdictKind
    place: int
    kind: int
    closeness: tuple[int, int, int]  # higher is closer
    reason: str
    specific: bool = False  # a date or a number agreed (worth naming in another verdict's note)

    @property
    def rank(self) -> tuple[int, int, int, tuple[int, int, int]]:
        return (self.place, _VERDICT_RANK[self.verdict], self.kind, self.closeness)


@dataclass(frozen=True, slots=True)
class _Facts:
    """What is known about one claim/event pair, for the verdict rules."""

    claim: Claim
    event: TimelineEvent
    published: date | None
    completed_by: str | None
    done: bool  # the timeline (file or store) holds the event completed
    place: int
    kind: int
    strong: bool  # specific enough to conflict or to complete
    date_ok: bool | None  # None: the claim has no date (or only an agreement's deadline)
    number_ok: bool | None  # None: nothing to compare


def assess(
    claim: Claim,
    event: TimelineEvent,
    published: date | None,
    milestones: Mapping[str, str],
    parents: Mapping[str, str | None],
) -> Assessment | None:
    """The verdict ``event`` would give ``claim``, or None when they are not about the same thing."""
    kind = kind_fit(claim.kind, event.kind)
    place = place_fit(claim, event, parents)
    if not kind or place is None:
        return None
    date_ok = None if claim.date is None else dates_agree(claim.date, event)
    if date_ok is not None and _is_deadline(claim, event, published):
        date_ok = None  # "agree to withdraw in 2025": when they leave, not when they signed
    loose = kind == CROSS or claim.kind == "other"
    if loose and date_ok is not True:
        return None  # these meet an event only on a shared date
    if kind == CROSS:
        place = max(UNSPECIFIED, place - 1)  # an agreement's deadline, not the agreement itself
    number_ok = None
    if kind == SAME and claim.number is not None and event.number is not None:
        number_ok = numbers_agree(claim.number, event.number)
    facts = _Facts(
        claim=claim,
        event=event,
        published=published,
        completed_by=milestones.get(event.id),
        done=event.status == "completed" or event.id in milestones,
        place=place,
        kind=kind,
        strong=not loose and _is_strong(place, kind, claim, parents),
        date_ok=date_ok,
        number_ok=number_ok,
    )
    outcome = _judge_done(facts) if claim.reports_done else _judge_plan(facts)
    if outcome is None:
        return None
    specific = bool(date_ok or number_ok)
    return Assessment(event, outcome[0], place, kind, _closeness(facts), outcome[1], specific)


def render(claim: Claim, found: list[Assessment]) -> Verdict:
    """The best assessment as a verdict, with a note on a second event that disagrees."""
    best = max(found, key=lambda a: a.rank)
    flags = [name for name, on in (("negated", claim.negated), ("hedged", claim.hedged)) if on]
    prefix = f"{', '.join(flags)}: " if flags else ""
    return Verdict(best.verdict, best.event.id, prefix + best.reason + _note(best, found))


def describe_new(claim: Claim) -> str:
    """Why nothing matched, naming what the claim said."""
    parts = [claim.kind.replace("_", " ")]
    if claim.places:
        parts.append("at " + ", ".join(claim.places))
    if claim.date is not None:
        parts.append(describe_when(claim.date.start, claim.date.end, claim.date.granularity))
    if claim.number is not None:
        parts.append(describe_number(claim.number))
    return "no timeline event matches this claim (" + "; ".join(parts) + ")"


# --------------------------------------------------------------------------- verdict rules


def _judge_plan(f: _Facts) -> tuple[VerdictKind, str] | None:
    """A claim that does not report something done: a plan, a figure, a dated fact."""
    claim, ev = f.claim, f.event
    if f.done and f.strong and not claim.negated and _still_ahead(f):
        assert claim.date is not None
        said = describe_when(claim.date.start, claim.date.end, claim.date.granularity)
        return "conflicting", (
            f"speaks of it as still ahead ({said}, after publication {f.published}); "
            f"timeline: {ev.id} ({_when(ev)}) completed{_by(f)}{_title(ev)}"
        )
    mismatches = _mismatches(f)
    if mismatches:
        if not f.strong:
            return None
        if claim.negated:
            return "consistent", f"denies what the timeline does not hold either: {mismatches}"
        return "conflicting", mismatches
    if claim.negated:
        if f.date_ok or f.number_ok or f.place >= NESTED:
            return "conflicting", f"denies what the timeline holds: {_event_ref(ev)}{_title(ev)}"
        return "consistent", f"nothing specific to deny; see {_event_ref(ev)}{_title(ev)}"
    return "consistent", _agrees(f)


def _judge_done(f: _Facts) -> tuple[VerdictKind, str] | None:
    """A claim that reports something done (past tense, "أكملت", "غادر آخر…")."""
    claim, ev = f.claim, f.event
    if f.done:
        if claim.negated:
            if not f.strong:
                return "consistent", f"nothing specific to deny; see {_event_ref(ev)}{_title(ev)}"
            return "conflicting", (
                f"denies that it is done; timeline: {ev.id} ({_when(ev)}) completed{_by(f)}"
                f"{_title(ev)}"
            )
        # A story completed it: the store knows that, not the day, so a done date only has to
        # fall on or after the plan, as a completion report's would.
        date_ok = f.date_ok
        if f.completed_by is not None and ev.status == "planned" and claim.date is not None:
            date_ok = (ev.start - claim.date.end).days <= EARLY_DAYS
        if date_ok is False:
            return ("conflicting", _mismatches(f)) if f.strong else None
        if claim.date is None and not _recent(f):
            return None  # an undated "done" years later is not a report of this event
        return "consistent", f"confirms {_event_ref(ev)} is completed{_by(f)}{_title(ev)}"
    if claim.negated:
        return "consistent", f"says it is not done yet; timeline holds it planned: {_event_ref(ev)}"
    ref = claim.date.end if claim.date is not None else f.published
    if ref is not None and (ev.start - ref).days > EARLY_DAYS:
        if not f.strong:
            return None
        return "conflicting", (
            f"reports as done by {ref} what the timeline plans for "
            f"{_when(ev)} ({ev.id}){_title(ev)}"
        )
    if not f.strong:
        return "consistent", (
            f"reports something done that fits {_event_ref(ev)} only broadly{_title(ev)}"
        )
    if claim.hedged:
        return "consistent", (
            f"reports {_event_ref(ev)} done, but hedged: not counted as completed{_title(ev)}"
        )
    timing = ""
    if ref is not None and ref > ev.end:
        timing = ", later than planned"
    elif ref is not None and ref < ev.start:
        timing = ", ahead of plan"
    return "completed", (
        f"reports as done what the timeline holds as planned: {ev.id} "
        f"(planned {_when(ev)}{timing}){_title(ev)}"
    )


def _mismatches(f: _Facts) -> str:
    """Both values of each disagreement, e.g. "says ... 2025-09; timeline: 2024-09-27 (id)"."""
    claim, ev = f.claim, f.event
    parts = []
    if f.date_ok is False and claim.date is not None:
        said = describe_when(claim.date.start, claim.date.end, claim.date.granularity)
        parts.append(f"{_DATE_PHRASE[claim.kind]} {said}; timeline: {_when(ev)} ({ev.id})")
    if f.number_ok is False and claim.number is not None and ev.number is not None:
        parts.append(
            f"says {describe_number(claim.number)}; timeline: {describe_number(ev.number)} ({ev.id})"
        )
    return "; ".join(parts) + (_title(ev) if parts else "")


def _agrees(f: _Facts) -> str:
    political = f.claim.kind in POLITICAL and f.event.kind in POLITICAL
    if political and f.claim.date is not None and f.date_ok is None:
        return (
            f"its date ({_claim_when(f.claim)}) is a deadline after publication, not the day "
            f"of the agreement; fits {_event_ref(f.event)} by kind{_title(f.event)}"
        )
    checked = ["date"] if f.date_ok else []
    # place names in agreement sentences are governments ("بغداد وواشنطن"): not checked
    if f.claim.places and not political and f.place >= BROAD:
        checked.append("places" if f.place >= NESTED else "places (broadly)")
    if f.number_ok:
        checked.append("number")
    if not checked:
        return (
            f"names no date, place or number to check; fits {_event_ref(f.event)} by kind"
            f"{_title(f.event)}"
        )
    return f"agrees with {_event_ref(f.event)} on {' and '.join(checked)}{_title(f.event)}"


def _is_deadline(claim: Claim, event: TimelineEvent, published: date | None) -> bool:
    """An agreement-family claim dated after its own publication names the agreement's deadline."""
    return (
        claim.kind in POLITICAL
        and event.kind in POLITICAL
        and claim.date is not None
        and published is not None
        and claim.date.start > published
    )


def _claim_when(claim: Claim) -> str:
    assert claim.date is not None
    return describe_when(claim.date.start, claim.date.end, claim.date.granularity)


def _still_ahead(f: _Facts) -> bool:
    """A milestone (not an agreement or a figure) dated after the story that mentions it."""
    claim = f.claim
    return (
        f.event.kind in MOVEMENT
        and claim.date is not None
        and f.published is not None
        and claim.date.end > f.published
    )


def _recent(f: _Facts) -> bool:
    if f.completed_by is not None or f.published is None:
        return True
    ev = f.event
    return (ev.start - f.published).days <= EARLY_DAYS and (
        f.published - ev.end
    ).days <= RECENT_DAYS


def _closeness(f: _Facts) -> tuple[int, int, int]:
    """Tie-breaker between events: the nearest figure, then the nearest date; for undated
    claims, what is already due (done reports) or the next planned milestone."""
    ev, claim = f.event, f.claim
    figure = 0
    if f.number_ok is not None and claim.number is not None and ev.number is not None:
        figure = -abs(claim.number.value - ev.number.value) * 1000 // max(ev.number.value, 1)
    if claim.date is not None and f.date_ok is not None:
        gap = date_gap(claim.date.start, claim.date.end, ev.start, ev.end)
        mid = abs(midpoint(claim.date.start, claim.date.end) - midpoint(ev.start, ev.end))
        return figure, -max(gap, 0), -mid
    if f.published is None:
        return figure, 0, 0
    gap = max(date_gap(f.published, f.published, ev.start, ev.end), 0)
    if claim.reports_done:
        return figure, int(ev.end <= f.published), -gap
    return figure, int(not f.done and ev.end >= f.published), -gap


def _is_strong(place: int, kind: int, claim: Claim, parents: Mapping[str, str | None]) -> bool:
    """Specific enough to conflict or complete: a named place at or inside the event's, or a
    claim of the same kind that names no place or only a country (taken to be about the event's
    places). A specific place inside an event's country is not: Taji in 2020 says nothing
    against "the rest by the end of 2026"."""
    if place >= NESTED:
        return True
    if kind != SAME:
        return False
    return place == UNSPECIFIED or (place == BROAD and is_country_claim(claim, parents))


def _note(best: Assessment, found: list[Assessment]) -> str:
    """Name a second event that tells a different story, so both reports stay visible.

    A conflict names an event the claim agrees with on a date or number (an agreement's
    deadline, another phase). Agreement with a planned milestone names another planned
    milestone, at places as close, that the claim contradicts: two reports of one plan.
    """
    if best.verdict == "conflicting":
        others = [a for a in found if a.verdict != "conflicting" and a.specific]
        text = "agrees with {}"
    elif best.verdict == "consistent" and best.event.status == "planned":
        others = [
            a
            for a in found
            if a.verdict == "conflicting"
            and a.place >= best.place
            and a.kind >= FAMILY
            and a.event.status == "planned"
        ]
        text = "but {} disagrees"
    else:
        return ""
    others = [a for a in others if a.event.id != best.event.id]
    if not others:
        return ""
    other = max(others, key=lambda a: a.rank)
    return "; note: " + text.format(_event_ref(other.event))


# --------------------------------------------------------------------------- wording


def _when(ev: TimelineEvent) -> str:
    return describe_when(ev.start, ev.end, ev.granularity)


def _event_ref(ev: TimelineEvent) -> str:
    figure = f", {describe_number(ev.number)}" if ev.number is not None else ""
    return f"{ev.id} ({_when(ev)}{figure})"


def _title(ev: TimelineEvent) -> str:
    """The event's titles; the Arabic one only when short enough for an alert line."""
    arabic = f" «{ev.title_ar}»" if len(ev.title_ar) <= 70 else ""
    return f" — {ev.title_en}{arabic}"


def _by(f: _Facts) -> str:
    return f", reported by story {f.completed_by}" if f.completed_by else ""
