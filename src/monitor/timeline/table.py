"""``monitor timeline``: each milestone of the timeline with its status and its stories.

The text table (``milestone_table``) and the ``--json`` document (``milestone_json``) are built
from the timeline and what the store knows (``MilestoneState`` per event id). Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from monitor.models import MilestoneState, Quantity, Timeline
from monitor.timeline.fit import describe_when


def milestone_states(
    completed: Mapping[str, str], reports: Mapping[str, Mapping[str, list[str]]]
) -> dict[str, MilestoneState]:
    """Combine the store's completions and per-verdict reports into one state per event."""
    states = {}
    for event_id in set(completed) | set(reports):
        verdicts = reports.get(event_id, {})
        states[event_id] = MilestoneState(
            event_id=event_id,
            status="completed" if event_id in completed else "planned",
            completed_by=completed.get(event_id),
            supporting=tuple(
                dict.fromkeys(verdicts.get("consistent", []) + verdicts.get("completed", []))
            ),
            contradicting=tuple(dict.fromkeys(verdicts.get("conflicting", []))),
        )
    return states


def milestone_rows(
    timeline: Timeline, statuses: Mapping[str, MilestoneState]
) -> list[dict[str, Any]]:
    """One JSON-able dict per event, in date order, with its status and stories."""
    rows = []
    for ev in sorted(timeline.events, key=lambda e: (e.start, e.end, e.id)):
        state = statuses.get(ev.id)
        completed = ev.status == "completed" or (state is not None and state.status == "completed")
        rows.append(
            {
                "id": ev.id,
                "date": describe_when(ev.start, ev.end, ev.granularity),
                "start": ev.start.isoformat(),
                "end": ev.end.isoformat(),
                "granularity": ev.granularity,
                "kind": ev.kind,
                "places": list(ev.places),
                "number": _number_json(ev.number),
                "status": "completed" if completed else "planned",
                "status_in_timeline": ev.status,
                "completed_by": state.completed_by if state else None,
                "supporting": list(state.supporting) if state else [],
                "contradicting": list(state.contradicting) if state else [],
                "title_en": ev.title_en,
                "title_ar": ev.title_ar,
                "sources": list(ev.sources),
            }
        )
    return rows


def milestone_json(timeline: Timeline, statuses: Mapping[str, MilestoneState]) -> dict[str, Any]:
    """The ``monitor timeline --json`` document: ``{"version", "milestones": [row, ...]}``."""
    return {"version": timeline.version, "milestones": milestone_rows(timeline, statuses)}


def milestone_table(
    timeline: Timeline,
    statuses: Mapping[str, MilestoneState],
    story_titles: Mapping[str, str] | None = None,
    today: date | None = None,
) -> str:
    """A plain-text table of each milestone, its status and the stories about it.

    Stories show as short ids, listed with their titles under the table; a planned milestone
    whose date has passed (before ``today``) is marked overdue.
    """
    header = ("date", "id", "status", "supported by", "contradicted by", "title")
    lines: list[tuple[str, ...]] = [header]
    named: dict[str, None] = {}
    for row in milestone_rows(timeline, statuses):
        status = row["status"]
        if row["completed_by"]:
            status += f" (story {_short(row['completed_by'])})"
            named[row["completed_by"]] = None
        elif status == "planned" and today and row["end"] < today.isoformat():
            status += " (overdue)"
        named.update(dict.fromkeys(row["supporting"] + row["contradicting"]))
        title = row["title_en"] + (f" | {row['title_ar']}" if row["title_ar"] else "")
        lines.append(
            (
                row["date"],
                row["id"],
                status,
                _story_list(row["supporting"]),
                _story_list(row["contradicting"]),
                title,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    out = [f"timeline version {timeline.version}"]
    for line in lines:  # the title goes last: Arabic text would break the alignment after it
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        out.append("  ".join([*cells, line[-1]]).rstrip())
    titles = story_titles or {}
    if named:
        out += ["", "stories:"]
        out += [f"  {_short(sid)}  {titles.get(sid, '')}".rstrip() for sid in named]
    return "\n".join(out) + "\n"


def _short(story_id: str) -> str:
    return story_id[:8]


def _story_list(ids: list[str], limit: int = 3) -> str:
    if not ids:
        return "-"
    shown = ", ".join(_short(i) for i in ids[:limit])
    return shown + (f" +{len(ids) - limit}" if len(ids) > limit else "")


def _number_json(number: Quantity | None) -> dict[str, Any] | None:
    return None if number is None else {"value": number.value, "qualifier": number.qualifier}
