"""``monitor eval --replay``: the labelled articles through the daemon, scored as a user meets them.

The articles are served on 127.0.0.1 by a local HTTP server as RSS feeds, one per outlet
(newest first; a ``pubDate`` only where the label gives a publication date; a title only where
the label gives one, and no summary, so the daemon reads what ``monitor analyze`` reads), each
item linking to its page (the article's text, or its ``html``, with no date in it). One ``once`` cycle runs
on a temporary state with ``alert_on_first_run``: the same fetch, extraction, analysis and
story desk as in production, not the batch grouping of ``monitor analyze``. Then, from the
store:

- each article's story (after any merge) and relevance, so the pairwise story scores of
  ``monitor eval`` apply to the daemon's grouping;
- the new-story alerts, each traced to its first report, scored by ``score_alerts``: gold
  stories (relevant articles grouped by ``story``; one without a story is a story of its own)
  that got a new-story alert, new-story alerts per alerted story, and alerts whose first
  report is a negative article (false alerts). Borderline articles count neither way.
"""

from __future__ import annotations

import hashlib
import html
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.config.load import Config
from monitor.models import Source
from monitor.ops.analyze import Record
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.store import Store


@dataclass(frozen=True, slots=True)
class ReplayAnswer:
    """What the daemon did with one labelled article."""

    relevant: bool
    story: str | None


@dataclass(frozen=True, slots=True)
class Replay:
    """The daemon's answers per article id, and the first report of each new-story alert."""

    answers: Mapping[str, ReplayAnswer]
    first_reports: tuple[str, ...]  # article ids, one per new-story alert, in alert order


@dataclass(frozen=True, slots=True)
class AlertScore:
    """New-story alerts against the gold stories (see the module docstring)."""

    stories: int
    alerted: tuple[str, ...]  # gold stories with at least one new-story alert
    alerts: int  # new-story alerts whose first report is in a gold story
    missed: tuple[str, ...]  # gold stories with no new-story alert
    repeated: tuple[tuple[str, tuple[str, ...]], ...]  # story, first reports of its alerts
    false: tuple[str, ...]  # first reports that are negative articles

    @property
    def alerted_share(self) -> float:
        return len(self.alerted) / self.stories if self.stories else 1.0

    @property
    def alerts_per_story(self) -> float:
        return self.alerts / len(self.alerted) if self.alerted else 0.0


def gold_stories(
    labels: Mapping[str, tuple[bool, str | None]], borderline: frozenset[str]
) -> dict[str, str]:
    """Article id -> gold story of every relevant, scored article (alone: its own id)."""
    return {
        aid: story if story is not None else f"alone:{aid}"
        for aid, (relevant, story) in labels.items()
        if relevant and aid not in borderline
    }


def score_alerts(
    labels: Mapping[str, tuple[bool, str | None]],
    first_reports: Sequence[str],
    borderline: frozenset[str] = frozenset(),
) -> AlertScore:
    """Score new-story alerts, each given by its first report's article id.

    Args:
        labels: article id -> (relevant, story) as labelled.
        first_reports: the first report of each new-story alert.
        borderline: ids that count neither way.
    """
    gold = gold_stories(labels, borderline)
    per_story: dict[str, list[str]] = {}
    false = []
    for aid in first_reports:
        if aid in gold:
            per_story.setdefault(gold[aid], []).append(aid)
        elif aid in labels and aid not in borderline:
            false.append(aid)
    stories = sorted(set(gold.values()))
    return AlertScore(
        stories=len(stories),
        alerted=tuple(s for s in stories if s in per_story),
        alerts=sum(len(v) for v in per_story.values()),
        missed=tuple(s for s in stories if s not in per_story),
        repeated=tuple((s, tuple(v)) for s, v in sorted(per_story.items()) if len(v) > 1),
        false=tuple(false),
    )


# --------------------------------------------------------------------------- running it


