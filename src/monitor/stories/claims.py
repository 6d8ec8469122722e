"""A story's claims: merged across its members, and what a new member adds or contradicts.

Rules (issue 6):

- Findings of several members are one merged claim when they state the same thing: same
  kind and polarity, overlapping dates (a day's tolerance), numbers within 2%, and places
  equal or one inside the other. Each merged claim keeps the outlets that carry it.
- A new member *adds* a finding that brings a date, a number or a place the story did not
  have: an update alert is due.
- It *conflicts* when the timeline calls a finding conflicting and the story did not
  already carry it, or when the story has claims of the same kind about the same places
  with a number, a date or a polarity and the finding agrees with none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from monitor.models import DateSpan, Finding, StoryClaim
from monitor.stories.match import GENERIC_PLACES, SPECIFIC, near, overlaps


def same_fact(a: Finding, b: Finding) -> bool:
    """Two findings state the same thing (one merged claim, several outlets)."""
    x, y = a.claim, b.claim
    if x.kind != y.kind or x.negated != y.negated:
        return False
    if (a.verdict.verdict == "conflicting") != (b.verdict.verdict == "conflicting"):
        return False  # merging would hide the conflict behind the agreeing copy
    if (x.date is None) != (y.date is None) or (x.number is None) != (y.number is None):
        return False
    if (
        x.date
        and y.date
        and not overlaps([(x.date.start, x.date.end)], [(y.date.start, y.date.end)])
    ):
        return False
    if x.number and y.number and not near(x.number.value, y.number.value):
        return False
    return _places_compatible(x.places, y.places)


def merge_claims(
    members: Iterable[tuple[str, Sequence[Finding]]], seed: Sequence[StoryClaim] = ()
) -> tuple[StoryClaim, ...]:
    """Merge the findings of a story's members: each distinct claim with the outlets carrying it.

    Args:
        members: (outlet, findings) per member, in order of arrival.
        seed: claims already merged from earlier members.
    """
    merged: list[tuple[Finding, list[str]]] = [(c.finding, list(c.outlets)) for c in seed]
    for outlet, findings in members:
        for f in findings:
            for first, outlets in merged:
                if same_fact(first, f):
                    if outlet not in outlets:
                        outlets.append(outlet)
                    break
            else:
                merged.append((f, [outlet]))
    return tuple(StoryClaim(f, tuple(outlets)) for f, outlets in merged)


def absorb_claims(
    story: Sequence[StoryClaim], other: Sequence[StoryClaim]
) -> tuple[StoryClaim, ...]:
    """The merged claims of two stories found to be one: ``story``'s, then ``other``'s new ones.

    At the cost of the two stories' merged claims, not of every member again.
    """
    merged: list[tuple[Finding, list[str]]] = [(c.finding, list(c.outlets)) for c in story]
    for claim in other:
        for first, outlets in merged:
            if same_fact(first, claim.finding):
                outlets.extend(o for o in claim.outlets if o not in outlets)
                break
        else:
            merged.append((claim.finding, list(claim.outlets)))
    return tuple(StoryClaim(f, tuple(outlets)) for f, outlets in merged)


def extend_claims(
    story: Sequence[StoryClaim], outlet: str, findings: Sequence[Finding]
) -> tuple[StoryClaim, ...]:
    """``merge_claims`` for one more member arriving last, without re-reading the others.

    Gives the same result as merging every member again, at the cost of the new findings only:
    a story that hundreds of outlets copy must not get slower with each copy. The claims the
    member leaves as they were are the same objects (``update_story_claims`` writes the others).
    """
    merged = list(story)
    for f in findings:
        for i, claim in enumerate(merged):
            if same_fact(claim.finding, f):
                if outlet not in claim.outlets:
                    merged[i] = StoryClaim(claim.finding, (*claim.outlets, outlet))
                break
        else:
            merged.append(StoryClaim(f, (outlet,)))
    return tuple(merged)


def added_findings(story: Sequence[StoryClaim], findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Findings that bring a date, number or place the story did not have."""
    dates = [
        (c.finding.claim.date.start, c.finding.claim.date.end)
        for c in story
        if c.finding.claim.date
    ]
    numbers = [c.finding.claim.number.value for c in story if c.finding.claim.number]
    places = {p for c in story for p in c.finding.claim.places}
    out = []
    for f in findings:
        c = f.claim
        new_date = c.date is not None and not overlaps([(c.date.start, c.date.end)], dates)
        new_number = c.number is not None and not any(near(c.number.value, n) for n in numbers)
        new_place = any(p not in places and p not in GENERIC_PLACES for p in c.places)
        if new_date or new_number or new_place:
            out.append(f)
    return tuple(dict.fromkeys(out))


def conflicting_findings(
    story: Sequence[StoryClaim], findings: Sequence[Finding]
) -> tuple[Finding, ...]:
    """Findings that disagree with the story's claims, or newly conflict with the timeline.

    A finding disagrees when the story has claims of the same kind about the same places
    that state a number, a date or a polarity, and it agrees with none of them (a story may
    carry "2,500 now" and "2,000 by the end of the year" without either conflicting). A
    timeline conflict the story already carried (an earlier copy) is not news again.
    """
    out = []
    known = [c.finding for c in story]
    for f in findings:
        if f.verdict.verdict == "conflicting" and not any(same_fact(g, f) for g in known):
            out.append(f)
            continue
        comparable = [g for g in known if _comparable(g, f)]
        if comparable and not any(_agree(g, f) for g in comparable):
            out.append(f)
    return tuple(dict.fromkeys(out))


def _comparable(a: Finding, b: Finding) -> bool:
    """Same kind of claim about the same places, both saying something checkable."""
    x, y = a.claim, b.claim
    if x.kind != y.kind or not _places_compatible(x.places, y.places):
        return False
    both_numbers = x.number is not None and y.number is not None
    both_dates = bool(
        x.date and y.date and x.date.granularity in SPECIFIC and y.date.granularity in SPECIFIC
    )
    return both_numbers or both_dates or x.negated != y.negated


def _agree(a: Finding, b: Finding) -> bool:
    x, y = a.claim, b.claim
    if x.negated != y.negated:
        return False
    if x.number and y.number and not near(x.number.value, y.number.value):
        return False
    return not (x.date and y.date and not overlaps([_span(x.date)], [_span(y.date)]))


def _span(d: DateSpan) -> tuple[date, date]:
    return (d.start, d.end)


def _places_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    pa = {p for p in a if p not in GENERIC_PLACES}
    pb = {p for p in b if p not in GENERIC_PLACES}
    return pa <= pb or pb <= pa
