"""``monitor timeline``: each milestone of the timeline with its status and its stories.

The text table (``milestone_table``: 100 columns, or one line per milestone for ``--wide``) and
the ``--json`` document (``milestone_json``) are built from the timeline and what the store
knows (``MilestoneState`` per event id). Pure functions.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from monitor.models import MilestoneState, Quantity, Timeline
from monitor.timeline.fit import describe_when

WIDTH = 100  # columns of the text table: a terminal's default 80 plus a little, not 250
_INDENT = " " * 4


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
    *,
    width: int | None = WIDTH,
) -> str:
    """The milestones, their status and the stories about them, for a terminal.

    Within ``width`` columns (default 100) each milestone is a block: its date, id and status,
    the stories that supported or contradicted it, then its English and Arabic titles each on
    its own line (so no line mixes the two directions), wrapped. ``width=None`` (``--wide``)
    gives one line per milestone, as wide as it takes. Stories show as short ids, listed with
    their titles under the table; a planned milestone whose date has passed (before ``today``)
    is marked overdue.
    """
    rows, named = _table_rows(timeline, statuses, today)
    out = [f"timeline version {timeline.version}"]
    out += _one_line_each(rows) if width is None else _blocks(rows, width)
    titles = story_titles or {}
    if named:
        out += ["", "stories:"]
        for sid in named:
            line = f"  {_short(sid)}  {titles.get(sid, '')}".rstrip()
            out += [line] if width is None else _wrap(line, width, " " * 12)
    return "\n".join(out) + "\n"


@dataclass(frozen=True, slots=True)
class _Row:
    date: str
    id: str
    status: str
    supported: str
    contradicted: str
    title_en: str
    title_ar: str


def _table_rows(
    timeline: Timeline, statuses: Mapping[str, MilestoneState], today: date | None
) -> tuple[list[_Row], dict[str, None]]:
    """The rows to show, and the story ids they name (in order of first mention)."""
    rows: list[_Row] = []
    named: dict[str, None] = {}
    for row in milestone_rows(timeline, statuses):
        status = row["status"]
        if row["completed_by"]:
            status += f" (story {_short(row['completed_by'])})"
            named[row["completed_by"]] = None
        elif status == "planned" and today and row["end"] < today.isoformat():
            status += " (overdue)"
        named.update(dict.fromkeys(row["supporting"] + row["contradicting"]))
        rows.append(
            _Row(
                row["date"],
                row["id"],
                status,
                _story_list(row["supporting"]),
                _story_list(row["contradicting"]),
                row["title_en"],
                row["title_ar"] or "",
            )
        )
    return rows, named


def _one_line_each(rows: list[_Row]) -> list[str]:
    """``--wide``: a column each, the title last (Arabic would break the alignment after it)."""
    header = ("date", "id", "status", "supported by", "contradicted by", "title")
    lines: list[tuple[str, ...]] = [header]
    for r in rows:
        title = r.title_en + (f" | {r.title_ar}" if r.title_ar else "")
        lines.append((r.date, r.id, r.status, r.supported, r.contradicted, title))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    out = []
    for line in lines:
        cells = [cell.ljust(w) for cell, w in zip(line, widths, strict=False)]
        out.append("  ".join([*cells, line[-1]]).rstrip())
    return out


def _blocks(rows: list[_Row], width: int) -> list[str]:
    """One block per milestone within ``width`` columns (see ``milestone_table``)."""
    date_width = max((len(r.date) for r in rows), default=0)
    id_width = max((len(r.id) for r in rows), default=0)
    out: list[str] = []
    for r in rows:
        head = f"{r.date.ljust(date_width)}  {r.id.ljust(id_width)}  {r.status}"
        out += ["", *_wrap(head, width, _INDENT)]
        stories = []
        if r.supported != "-":
            stories.append(f"supported by {r.supported}")
        if r.contradicted != "-":
            stories.append(f"contradicted by {r.contradicted}")
        if stories:
            out += _wrap(_INDENT + "; ".join(stories), width, _INDENT)
        for title in (r.title_en, r.title_ar):
            if title:
                out += _wrap(_INDENT + title, width, _INDENT)
    return out


def _wrap(line: str, width: int, indent: str) -> list[str]:
    """``line`` in lines of at most ``width`` characters, continued at ``indent``; a word
    longer than the width (a URL) is broken rather than let through."""
    if len(line) <= width:
        return [line]
    return textwrap.wrap(
        line, width, subsequent_indent=indent, break_on_hyphens=False, drop_whitespace=True
    )


def _short(story_id: str) -> str:
    return story_id[:8]


def _story_list(ids: list[str], limit: int = 3) -> str:
    if not ids:
        return "-"
    shown = ", ".join(_short(i) for i in ids[:limit])
    return shown + (f" +{len(ids) - limit}" if len(ids) > limit else "")


def _number_json(number: Quantity | None) -> dict[str, Any] | None:
    return None if number is None else {"value": number.value, "qualifier": number.qualifier}
