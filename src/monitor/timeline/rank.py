"""The best of a claim's assessments (one per event) as its verdict, with a note.

``assess.py`` assesses a claim against one event; the rules are documented in ``judge.py``.
The winner's reason is worded here, in English (``words.EN``) and Arabic (``arabic.AR``) from
the same case and facts. Pure functions over the models.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.models import Claim, TimelineEvent, Verdict, VerdictKind
from monitor.timeline.arabic import AR, demand_ar, note_ar, prefix_ar
from monitor.timeline.fit import FAMILY, NESTED, SAME, is_demand
from monitor.timeline.words import EN, Case, Facts, event_ref

_VERDICT_RANK = {"completed": 3, "consistent": 2, "conflicting": 1}


@dataclass(frozen=True, slots=True)
class Assessment:
    """One event's fit with a claim, and the verdict it would give."""

    event: TimelineEvent
    verdict: VerdictKind
    place: int
    kind: int
    closeness: tuple[int, int, int]  # higher is closer
    facts: Facts
    case: Case  # what the rules decided; worded only for the winner
    specific: bool = False  # a date or a number agreed (worth naming in another verdict's note)
    precise: bool = False  # ... and the date not merely inside a coarse period ("2026") or late
    loose: bool = False  # agrees only as another kind, and only inside a coarse period
    checked: tuple[str, ...] = ()  # what a consistent verdict found agreeing (words.checked_facts)
    stale: bool = False  # nothing to check, and the event over ``RECENT_DAYS`` before publication

    @property
    def reason(self) -> str:
        return EN[self.case](self.facts)

    @property
    def reason_ar(self) -> str:
        return AR[self.case](self.facts)

    @property
    def rank(self) -> tuple[int, int, bool, bool, int, tuple[int, int, int]]:
        return (
            self.place,
            _VERDICT_RANK[self.verdict],
            self.precise,
            not self.stale,
            self.kind,
            self.closeness,
        )


def render(claim: Claim, found: list[Assessment]) -> Verdict:
    """The best assessment as a verdict, with a note on a second event that disagrees.

    Highest rank wins, with two corrections. A loose agreement (another kind of event, only
    inside a coarse period) yields to a conflict with an event of the claim's own kind at named
    places (exact or nested): "the Kurdistan mission ends in March 2026" is about the Erbil
    mission (2026-09), not merely inside "advisers transferred in 2026". A conflict yields to an
    event dated the very day the claim is: it reports that event. A demand or a call never
    conflicts: what someone asks for is not what was agreed.
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
    if best.verdict == "conflicting":
        # dated the very day of an event ("announced on 27 September 2024 the end of the
        # mission"): it reports that event, not a new date for the other
        same_day = [
            a for a in found if a.verdict != "conflicting" and a.precise and _same_day(claim, a)
        ]
        if same_day:
            best = max(same_day, key=lambda a: a.rank)
    flags = [name for name, on in (("negated", claim.negated), ("hedged", claim.hedged)) if on]
    prefix = f"{', '.join(flags)}: " if flags else ""
    demand = False
    if best.verdict == "conflicting" and is_demand(claim.sentence):
        agreeing = [a for a in found if a.verdict != "conflicting"]
        if not agreeing:
            return Verdict(
                "new",
                None,
                f"{prefix}a demand or a call, not a report of what was agreed or done: not held "
                f"against the timeline (it differs: {best.reason})",
                demand_ar(claim, best.reason_ar),
            )
        best = max(agreeing, key=lambda a: a.rank)
        prefix += "a demand or a call: "
        demand = True
    note, other = _note(best, found)
    arabic = prefix_ar(claim, demand) + best.reason_ar
    if other is not None:
        arabic += note_ar(best.verdict == "conflicting", other)
    return Verdict(best.verdict, best.event.id, prefix + best.reason + note, arabic)


def _same_day(claim: Claim, a: Assessment) -> bool:
    return (
        claim.date is not None
        and claim.date.granularity == "day"
        and a.event.granularity == "day"
        and claim.date.start == a.event.start
    )


def _note(best: Assessment, found: list[Assessment]) -> tuple[str, TimelineEvent | None]:
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
        text = "another report in the timeline gives {}"
    else:
        return "", None
    others = [a for a in others if a.event.id != best.event.id]
    if not others:
        return "", None
    other = max(others, key=lambda a: a.rank)
    return "; note: " + text.format(event_ref(other.event)), other.event
