"""Demo site: serves the bundled demo feeds and article pages on 127.0.0.1 for ``monitor demo``.

The data is package data under ``monitor/demo/`` (read with ``importlib.resources``):

- ``manifest.json``: the outlets (feed id, name, path, format, encoding, page template) and every
  item (url path, title, publication time, expected relevance, story label, intent).
- ``feeds/*.xml``: the feeds, with ``{{BASE}}`` where the server's base URL goes. The
  windows-1256 feed is stored as UTF-8 text (so it can be edited and diffed) and encoded to
  windows-1256 when served, after the placeholder is replaced; its XML declaration already says
  ``encoding="windows-1256"``, and encoding is strict so a character cp1256 lacks fails loudly.
- ``templates/<feed>.html``: each outlet's page furniture; ``articles/<feed>/*.html``: bodies.

Every response is built once, when the socket is bound and the base URL known. Responses carry a
strong ETag (hash of the body) and Last-Modified (the item's publication time, or the newest
item's for a feed), and conditional GETs get 304 (If-None-Match wins over If-Modified-Since, as
RFC 9110 section 13.2.2 says). Request logging is silenced so the demo's terminal output stays
readable.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any
from urllib.parse import urlsplit

_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
_PARAGRAPH = re.compile(r"<p>.*?</p>", re.DOTALL)
_XML_DECL_ENCODING = re.compile(r"""^<\?xml[^>]*encoding=["']([A-Za-z0-9_.-]+)["']""")
_LEAD_PARAGRAPHS = 2  # where outlets that inline "اقرأ أيضاً" put the box

_WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
_SYRIAC_MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
_GREGORIAN_MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True, slots=True)
class DemoFeed:
    """One demo outlet's feed, as the lead's ``cli.py`` turns it into a ``Source``."""

    id: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class DemoItem:
    """One demo article and what the monitor is expected to make of it (from the manifest)."""

    id: str
    feed_id: str
    url: str
    title: str
    published: datetime
    relevant: bool
    story: str
    intent: str


