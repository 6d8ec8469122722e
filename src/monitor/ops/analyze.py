"""The ``monitor analyze`` command.

``run_analyze`` implements the ``monitor analyze`` contract (issue 4): JSON Lines in, one JSON
object per article out, in input order; ``--format text`` prints the same as a readable report.
Bad input raises ``InputError`` naming the line; nothing touches the network or the state.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TextIO

from bs4 import BeautifulSoup

from monitor.analysis.analyzer import Analyzer
from monitor.claimjson import date_json, number_json
from monitor.errors import InputError
from monitor.models import ArticleAnalysis, Finding
from monitor.settings import StorySettings
from monitor.stories.batch import group_batch
from monitor.stories.match import PlaceItems
from monitor.timebounds import plausible

FORMATS = ("json", "text")


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One input article of ``monitor analyze`` with its analysis."""

    id: str
    url: str | None
    outlet: str | None
    published: datetime | date | None
    title: str | None
    analysis: ArticleAnalysis


def group_stories(
    items: Sequence[BatchItem], settings: StorySettings | None = None, places: PlaceItems = ()
) -> list[str | None]:
    """Story id of each item (None when not relevant), with the daemon's story logic, the
    configured story settings and place hierarchy (the built-in ones when not given)."""
    rows = [(i.id, i.title, i.published, i.analysis) for i in items]
    return group_batch(rows, settings, places=places)


def run_analyze(
    inp: TextIO,
    out: TextIO,
    analyzer: Analyzer,
    fmt: str = "json",
    extract_html: Callable[[str, str | None], str] | None = None,
    stories: StorySettings | None = None,
    places: PlaceItems = (),
) -> int:
    """``monitor analyze``: read JSON Lines articles, write one result per article.

    Args:
        inp: JSON Lines, one article a line (blank lines are skipped).
        out: where results go, in input order.
        analyzer: the configured analyzer.
        fmt: "json" (JSON Lines) or "text" (a readable report).
        extract_html: the daemon's main-text extraction, used for records with ``html``.
        stories: the configured story settings (``Config.stories``; the defaults when None).
        places: the configured place hierarchy (``Timeline.places``; () the built-in one).

    Returns:
        0.

    Raises:
        InputError: invalid JSON, a missing or mistyped field, or an unknown format; the
            message names the line.
    """
    if fmt not in FORMATS:
        raise InputError(f"analyze: unknown format {fmt!r} (use json or text)")
    items = []
    for lineno, line in enumerate(inp, 1):
        if line.strip():
            record = parse_line(line, lineno)
            items.append(analyze_record(record, analyzer, extract_html))
    story_ids = group_stories(items, stories, places)
    for n, (item, story) in enumerate(zip(items, story_ids, strict=True), 1):
        if fmt == "json":
            out.write(json.dumps(result_json(item, story), ensure_ascii=False) + "\n")
        else:
            out.write(result_text(n, item, story))
    return 0


@dataclass(frozen=True, slots=True)
class Record:
    """One input article of ``monitor analyze``, as read from its JSON line."""

    id: str
    url: str | None
    outlet: str | None
    published: datetime | date | None
    title: str | None
    text: str | None
    html: str | None


def parse_line(line: str, lineno: int, source: str = "analyze") -> Record:
    """One input line of ``monitor analyze`` (also the labelled lines of ``monitor eval``).

    Raises:
        InputError: naming ``source`` and the line.
    """
    where = f"{source}: line {lineno}"
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(raw).__name__}")
    if "id" not in raw:
        raise InputError(f"{where}: missing field 'id'")
    if "text" not in raw and "html" not in raw:
        raise InputError(f"{where}: missing field 'text' (or 'html')")
    if not isinstance(raw["id"], str | int) or isinstance(raw["id"], bool):
        raise InputError(f"{where}: field 'id' must be a string")
    fields = {k: _optional_str(raw, k, where) for k in ("url", "outlet", "title", "text", "html")}
    return Record(
        id=str(raw["id"]),
        published=_published(raw.get("published"), where),
        **fields,
    )


def _optional_str(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f"{where}: field '{key}' must be a string or null")
    return value


