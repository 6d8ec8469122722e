"""Build RSS/Atom feeds and article pages from our own Arabic articles, and serve them.

The articles live in ``tests/fixtures/pipeline/articles.toml`` (written by us in the style of
Arabic news copy). ``NewsSite`` puts outlets on a real ``HttpServer`` (127.0.0.1): each outlet
has a feed (RSS 2.0 or Atom, UTF-8 or windows-1256) answering conditional GETs with 304, and one
page per article wrapped in page furniture (menu, "اقرأ أيضاً", comments). ``publish`` replaces
what an outlet lists, so a test can move from one cycle to the next. ``write_config`` writes a
``monitor.toml`` for those outlets with a JSON-Lines channel; ``read_alerts`` reads it back.

Usage::

    with HttpServer() as server:
        site = NewsSite(server)
        site.publish("dijla", [ARTICLES["victory-wire"]])
        config = write_config(tmp_path, site.sources())
        ...
        alerts = read_alerts(tmp_path)
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from tests.support.httpserver import HttpServer, Request, Response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pipeline"
ALERT_TYPES = ("story.new", "story.update")
FeedFormat = Literal["rss", "atom"]


# --------------------------------------------------------------------------- articles


@dataclass(frozen=True)
class Article:
    """One article of the fixture set."""

    id: str
    title: str
    published: datetime
    body: str
    summary: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.strip().split("\n\n") if p.strip()]

    @property
    def description(self) -> str:
        """What the feed says about it: the summary, else the first paragraph after the dateline."""
        if self.summary:
            return self.summary
        paras = self.paragraphs
        return paras[1] if len(paras) > 1 else paras[0]


@cache
def load_articles() -> Mapping[str, Article]:
    """Every article of ``articles.toml`` by id."""
    with (FIXTURES / "articles.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    out = {}
    for item in raw["articles"]:
        out[item["id"]] = Article(
            id=item["id"],
            title=item["title"],
            published=datetime.fromisoformat(item["published"]),
            body=item["body"],
            summary=item.get("summary", ""),
        )
    return out


def edited(article: Article, **changes: Any) -> Article:
    """A copy of ``article`` with some fields changed (an edit in place keeps the id)."""
    return replace(article, **changes)


# --------------------------------------------------------------------------- feeds and pages


@dataclass(frozen=True)
class FeedItem:
    title: str
    url: str
    published: datetime | None
    summary: str
    guid: str | None = None


def rss(title: str, link: str, items: Sequence[FeedItem], encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 document, encoded (and declared) in ``encoding``."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0"><channel>',
        f"<title>{_x(title)}</title><link>{_x(link)}</link>",
        "<description>أخبار</description><language>ar</language>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{_x(item.title)}</title><link>{_x(item.url)}</link>")
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{_x(item.guid)}</guid>')
        if item.published:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.append(f"<description>{_x(item.summary)}</description>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)


def atom(title: str, link: str, items: Sequence[FeedItem]) -> bytes:
    """An Atom 1.0 document in UTF-8."""
    updated = max((i.published for i in items if i.published), default=datetime(2026, 1, 1))
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">',
        f'<title>{_x(title)}</title><link href="{_x(link)}"/>',
        f"<id>{_x(link)}</id><updated>{updated.isoformat()}</updated>",
    ]
    for item in items:
        parts.append("<entry>")
        parts.append(f'<title>{_x(item.title)}</title><link href="{_x(item.url)}"/>')
        parts.append(f"<id>{_x(item.guid or item.url)}</id>")
        if item.published:
            stamp = item.published.isoformat()
            parts.append(f"<published>{stamp}</published><updated>{stamp}</updated>")
        parts.append(f"<summary>{_x(item.summary)}</summary>")
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def article_page(article: Article, outlet: str, encoding: str = "utf-8") -> bytes:
    """An outlet's HTML page for ``article``: the text inside page furniture."""
    body = "\n".join(f"<p>{_x(p)}</p>" for p in article.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head>
<meta charset="{encoding}">
<title>{_x(article.title)} | {_x(outlet)}</title>
<meta property="article:published_time" content="{article.published.isoformat()}">
</head><body>
<nav><a href="/">الرئيسية</a> <a href="/politics">سياسة</a> <a href="/economy">اقتصاد</a></nav>
<main><article>
<h1>{_x(article.title)}</h1>
<time datetime="{article.published.isoformat()}">{article.published.date().isoformat()}</time>
{body}
</article>
<aside><h3>اقرأ أيضاً</h3><ul>
<li><a href="/sport/1">المنتخب يستعد لمباراته الودية المقبلة</a></li>
<li><a href="/weather/2">أمطار غزيرة متوقعة في عطلة نهاية الأسبوع</a></li>
</ul></aside></main>
<footer><div class="comments">التعليقات (0) — أضف تعليقك</div>
<p>جميع الحقوق محفوظة لـ {_x(outlet)}</p></footer>
</body></html>""".encode(encoding)


def _x(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------- the site


@dataclass
class _Outlet:
    id: str
    name: str
    fmt: FeedFormat
    encoding: str
    articles: list[Article] = field(default_factory=list)
    feed: bytes = b""
    etag: str = ""
    extra_query: str = ""


class NewsSite:
    """Outlets on a running ``HttpServer``: a feed each (with 304s) and a page per article."""

    def __init__(self, server: HttpServer) -> None:
        self.server = server
        self._outlets: dict[str, _Outlet] = {}
        self._lock = threading.Lock()

    def feed_path(self, outlet_id: str) -> str:
        return f"/{outlet_id}/feed.xml"

    def page_path(self, outlet_id: str, article_id: str) -> str:
        return f"/{outlet_id}/news/{article_id}"

    def page_url(self, outlet_id: str, article_id: str) -> str:
        return self.server.url(self.page_path(outlet_id, article_id))

    def publish(
        self,
        outlet_id: str,
        articles: Iterable[Article],
        *,
        name: str | None = None,
        fmt: FeedFormat = "rss",
        encoding: str = "utf-8",
        link_query: str = "",
    ) -> None:
        """Make ``outlet_id`` list ``articles`` (newest first) and serve their pages.

        ``link_query`` is appended to every item link (e.g. ``utm_source=rss``), as outlets do.
        """
        with self._lock:
            outlet = self._outlets.get(outlet_id)
            if outlet is None:
                outlet = _Outlet(outlet_id, name or f"منفذ {outlet_id}", fmt, encoding)
                self._outlets[outlet_id] = outlet
                self.server.route(self.feed_path(outlet_id), self._feed_handler(outlet))
            outlet.articles = sorted(articles, key=lambda a: a.published, reverse=True)
            outlet.extra_query = link_query
            outlet.feed = self._render_feed(outlet)
            outlet.etag = '"' + hashlib.sha1(outlet.feed).hexdigest()[:16] + '"'
            for article in outlet.articles:
                page = article_page(article, outlet.name, outlet.encoding)
                content_type = f"text/html; charset={outlet.encoding}"
                self.server.route(
                    self.page_path(outlet_id, article.id),
                    Response(200, page, content_type=content_type),
                )

    def sources(self) -> list[tuple[str, str, str]]:
        """``(id, name, feed url)`` of every outlet, for ``write_config``."""
        return [
            (o.id, o.name, self.server.url(self.feed_path(o.id))) for o in self._outlets.values()
        ]

    def _render_feed(self, outlet: _Outlet) -> bytes:
        link = self.server.url(f"/{outlet.id}/")
        query = f"?{outlet.extra_query}" if outlet.extra_query else ""
        items = [
            FeedItem(
                title=a.title,
                url=self.page_url(outlet.id, a.id) + query,
                published=a.published,
                summary=a.description,
            )
            for a in outlet.articles
        ]
        if outlet.fmt == "atom":
            return atom(outlet.name, link, items)
        return rss(outlet.name, link, items, outlet.encoding)

    def _feed_handler(self, outlet: _Outlet) -> Any:
        ctype = "application/atom+xml" if outlet.fmt == "atom" else "application/rss+xml"

        def handler(request: Request) -> Response:
            with self._lock:
                body, etag = outlet.feed, outlet.etag
            headers = {"ETag": etag}
            if request.headers.get("if-none-match") == etag:
                return Response(304, b"", headers=headers)
            return Response(200, body, headers=headers, content_type=ctype)

        return handler


# --------------------------------------------------------------------------- config and alerts


def write_config(
    tmp_path: Path,
    sources: Iterable[tuple[str, str, str]],
    *,
    monitor: str = "",
    source_options: str = "",
    extra: str = "",
    name: str = "monitor.toml",
    read_timeout: float = 3,
    web: str = 'listen = "127.0.0.1:0"',
) -> Path:
    """A ``monitor.toml`` in ``tmp_path``: state in ``state/``, alerts to ``alerts.jsonl``.

    Every verdict goes to the JSON-Lines channel at once (no digest), so a test counts every
    alert. ``monitor`` adds lines to the ``[monitor]`` table, ``source_options`` to every
    ``[[sources]]`` table; ``extra`` is appended as is. ``web`` is the ``[web]`` table: the
    daemon's pages on a port the system picks, so tests never race for 8080.
    """
    lines = [
        "[monitor]",
        'state_dir = "state"',
        'log_level = "error"',
        monitor,
        "",
        "[http]",
        "allow_private_addresses = true",
        "connect_timeout_seconds = 2",
        f"read_timeout_seconds = {read_timeout}",
        f"total_timeout_seconds = {read_timeout + 2}",
        "",
        "[web]",
        web,
        "",
    ]
    for sid, sname, url in sources:
        lines += [
            "[[sources]]",
            f"id = {json.dumps(sid)}",
            f"name = {json.dumps(sname, ensure_ascii=False)}",
            f"url = {json.dumps(url)}",
            source_options,
            "",
        ]
    lines += [
        "[[channels]]",
        'name = "log"',
        'type = "jsonl"',
        'path = "alerts.jsonl"',
        'immediate = ["conflicting", "completed", "new", "consistent"]',
        "digest = []",
        "",
        extra,
    ]
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def read_alerts(tmp_path: Path, types: Sequence[str] = ALERT_TYPES) -> list[dict[str, Any]]:
    """The story alerts delivered to ``tmp_path/alerts.jsonl`` (operator alerts left out)."""
    path = tmp_path / "alerts.jsonl"
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if r["type"] in types]


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)
