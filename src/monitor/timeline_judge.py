"""The rules behind ``timeline.judge``: one claim against one event, then the best assessment.

Split from ``timeline.py`` (which documents the rules in its docstring) to keep modules small;
the wording of the reasons lives in ``timeline_words.py``. Pure functions over the models; no
I/O, no clock: "now" is always the publication date.
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
    STEPS,
    UNSPECIFIED,
    at_news_peg,
    coarser,
    covers,
    date_gap,
    dates_agree,
    is_country_claim,
    is_demand,
    kind_fit,
    midpoint,
    numbers_agree,
    place_fit,
    weakest_place,
)
from monitor.timeline_words import (
    Facts,
    Unchecked,
    agrees,
    by,
    claim_when,
    describe_new,
    event_ref,
    mismatches,
    title,
    when,
)

EARLY_DAYS = 92  # done up to a quarter ahead of plan still completes the milestone
RECENT_DAYS = 366  # an undated "it is done" confirms a completed event for a year after it

_VERDICT_RANK = {"completed": 3, "consistent": 2, "conflicting": 1}

__all__ = ["EARLY_DAYS", "RECENT_DAYS", "Assessment", "assess", "describe_new", "render"]


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
    loose: bool = False  # agrees only as another kind, and only because its date is coarser

    @property
    def rank(self) -> tuple[int, int, int, bool, tuple[int, int, int]]:
        return (self.place, _VERDICT_RANK[self.verdict], self.kind, self.specific, self.closeness)


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
    completed_by = milestones.get(event.id)
    covered = covers(claim, event, parents)
    date_ok, unchecked, late = _date_fit(claim, event, published, completed_by)
    if claim.kind == "troop_count" and date_ok is False:
        return None  # a figure for another period is another figure, not a contradiction
    political = claim.kind in POLITICAL and event.kind in POLITICAL  # places are metonyms
    loose = kind == CROSS or claim.kind == "other"
    if loose and date_ok is not True:
        return None  # these meet an event only on a shared date
    if kind == CROSS:
        place = max(UNSPECIFIED, place - 1)  # an agreement's deadline, not the agreement itself
    number_ok = None
    if kind == SAME and claim.number is not None and event.number is not None:
        number_ok = numbers_agree(claim.number, event.number)
    facts = Facts(
        claim=claim,
        event=event,
        published=published,
        completed_by=completed_by,
        done=event.status == "completed" or completed_by is not None,
        place=place,
        kind=kind,
        strong=not loose and covered and _is_strong(place, kind, claim, parents),
        date_ok=date_ok,
        number_ok=number_ok,
        unchecked=unchecked,
        late=late,
        partial=not covered,
    )
    outcome = _judge_done(facts) if claim.reports_done else _judge_plan(facts)
    if outcome is None:
        return None
    # Rank by the claim's least well placed place: "from Baghdad to Harir" fits each of its
    # events only in part, and the kind and the date choose among them, not the place.
    rank_place = place if political else min(place, weakest_place(claim, event, parents))
    coarse = (
        claim.date is not None
        and date_ok is True
        and not number_ok
        and coarser(event.granularity, claim.date.granularity)
    )
    return Assessment(
        event,
        outcome[0],
        rank_place,
        kind,
        _closeness(facts),
        outcome[1],
        specific=bool(date_ok or number_ok),
        loose=outcome[0] == "consistent" and kind < SAME and coarse,
    )


def render(claim: Claim, found: list[Assessment]) -> Verdict:
    """The best assessment as a verdict, with a note on a second event that disagrees.

    A loose agreement (another kind of event, on a coarser date) yields to a conflict with an
    event of the claim's own kind at places as close and named (exact or nested): "the Kurdistan mission ends in March 2026"
    is about the Erbil mission (2026-09), not merely inside "advisers transferred in 2026".
    A demand or a call never conflicts: what someone asks for is not what was agreed.
    """
    best = max(found, key=lambda a: a.rank)
    if best.verdict == "consistent" and best.loose:
        rivals = [
            a
            for a in found
            if a.verdict == "conflicting" and a.kind == SAME and a.place >= max(best.place, NESTED)
        ]
        if rivals:
            best = max(rivals, key=lambda a: a.rank)
    flags = [name for name, on in (("negated", claim.negated), ("hedged", claim.hedged)) if on]
    prefix = f"{', '.join(flags)}: " if flags else ""
    if best.verdict == "conflicting" and is_demand(claim.sentence):
        agreeing = [a for a in found if a.verdict != "conflicting"]
        if not agreeing:
            return Verdict(
                "new",
                None,
                f"{prefix}a demand or a call, not a report of what was agreed or done: not held "
                f"against the timeline (it differs: {best.reason})",
            )
        best = max(agreeing, key=lambda a: a.rank)
        prefix += "a demand or a call: "
    return Verdict(best.verdict, best.event.id, prefix + best.reason + _note(best, found))


# --------------------------------------------------------------------------- verdict rules


def _date_fit(
    claim: Claim, event: TimelineEvent, published: date | None, completed_by: str | None
) -> tuple[bool | None, Unchecked, bool]:
    """Whether the dates agree (None: not compared), why not compared, and "late".

    Late: a story completed a milestone the file still plans; the store does not know the day,
    so a date from the plan on (and not ahead of publication, unless it reports it done) is
    the completion's, reported late: it agrees.
    """
    if claim.date is None:
        return None, "", False
    date_ok = dates_agree(claim.date, event)
    if date_ok:
        return True, "", False
    political = claim.kind in POLITICAL and event.kind in POLITICAL
    if political and published is not None and claim.date.start > published:
        return None, "deadline", False  # "agree to withdraw in 2025": when, not signed
    not_ahead = published is None or claim.date.end <= published
    if (
        completed_by is not None
        and event.status == "planned"
        and (event.start - claim.date.end).days <= EARLY_DAYS
        and (claim.reports_done or not_ahead)
    ):
        return True, "", True
    if not claim.reports_done and at_news_peg(claim.date, published):
        return None, "peg", False
    return False, "", False


def _judge_plan(f: Facts) -> tuple[VerdictKind, str] | None:
    """A claim that does not report something done: a plan, a figure, a dated fact."""
    claim, ev = f.claim, f.event
    if f.done and f.strong and not claim.negated and _still_ahead(f):
        return "conflicting", (
            f"speaks of it as still ahead ({claim_when(claim)}, after publication {f.published}); "
            f"timeline: {ev.id} ({when(ev)}) completed{by(f)}{title(ev)}"
        )
    found = mismatches(f)
    if found:
        if not f.strong or _step_before(f):
            return None
        if claim.negated:
            return "consistent", f"denies what the timeline does not hold either: {found}"
        return "conflicting", found
    if claim.negated:
        if f.date_ok or f.number_ok or f.place >= NESTED:
            return "conflicting", f"denies what the timeline holds: {event_ref(ev)}{title(ev)}"
        return "consistent", f"nothing specific to deny; see {event_ref(ev)}{title(ev)}"
    return "consistent", agrees(f)


def _judge_done(f: Facts) -> tuple[VerdictKind, str] | None:
    """A claim that reports something done (past tense, "أكملت", "غادر آخر…")."""
    claim, ev = f.claim, f.event
    if f.done:
        if claim.negated:
            if not f.strong:
                return "consistent", f"nothing specific to deny; see {event_ref(ev)}{title(ev)}"
            return "conflicting", (
                f"denies that it is done; timeline: {ev.id} ({when(ev)}) completed{by(f)}{title(ev)}"
            )
        if f.date_ok is False:
            return ("conflicting", mismatches(f)) if f.strong and not _step_before(f) else None
        if claim.date is None and not _recent(f):
            return None  # an undated "done" years later is not a report of this event
        return "consistent", f"confirms {event_ref(ev)} is completed{by(f)}{title(ev)}"
    if claim.negated:
        return "consistent", f"says it is not done yet; timeline holds it planned: {event_ref(ev)}"
    ref = claim.date.end if claim.date is not None else f.published
    if ref is not None and (ev.start - ref).days > EARLY_DAYS:
        if not f.strong or _is_step(f):
            return None  # one base handed over long before the end is a step, not the end
        return "conflicting", (
            f"reports as done by {ref} what the timeline plans for {when(ev)} ({ev.id}){title(ev)}"
        )
    if not f.strong:
        return "consistent", (
            f"reports something done that fits {event_ref(ev)} only broadly{title(ev)}"
        )
    if claim.hedged:
        return "consistent", (
            f"reports {event_ref(ev)} done, but hedged: not counted as completed{title(ev)}"
        )
    timing = ""
    if ref is not None and ref > ev.end:
        timing = ", later than planned"
    elif ref is not None and ref < ev.start:
        timing = ", ahead of plan"
    return "completed", (
        f"reports as done what the timeline holds as planned: {ev.id} "
        f"(planned {when(ev)}{timing}){title(ev)}"
    )


def _is_step(f: Facts) -> bool:
    """A step on the way to a milestone: a relocation or a handover against a milestone of
    another kind (see ``STEPS``), or a count of those who moved ("350 advisers left the base")
    against a milestone that is not a figure: some leaving is not "the rest leave"."""
    claim, ev = f.claim, f.event
    if ev.kind not in MOVEMENT:
        return False
    return (claim.kind in STEPS and claim.kind != ev.kind) or (
        claim.number is not None and ev.number is None
    )


def _step_before(f: Facts) -> bool:
    """A step dated before the milestone: on the way to it, not a date for it."""
    return _is_step(f) and f.claim.date is not None and f.claim.date.end < f.event.start


def _still_ahead(f: Facts) -> bool:
    """A milestone (not an agreement or a figure) dated after the story that mentions it."""
    claim = f.claim
    return (
        f.event.kind in MOVEMENT
        and claim.date is not None
        and f.published is not None
        and claim.date.end > f.published
    )


def _recent(f: Facts) -> bool:
    if f.completed_by is not None or f.published is None:
        return True
    ev = f.event
    return (ev.start - f.published).days <= EARLY_DAYS and (
        f.published - ev.end
    ).days <= RECENT_DAYS


def _closeness(f: Facts) -> tuple[int, int, int]:
    """Tie-breaker between events: the nearest date, then the nearest figure. An undated figure
    is compared with the one standing at publication first ("5,000 still in Iraq" is about the
    latest figure, not the nearest); other undated claims prefer what is already due (done
    reports) or the next planned milestone."""
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
    if f.number_ok is not None:
        return -gap, figure, 0
    if claim.reports_done:
        return figure, int(ev.end <= f.published), -gap
    return figure, int(not f.done and ev.end >= f.published), -gap


def _is_strong(place: int, kind: int, claim: Claim, parents: Mapping[str, str | None]) -> bool:
    """Specific enough to conflict or complete (given no place outside the event: ``covers``).

    A named place at or inside the event's, or a claim of the same kind that names no place or
    only a country (taken to be about the event's places). A specific place inside an event's
    country is not: Taji in 2020 says nothing against "the rest by the end of 2026". A troop
    figure must name its place: 900 in Syria and 2,500 in Iraq are both "the" figure, and "300
    advisers reached the base" is neither.
    """
    if place >= NESTED:
        return True
    if kind != SAME or (claim.kind == "troop_count" and place == UNSPECIFIED):
        return False
    return place == UNSPECIFIED or (place == BROAD and is_country_claim(claim, parents))


def _note(best: Assessment, found: list[Assessment]) -> str:
    """Name a second event that tells a different story, so both reports stay visible.

    A conflict names an event the claim agrees with on a date or number (an agreement's
    deadline, another phase). Agreement on a date or a number with a planned milestone names
    another planned milestone, at places as close, that the claim contradicts: two reports of
    one plan.
    """
    if best.verdict == "conflicting":
        others = [a for a in found if a.verdict != "conflicting" and a.specific]
        text = "agrees with {}"
    elif best.verdict == "consistent" and best.event.status == "planned" and best.specific:
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
    return "; note: " + text.format(event_ref(other.event))
