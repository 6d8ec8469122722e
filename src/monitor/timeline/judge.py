"""The verdict on each claim against the known timeline.

Judging: ``judge(claim, timeline, published, milestones)`` is a pure function. Every event is
assessed against the claim (``assess.py``, with the measures in ``fit.py`` and
the wording in ``words.py``), the best assessment wins, and the verdict says why in
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
  is conflicting, when a story completed it (``milestones``; not when the claim's article was
  published before that completion was first reported, ``completed_on``: an August "ends next
  month" is not contradicted by a completion reported in January) or the file holds it done within
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
  longer than a month such as "2026", nor late), for a claim with no date or figure an event
  not over for more than ``RECENT_DAYS`` at publication ("Baghdad and Washington agree…" in
  2024 is not the 2021 agreement), kind fit, nearest date or figure; for an undated claim,
  what is due (done reports) or next). An agreement with an event of another
  kind only inside such a coarse period ("advisers transferred in 2026") yields to a conflict
  with an event of the claim's own kind at named places ("the Kurdistan mission ends in March
  2026" vs 2026-09). A claim dated the very day of an event (a day) that a conflict would
  otherwise win reports that event ("announced on 27 September 2024 the end of the mission").
  A reason may add a note naming a second event that disagrees, which is how the two reports
  for Erbil (2026-09 vs the end of 2026) both stay visible.
- Phases: a sentence that names a phase of a plan by its ordinal ("المرحلة الأولى"، "بمرحلتها
  الثانية"، "المرحلة الأخيرة"; ``phases.py``) is about that phase: events numbered as another
  phase (``phase`` in timeline.toml) are not assessed, so "the first phase ends in September
  2026" contradicts phase one instead of agreeing with phase two; and a claim naming no place
  but its phase takes that phase's places (exact). Two phases named select neither.
- A claim with no date, place or number fits the best event of its kind as consistent (it goes
  to the digest; "new" would alert on every general mention of the withdrawal).
- new: no event fits by kind and places (and date or number where they must agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from monitor.models import Claim, MilestoneStatus, Timeline, TimelineEvent, Verdict
from monitor.timeline.arabic import new_ar, start_ar
from monitor.timeline.assess import assess
from monitor.timeline.fit import places_of
from monitor.timeline.load import DEFAULT_PLACES
from monitor.timeline.phases import phases_meant
from monitor.timeline.rank import Assessment, render
from monitor.timeline.words import describe_new

_DEFAULT_ITEMS = tuple(DEFAULT_PLACES.items())


def judge(
    claim: Claim,
    timeline: Timeline,
    published: date | None,
    milestones: Mapping[str, str] | None = None,
    completed_on: Mapping[str, date] | None = None,
    place_names: Mapping[str, tuple[str, str]] | None = None,
) -> Verdict:
    """The claim's verdict against the timeline (rules in the module docstring).

    ``milestones`` maps event id -> the story that reported it completed (kept by the store);
    ``completed_on`` event id -> the day that completion was first reported, where known;
    ``place_names`` place id -> (Arabic, English) name, for a reason that lists the places.
    """
    if isinstance(published, datetime):  # a datetime is a date too; compare calendar days
        published = published.date()
    gaz = places_of(timeline.places or _DEFAULT_ITEMS)
    numbered = frozenset(e.phase for e in timeline.events if e.phase is not None)
    phases = phases_meant(claim.sentence, numbered)
    found: list[Assessment] = []
    for event in timeline.events:
        result = assess(
            claim, event, published, milestones or {}, gaz, completed_on or {}, phases=phases
        )
        if result is not None:
            found.append(result)
    if not found:
        names = place_names or {}
        return Verdict("new", None, describe_new(claim, names), new_ar(claim, names))
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
            start_ar(claim, event, late=True),
        )
    return Verdict(
        "consistent",
        event.id,
        f"reports a start, before the planned end of {event.id} ({event.end.isoformat()}):"
        f" a step towards it, not its completion — {event.title_en}",
        start_ar(claim, event, late=False),
    )


def effective_status(event: TimelineEvent, milestones: Mapping[str, str] | None) -> MilestoneStatus:
    """``completed`` when the file says so or a story reported it done, else ``planned``."""
    return (
        "completed" if event.status == "completed" or event.id in (milestones or {}) else "planned"
    )