def replay(records: Sequence[Record], base: Config) -> Replay:
    """Serve ``records`` as local feeds and run one alerting ``once`` cycle over them.

    ``base`` gives the keywords, timeline and story settings; the sources, channels (none:
    alerts are read from the store) and state (a temporary directory) are the replay's own.
    """
    with tempfile.TemporaryDirectory(prefix="monitor-replay-") as tmp, serve(records) as site:
        config = replace(
            base,
            state_dir=Path(tmp),
            sources=tuple(
                Source(id=f, url=url, name=f, max_articles_per_cycle=len(records) + 1)
                for f, url in site.feeds.items()
            ),
            channels=(),
            alert_on_first_run=True,
            http=replace(base.http, allow_private_addresses=True),
        )
        store = Store.open(Path(tmp))
        try:
            run_cycle(Runtime(config, store), alert_on_first_run=True)
            by_url = {url: aid for aid, url in site.pages.items()}
            answers = {
                by_url[url]: ReplayAnswer(bool(relevant), story)
                for url, relevant, story in store.processed_entries()
                if url in by_url
            }
            firsts = tuple(
                by_url[a.members[0].url]
                for a in store.stored_alerts()
                if a.kind == "new_story" and a.members and a.members[0].url in by_url
            )
        finally:
            store.close()
    return Replay(answers, firsts)


@dataclass(frozen=True, slots=True)
class ReplaySite:
    base_url: str
    feeds: Mapping[str, str]  # feed id -> URL
    pages: Mapping[str, str]  # article id -> page URL


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    resources: Mapping[str, tuple[bytes, str]] = {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        found = self.server.resources.get(urlsplit(self.path).path)
        body, kind = found or (b"not found\n", "text/plain; charset=utf-8")
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the replay reports scores, not requests."""


@contextmanager
def serve(records: Sequence[Record]) -> Iterator[ReplaySite]:
    """Serve the articles as one feed per outlet, with their pages, for the block's duration."""
    server = _Server(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    feeds: dict[str, list[Record]] = {}
    for rec in records:
        feeds.setdefault(_slug(rec.outlet or "outlet"), []).append(rec)
    resources: dict[str, tuple[bytes, str]] = {}
    pages = {}
    for slug, items in feeds.items():
        for rec in items:
            path = f"/{slug}/{_slug(rec.id)}.html"
            pages[rec.id] = base + path
            resources[path] = (_page(rec), "text/html; charset=utf-8")
        resources[f"/{slug}/feed.xml"] = (_feed(base, slug, items), "application/rss+xml")
    server.resources = resources
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield ReplaySite(base, {s: f"{base}/{s}/feed.xml" for s in feeds}, pages)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _slug(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _page(rec: Record) -> bytes:
    """The article's page: its own html, or its text as paragraphs (no date anywhere)."""
    if rec.html is not None:
        return rec.html.encode("utf-8")
    title = html.escape(rec.title or "")
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in _lines(rec.text or ""))
    return (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><article><h1>{title}</h1>\n{paragraphs}"
        "</article></body></html>"
    ).encode()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _feed(base: str, slug: str, items: Sequence[Record]) -> bytes:
    """RSS 2.0, newest first; an item without a publication date has no pubDate."""
    ordered = sorted(
        items, key=lambda r: _when(r) or datetime.min.replace(tzinfo=UTC), reverse=True
    )
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{html.escape(items[0].outlet or slug)}</title>",
        f"<link>{base}/{slug}/</link><description>replay</description>",
    ]
    for rec in ordered:
        when = _when(rec)
        out += [
            "<item>",
            f"<title>{html.escape(rec.title)}</title>" if rec.title else "",
            f"<link>{base}/{slug}/{_slug(rec.id)}.html</link>",
            f'<guid isPermaLink="false">{html.escape(rec.id)}</guid>',
            f"<pubDate>{format_datetime(when)}</pubDate>" if when else "",
            "</item>",
        ]
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def _when(rec: Record) -> datetime | None:
    """The label's publication time; a bare date is noon UTC, as ``monitor analyze`` reads it."""
    at = rec.published
    if at is None:
        return None
    if not isinstance(at, datetime):
        assert isinstance(at, date)
        return datetime(at.year, at.month, at.day, 12, tzinfo=UTC)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