def _published(value: Any, where: str) -> datetime | date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            when: datetime | date = (
                date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
            )
        except ValueError:
            pass
        else:  # well-formed but before 1990 or in the future (0001-01-01, 9999-12-31): unknown
            return plausible(when)
    raise InputError(f"{where}: field 'published' must be YYYY-MM-DD, an ISO datetime or null")


def analyze_record(
    rec: Record, analyzer: Analyzer, extract_html: Callable[[str, str | None], str] | None
) -> BatchItem:
    text = rec.text
    if text is None:
        assert rec.html is not None
        text = extract_html(rec.html, rec.url) if extract_html else _html_to_text(rec.html)
    analysis = analyzer.analyze(rec.title, text, rec.published)
    return BatchItem(rec.id, rec.url, rec.outlet, rec.published, rec.title, analysis)


def _html_to_text(html: str) -> str:
    """Fallback when no extractor is given: the page's text, one block a line."""

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    return str(soup.get_text("\n"))


def result_json(item: BatchItem, story: str | None) -> dict[str, Any]:
    """The ``monitor analyze`` output object of one article (the contract's keys only)."""
    rel = item.analysis.relevance
    return {
        "id": item.id,
        "relevant": rel.relevant,
        "score": rel.score,
        "terms": list(rel.terms),
        "story": story,
        "claims": [finding_json(f) for f in item.analysis.findings],
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    """One claim of the ``monitor analyze`` output."""
    c, v = finding.claim, finding.verdict
    return {
        "kind": c.kind,
        "sentence": c.sentence,
        "date": date_json(c.date),
        "reported": date_json(c.reported),
        # every place the claim names; where forces go is also listed apart
        "places": list(dict.fromkeys(c.places + c.destinations)),
        "destinations": list(c.destinations),
        "number": number_json(c.number),
        "negated": c.negated,
        "hedged": c.hedged,
        "verdict": v.verdict,
        "timeline_event": v.timeline_event,
        "reason": v.reason,
        "reason_ar": v.reason_ar,
    }


def result_text(n: int, item: BatchItem, story: str | None) -> str:
    """A readable report of one article (``--format text``)."""
    rel = item.analysis.relevance
    state = "relevant" if rel.relevant else "not relevant"
    head = f"── {n}. {item.id}"
    meta = ", ".join(str(x) for x in (item.outlet, item.published) if x)
    lines = [f"{head}{f'  ({meta})' if meta else ''}  {state}, score {rel.score:g}"]
    if item.title:
        lines.append(f"   {item.title}")
    if story:
        lines.append(f"   story: {story}")
    if rel.terms:
        lines.append(f"   terms: {'، '.join(rel.terms)}")
    for i, f in enumerate(item.analysis.findings, 1):
        lines.extend(_claim_text(i, f))
    return "\n".join(lines) + "\n\n"


def _claim_text(i: int, f: Finding) -> list[str]:
    c, v = f.claim, f.verdict
    event = f" ({v.timeline_event})" if v.timeline_event else ""
    facts = []
    if c.date:
        span = c.date.start.isoformat()
        if c.date.end != c.date.start:
            span += f"..{c.date.end.isoformat()}"
        facts.append(f"date {span} «{c.date.text}»")
    if c.reported:
        facts.append(f"reported {c.reported.start.isoformat()} «{c.reported.text}»")
    if c.places:
        facts.append("places " + ", ".join(c.places))
    if c.destinations:
        facts.append("to " + ", ".join(c.destinations))
    if c.number:
        q = "" if c.number.qualifier == "exact" else c.number.qualifier.replace("_", " ") + " "
        facts.append(f"number {q}{c.number.value}")
    if c.phase:
        facts.append(f"{c.phase} of the move")
    flags = (("negated", c.negated), ("hedged", c.hedged), ("reported done", c.reports_done))
    facts += [flag for flag, on in flags if on]
    out = [f"   claim {i} [{c.kind}] {v.verdict}{event}: {v.reason}", f"      «{c.sentence}»"]
    if v.reason_ar:  # the reason as an Arabic reader gets it in alerts
        out.append(f"      السبب: {v.reason_ar}")
    if facts:
        out.append("      " + " · ".join(facts))
    return out
