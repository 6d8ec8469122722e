"""The rules behind ``timeline.judge``: what one event says of one claim (``assess``).

The rules are documented in ``judge.py``'s docstring; the measures live in ``fit.py``, the
wording of the reasons in ``words.py`` (English) and ``arabic.py``, and the choice of the best
assessment in ``rank.py``. Pure functions over the models;
no I/O, no clock: "now" is always the publication date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from monitor.models import POLITICAL_KINDS, Claim, TimelineEvent, VerdictKind
from monitor.timeline.fit import (
    BROAD,
    CROSS,
    EXACT,
    MOVEMENT,
    NESTED,
    SAME,
    STEPS,
    UNSPECIFIED,
    Places,
    at_news_peg,
    coarser,
    covers,
    date_gap,
    dates_agree,
    is_country_claim,
    kind_fit,
    midpoint,
    numbers_agree,
    place_fit,
    weakest_place,
)
from monitor.timeline.rank import Assessment
from monitor.timeline.words import Case, Facts, Unchecked, checked_facts

EARLY_DAYS = 92  # done up to a quarter ahead of plan still completes the milestone
RECENT_DAYS = 366  # an undated "it is done" confirms a completed event for a year after it
COARSE_DAYS = 31  # an event period longer than this is coarse against a finer claim date

Outcome = tuple[VerdictKind, Case]  # the reason is worded (in each language) only for the winner


def assess(
    claim: Claim,
    event: TimelineEvent,
    published: date | None,
    milestones: Mapping[str, str],
    gaz: Places,
    completed_on: Mapping[str, date] | None = None,
    *,
    phases: frozenset[int] = frozenset(),
) -> Assessment | None:
    """The verdict ``event`` would give ``claim``, or None when they are not about the same thing.

    A story's completion of ``event`` counts only for articles published on or after the day it
    was first reported (``completed_on``): one written before spoke of a milestone still ahead.
    ``phases``: the phase numbers the claim's sentence names (``phases.phases_meant``).
    """
    kind = kind_fit(claim.kind, event.kind)
    place = place_fit(claim, event, gaz)
    if not kind or place is None:
        return None
    phased = bool(phases) and event.phase is not None
    if phased and event.phase not in phases:
        return None  # the sentence names another phase: this one is only its neighbour
    # "the first phase" names where as well as a place name would (the phase is defined by its
    # places), when the claim names no place of its own
    pinned = phased and len(phases) == 1 and (not claim.places or is_country_claim(claim, gaz))
    if pinned:
        place = EXACT
    completed_by = milestones.get(event.id)
    first_reported = (completed_on or {}).get(event.id)
    if first_reported is not None and published is not None and published < first_reported:
        completed_by = None  # written before the completion was reported: still ahead then
    covered = covers(claim, event, gaz)
    date_ok, unchecked, late = _date_fit(claim, event, published, completed_by)
    if claim.kind == "troop_count" and (
        date_ok is False or _figure_before(claim, event, published)
    ):
        return None  # a figure for another period is another figure, not a contradiction
    political = (
        claim.kind in POLITICAL_KINDS and event.kind in POLITICAL_KINDS
    )  # places are metonyms
    if political and _agreed_later(claim, event, published):
        return None  # an article cannot report an agreement reached after it was written
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
        strong=not loose and covered and _is_strong(place, kind, claim, event, gaz),
        placed=political or place > UNSPECIFIED,
        date_ok=date_ok,
        number_ok=number_ok,
        unchecked=unchecked,
        late=late,
        partial=not covered,
        phase=phased,
        pinned=pinned,
    )
    # A troop figure is a figure, whatever verb carries it ("انخفض العدد إلى أقل من 2000"): it
    # agrees or not with the timeline's figure, and never confirms or completes a milestone.
    figure = claim.kind == "troop_count"
    outcome = _judge_done(facts) if claim.reports_done and not figure else _judge_plan(facts)
    if outcome is None:
        return None
    # Rank by the claim's least well placed place: "from Baghdad to Harir" fits each of its
    # events only in part, and the kind and the date choose among them, not the place.
    rank_place = place if political else min(place, weakest_place(claim, event, gaz))
    coarse = date_ok is True and not number_ok and _coarse_period(claim, event)
    return Assessment(
        event,
        outcome[0],
        rank_place,
        kind,
        _closeness(facts),
        facts,
        outcome[1],
        specific=bool(date_ok or number_ok),
        precise=bool(number_ok or (date_ok and not late)) and not coarse,
        loose=outcome[0] == "consistent" and kind < SAME and coarse,
        checked=tuple(checked_facts(facts)) if outcome[0] == "consistent" else (),
        stale=_stale(claim, event, published, number_ok),
    )


def _stale(
    claim: Claim, event: TimelineEvent, published: date | None, number_ok: bool | None
) -> bool:
    """A claim with no date or figure to check, in an article written over ``RECENT_DAYS``
    after the event ended: "Baghdad and Washington agree on a timetable" in January 2024 is
    the agreement of that month, not the one of 2021 that a same-kind fit would name."""
    return (
        claim.date is None
        and number_ok is None
        and published is not None
        and (published - event.end).days > RECENT_DAYS
    )


def _coarse_period(claim: Claim, event: TimelineEvent) -> bool:
    """The event is a period longer than a month and coarser than the claim's date: a day or
    a month inside "2026" or "the end of 2026" agrees, but says little about which event."""
    return (
        claim.date is not None
        and (event.end - event.start).days > COARSE_DAYS
        and coarser(event.granularity, claim.date.granularity)
    )


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
    political = claim.kind in POLITICAL_KINDS and event.kind in POLITICAL_KINDS
    if political and published is not None and claim.date.start > published:
        return None, "deadline", False  # "agree to withdraw in 2025": when, not signed
    early = (event.start - claim.date.end).days <= EARLY_DAYS and claim.date.start <= event.end
    if claim.reports_done and event.kind in MOVEMENT and event.status == "completed" and early:
        return True, "", False  # done up to a quarter before a milestone's deadline: on time
    not_ahead = published is None or claim.date.end <= published
    if (
        completed_by is not None
        and event.status == "planned"
        and (event.start - claim.date.end).days <= EARLY_DAYS
        and (claim.reports_done or not_ahead)
    ):
        return True, "", True
    # The news peg spares agreements and milestones still ahead in the file, not past events
    # ("handed over Taji today" in 2020 is not about 2011), nor a step dated before a
    # milestone, which is not about it at all (see _step_before).
    current = event.kind in POLITICAL_KINDS or event.status == "planned"
    step_before = claim.date.end < event.start and _is_step(claim, event)
    peg = current and not step_before and at_news_peg(claim.date, published)
    if peg and not claim.reports_done:
        return None, "peg", False
    return False, "", False


def _judge_plan(f: Facts) -> Outcome | None:
    """A claim that does not report something done: a plan, a figure, a dated fact."""
    claim = f.claim
    if f.done and f.strong and not claim.negated and _still_ahead(f):
        return "conflicting", "still_ahead"
    if f.date_ok is False or f.number_ok is False:
        if not (f.strong and f.placed) or _step_before(f):
            return None
        return ("consistent", "denies_unheld") if claim.negated else ("conflicting", "differs")
    if claim.negated:
        # a place alone is not specific enough: "denies any plan for an immediate withdrawal
        # from Iraq" does not deny the phase planned for 2025-09
        if f.date_ok or f.number_ok:
            return "conflicting", "denies_held"
        return "consistent", "nothing_to_deny"
    return "consistent", "agrees"


def _judge_done(f: Facts) -> Outcome | None:
    """A claim that reports something done (past tense, "أكملت", "غادر آخر…")."""
    claim, ev = f.claim, f.event
    if f.done:
        if claim.negated:
            return ("conflicting", "denies_done") if f.strong else ("consistent", "nothing_to_deny")
        if f.date_ok is False:  # a step at another time is another step, not this event
            sure = f.strong and f.placed and not _is_step(claim, ev)
            return ("conflicting", "differs") if sure else None
        if claim.date is None and not _recent(f):
            return None  # an undated "done" years later is not a report of this event
        return "consistent", "confirms"
    if claim.negated:
        return "consistent", "not_yet"
    ref = claim.date.end if claim.date is not None else f.published
    if ref is not None and (ev.start - ref).days > EARLY_DAYS:
        if not (f.strong and f.placed) or _is_step(claim, ev):
            return None  # one base handed over long before the end is a step, not the end
        return "conflicting", "too_early"
    if not f.strong:
        return "consistent", "broadly"
    if claim.hedged:
        return "consistent", "hedged"
    if claim.number is not None and _is_step(claim, ev):
        return "consistent", "step"
    return "completed", "done_planned"


def _is_step(claim: Claim, ev: TimelineEvent) -> bool:
    """A step on the way to a milestone: a relocation or a handover against a milestone of
    another kind (see ``STEPS``), or a count of those who moved ("350 advisers left the base")
    against a milestone that is not a figure: some leaving is not "the rest leave"."""
    if ev.kind not in MOVEMENT:
        return False
    return (claim.kind in STEPS and claim.kind != ev.kind) or (
        claim.number is not None and ev.number is None
    )


def _step_before(f: Facts) -> bool:
    """A step dated before the milestone: on the way to it, not a date for it."""
    return (
        _is_step(f.claim, f.event) and f.claim.date is not None and f.claim.date.end < f.event.start
    )


def _still_ahead(f: Facts) -> bool:
    """A completed milestone (not an agreement or a figure) dated after the story that
    mentions it, and completed before that story (a July 2021 "by the end of the year" was
    right then) by a story, or in the file within ``RECENT_DAYS``."""
    claim, ev = f.claim, f.event
    return (
        ev.kind in MOVEMENT
        and claim.date is not None
        and f.published is not None
        and claim.date.start > f.published  # "by the end of this month" is not ahead of it
        # a story completed it, or the file did shortly before this story was written: a
        # mission "ending next month" years after one ended is about another mission
        and (
            f.completed_by is not None
            or (f.placed and 0 < (f.published - ev.end).days <= RECENT_DAYS)
        )
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
    if claim.date is not None and (f.date_ok is not None or f.unchecked == "peg"):
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
    # next: an event still ahead when the article was written (a milestone the file holds
    # done was still ahead for an article written before its date, unless a story completed it)
    return figure, int(ev.end >= f.published and f.completed_by is None), -gap


def _is_strong(place: int, kind: int, claim: Claim, event: TimelineEvent, gaz: Places) -> bool:
    """Specific enough to conflict or complete (given no place outside the event: ``covers``).

    A named place at or inside the event's, or a claim of the same kind that names no place or
    only a country (taken to be about the event's places). A specific place inside an event's
    country is not: Taji in 2020 says nothing against "the rest by the end of 2026". A troop
    figure must name its place: 900 in Syria and 2,500 in Iraq are both "the" figure, and "300
    advisers reached the base" is neither. A relocation or handover event meets only its own
    kind: a convoy leaving for Kurdistan is not "advisers transferred in Kurdistan".
    """
    if event.kind in STEPS and kind != SAME:
        return False
    if place >= NESTED:
        return True
    if kind != SAME or (claim.kind == "troop_count" and place == UNSPECIFIED):
        return False
    return place == UNSPECIFIED or (place == BROAD and is_country_claim(claim, gaz))


def _agreed_later(claim: Claim, event: TimelineEvent, published: date | None) -> bool:
    """An undated agreement or timetable claim, and an agreement the timeline dates later."""
    return claim.date is None and published is not None and (event.start - published).days > 1


def _figure_before(claim: Claim, event: TimelineEvent, published: date | None) -> bool:
    """An undated figure in a story written before the event's figure held (2020 vs 2021)."""
    return claim.date is None and published is not None and (event.start - published).days > 1