@dataclass(frozen=True, slots=True)
class DemoSite:
    """A running demo server: its base URL, its feeds and its items."""

    base_url: str
    feeds: list[DemoFeed]
    items: list[DemoItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _FeedSpec:
    id: str
    name: str
    path: str
    file: str
    content_type: str
    encoding: str
    template: str
    date_style: str


@dataclass(frozen=True, slots=True)
class _ItemSpec:
    id: str
    feed: str
    path: str
    body: str
    title: str
    published: datetime
    section: str
    author: str
    tags: tuple[str, ...]
    relevant: bool
    story: str
    intent: str


@dataclass(frozen=True, slots=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


class _DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen() backlog; the default 5 drops SYNs under bursts
    resources: Mapping[str, _Resource] = {}


@contextmanager
def serve_demo() -> Iterator[DemoSite]:
    """Serve the bundled demo set on 127.0.0.1 (ephemeral port) for the duration of the block.

    Returns:
        A context manager yielding the running ``DemoSite``; the server stops on exit.
    """
    feeds, items = _load_manifest()
    server = _DemoServer(("127.0.0.1", 0), _Handler)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        server.resources = _build_resources(base_url, feeds, items)
    except BaseException:
        server.server_close()
        raise
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield DemoSite(
            base_url=base_url,
            feeds=[DemoFeed(f.id, f.name, base_url + f.path) for f in feeds],
            items=[_demo_item(base_url, i) for i in items],
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- HTTP


class _Handler(BaseHTTPRequestHandler):
    server: _DemoServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body in one segment: no delayed-ACK stalls
    server_version = "monitor-demo/1"

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging: the demo prints alerts, not access logs."""

    def _respond(self, *, with_body: bool) -> None:
        resource = self.server.resources.get(urlsplit(self.path).path)
        if resource is None:
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)
            return
        if _is_not_modified(self.headers, resource):
            self.send_response(304)
            self._send_validators(resource)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        self._send_validators(resource)
        self.end_headers()
        if with_body:
            self.wfile.write(resource.body)

    def _send_validators(self, resource: _Resource) -> None:
        self.send_header("ETag", resource.etag)
        self.send_header("Last-Modified", format_datetime(resource.last_modified, usegmt=True))
        self.send_header("Cache-Control", "max-age=60")


def _is_not_modified(headers: Message, resource: _Resource) -> bool:
    """RFC 9110 13.1: If-None-Match decides when present; otherwise If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or resource.etag in tags
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unparsable date is ignored, as the RFC requires
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return resource.last_modified <= since


# --------------------------------------------------------------------------- building responses


def _build_resources(
    base_url: str, feeds: list[_FeedSpec], items: list[_ItemSpec]
) -> dict[str, _Resource]:
    root = resources.files("monitor") / "demo"
    built: dict[str, _Resource] = {"/": _index_page(base_url, feeds)}
    for feed in feeds:
        own = sorted((i for i in items if i.feed == feed.id), key=_newest_first)
        built[feed.path] = _resource(
            _feed_bytes(root, feed, base_url),
            f"{feed.content_type}; charset={feed.encoding}",
            max(i.published for i in own),
        )
        template = (root / feed.template).read_text(encoding="utf-8")
        for item in own:
            page = _render_page(root, template, feed, item, own, base_url)
            built[item.path] = _resource(
                page.encode("utf-8"), "text/html; charset=utf-8", item.published
            )
    return built


def _resource(body: bytes, content_type: str, last_modified: datetime) -> _Resource:
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    # HTTP dates have one-second resolution; keep the stored value comparable with them.
    modified = last_modified.astimezone(UTC).replace(microsecond=0)
    return _Resource(body, content_type, etag, modified)


def _feed_bytes(root: Traversable, feed: _FeedSpec, base_url: str) -> bytes:
    """Fill in the base URL, then encode: substituting after encoding would break cp1256."""
    text = _fill((root / feed.file).read_text(encoding="utf-8"), {"BASE": base_url})
    declared = _XML_DECL_ENCODING.match(text)
    if declared is None or declared.group(1).lower() != feed.encoding.lower():
        raise ValueError(f"demo: {feed.file} does not declare encoding {feed.encoding!r}")
    return text.encode(feed.encoding)


def _render_page(
    root: Traversable,
    template: str,
    feed: _FeedSpec,
    item: _ItemSpec,
    siblings: list[_ItemSpec],
    base_url: str,
) -> str:
    body = (root / item.body).read_text(encoding="utf-8")
    paragraphs = _PARAGRAPH.findall(body)
    others = [s for s in siblings if s.id != item.id]
    values = {
        "BASE": base_url,
        "URL": html.escape(base_url + item.path),
        "TITLE": html.escape(item.title),
        "TITLE_JSON": json.dumps(item.title, ensure_ascii=False),
        "PUBLISHED_ISO": item.published.isoformat(),
        "PUBLISHED_HUMAN": _human_date(item.published, feed.date_style),
        "SECTION": html.escape(item.section),
        "AUTHOR": html.escape(item.author),
        "TAGS": " ".join(f'<a class="tag" href="#">{html.escape(t)}</a>' for t in item.tags),
        "TAGS_TEXT": html.escape("، ".join(item.tags)),
        "BODY": body,
        "BODY_LEAD": "\n".join(paragraphs[:_LEAD_PARAGRAPHS]),
        "BODY_REST": "\n".join(paragraphs[_LEAD_PARAGRAPHS:]),
        "READ_ALSO": _teaser_list(base_url, others[:2]),
        "RELATED": _teaser_list(base_url, others[2:5]),
        "MOST_READ": _teaser_list(base_url, others[::-1][:3]),
    }
    return _fill(template, values)


def _fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{{NAME}}`` placeholders; an unknown name is a bug in the demo data."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"demo: unknown placeholder {{{{{name}}}}}")
        return values[name]

    return _PLACEHOLDER.sub(replace, text)


def _teaser_list(base_url: str, items: list[_ItemSpec]) -> str:
    links = (
        f'<li><a href="{html.escape(base_url + i.path)}">{html.escape(i.title)}</a></li>'
        for i in items
    )
    return '<ul class="teasers">' + "".join(links) + "</ul>"


def _index_page(base_url: str, feeds: list[_FeedSpec]) -> _Resource:
    links = "".join(
        f'<li><a href="{base_url}{f.path}">{html.escape(f.name)}</a></li>' for f in feeds
    )
    page = (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>monitor demo</title></head><body><ul>{links}</ul></body></html>"
    )
    return _resource(
        page.encode("utf-8"), "text/html; charset=utf-8", datetime(2026, 1, 20, tzinfo=UTC)
    )


def _human_date(when: datetime, style: str) -> str:
    """The outlet's own way of printing a date on the page (local time of the outlet)."""
    weekday = _WEEKDAYS[when.weekday()]
    syriac = _SYRIAC_MONTHS[when.month - 1]
    gregorian = _GREGORIAN_MONTHS[when.month - 1]
    clock = f"{when.hour:02d}:{when.minute:02d}"
    if style == "iraqi":
        half = "صباحاً" if when.hour < 12 else "مساءً"
        hour12 = when.hour % 12 or 12
        text = f"{weekday} {when.day} {syriac} {when.year} - {hour12:02d}:{when.minute:02d} {half}"
        return text.translate(_INDIC_DIGITS)
    if style == "gulf":
        return f"{weekday} {when.day} {gregorian} {when.year} {clock}"
    return f"{when.day} {syriac}/{gregorian} {when.year} - {clock}"


def _newest_first(item: _ItemSpec) -> tuple[float, str]:
    return (-item.published.timestamp(), item.id)


# --------------------------------------------------------------------------- manifest


def _load_manifest() -> tuple[list[_FeedSpec], list[_ItemSpec]]:
    path = resources.files("monitor") / "demo" / "manifest.json"
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    feeds = [_feed_spec(f) for f in raw["feeds"]]
    items = [_item_spec(i) for i in raw["items"]]
    known = {f.id for f in feeds}
    for item in items:
        if item.feed not in known:
            raise ValueError(f"demo: item {item.id} names unknown feed {item.feed!r}")
    return feeds, items


def _feed_spec(raw: dict[str, Any]) -> _FeedSpec:
    return _FeedSpec(**{f.name: str(raw[f.name]) for f in fields(_FeedSpec)})


def _item_spec(raw: dict[str, Any]) -> _ItemSpec:
    published = datetime.fromisoformat(str(raw["published"]))
    if published.tzinfo is None:
        raise ValueError(f"demo: item {raw['id']} has a publication time without an offset")
    return _ItemSpec(
        id=str(raw["id"]),
        feed=str(raw["feed"]),
        path=str(raw["path"]),
        body=str(raw["body"]),
        title=str(raw["title"]),
        published=published,
        section=str(raw["section"]),
        author=str(raw["author"]),
        tags=tuple(str(t) for t in raw["tags"]),
        relevant=bool(raw["relevant"]),
        story=str(raw["story"]),
        intent=str(raw["intent"]),
    )


def _demo_item(base_url: str, item: _ItemSpec) -> DemoItem:
    return DemoItem(
        id=item.id,
        feed_id=item.feed,
        url=base_url + item.path,
        title=item.title,
        published=item.published.astimezone(UTC),
        relevant=item.relevant,
        story=item.story,
        intent=item.intent,
    )
