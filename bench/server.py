"""A local "feed farm" for the cycle benchmark: N RSS feeds x M items with article pages.

Everything is generated from our own templates (``bench.storycorpus`` for the reports, the
page chrome below) and served on loopback addresses from threads; nothing is read from disk
or downloaded. What makes it honest:

* pages have the size and shape of real news pages (~150-250 KB): inline script bundles and
  JSON-LD, a style sheet, a navigation menu, a breaking-news ticker, the article, share and
  tag boxes, related-story and "most read" lists, a comment thread and a site-map footer;
* the reports fall into stories of realistic sizes: most stories have 1-10 reports, a few
  have 50-300 (``story_sizes``); about half the items are unrelated news;
* the feeds are spread over ``HOSTS`` loopback addresses (127.0.0.1 ... 127.0.0.8), as real
  feeds are spread over outlets, so the per-host limit means what it means in production;
* everything is a function of the item's position: two runs serve the same bytes.

Feeds carry a fixed ETag, so a second cycle is answered 304 everywhere.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from bench.storycorpus import END, Corpus

HOSTS = 8
_ETAG = '"farm-v2"'
RELEVANT_SHARE = 0.5
_BIG_STORIES = (300, 150, 60)  # the few long-running stories of a busy week

_UNRELATED_TITLES = (
    "الحكومة تناقش الموازنة العامة للعام المقبل",
    "ارتفاع أسعار النفط في الأسواق العالمية",
    "وزارة الكهرباء تعلن خطة صيانة الصيف",
    "افتتاح معرض بغداد الدولي للكتاب بمشاركة واسعة",
    "المنتخب الوطني يستعد لمباراته الودية المقبلة",
    "البنك المركزي يعلن نتائج مزاد العملة الأجنبية",
)
_UNRELATED_LINES = (
    "وقال مسؤول حكومي إن الحكومة ماضية في تنفيذ برنامجها في مجالات الخدمات والإعمار.",
    "وشهدت العاصمة اجتماعات مكثفة بين الكتل السياسية لبحث ملفات الموازنة والتعيينات.",
    "وأشار بيان رسمي إلى أن اللجان المختصة تواصل أعمالها وفق الجداول المقررة.",
    "وأكدت مصادر مطلعة أن المباحثات تناولت ملفات الطاقة والمياه والتبادل التجاري.",
    "وبين المتحدث باسم الوزارة أن الفرق الفنية أنجزت أعمال الصيانة في عدد من المحطات.",
    "ولفت إلى أن الأسعار شهدت استقرارا نسبيا خلال الأسبوع الماضي في الأسواق المحلية.",
)


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    lines: tuple[str, ...]
    published: datetime
    story: int  # -1: unrelated news


def story_sizes(reports: int) -> list[int]:
    """Story sizes summing to ``reports``: a few big stories (when they fit in a third of
    the reports), the rest of 1-10 reports (geometric: singletons are the most common)."""
    rng = random.Random(reports)
    sizes = [n for n in _BIG_STORIES if n <= reports // 3]
    sizes = sizes[: max(1, len(sizes))]
    left = reports - sum(sizes)
    while left > 0:
        n = min(left, 1 + min(9, int(rng.expovariate(0.4))))
        sizes.append(n)
        left -= n
    return sizes


@cache
def plan(feeds: int, items: int) -> tuple[tuple[Item, ...], ...]:
    """The items of every feed, newest first; a fixed function of the farm's size."""
    total = feeds * items
    relevant = int(total * RELEVANT_SHARE)
    corpus = Corpus(seed=total)
    rng = random.Random(total)
    pool: list[Item] = []
    span = timedelta(days=3)
    for story, size in enumerate(story_sizes(relevant)):
        event = corpus.event(END - span, span - timedelta(hours=20))
        for report in corpus.reports(event, size):
            a = report.article
            when = a.published or event.at
            pool.append(Item(a.title, tuple(a.text.splitlines()), when, story))
    for _ in range(total - relevant):
        lines = tuple(rng.sample(_UNRELATED_LINES, 3) + [corpus._sentence() for _ in range(6)])
        when = END - span * rng.random()
        pool.append(Item(rng.choice(_UNRELATED_TITLES), lines, when, -1))
    rng.shuffle(pool)
    per_feed = [pool[f * items : (f + 1) * items] for f in range(feeds)]
    return tuple(tuple(sorted(f, key=lambda i: i.published, reverse=True)) for f in per_feed)


def host_of(feed: int) -> str:
    return f"127.0.0.{1 + feed % HOSTS}"


def feed_urls(port: int, feeds: int) -> list[str]:
    return [f"http://{host_of(i)}:{port}/feed/{i}.xml" for i in range(feeds)]


def _feed(port: int, feed: int, feeds: int, items: int) -> bytes:
    base = f"http://{host_of(feed)}:{port}"
    out = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>منفذ {feed}</title><link>{base}/</link><description>أخبار العراق</description>",
    ]
    for i, item in enumerate(plan(feeds, items)[feed]):
        link = f"{base}/page/{feed}/{i}.html"
        title = escape(item.title)
        out.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{format_datetime(item.published)}</pubDate>"
            f"<description>{escape(item.lines[1] if len(item.lines) > 1 else title)}"
            "</description></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


# --------------------------------------------------------------------------- page chrome


@cache
def _chrome(host: int) -> dict[str, str]:
    """The parts every page of one outlet shares: scripts, styles, menus, footer."""
    rng = random.Random(host)
    words = [w for line in _UNRELATED_LINES for w in line.split()]

    def js(n: int) -> str:  # a minified bundle: identifiers, strings, numbers
        parts = []
        for i in range(n):
            name = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz_", k=rng.randint(2, 9)))
            parts.append(
                f'function {name}{i}(e,t){{var n=e["{name}"]||{rng.randint(0, 9999)};'
                f'return t.push({{id:n,label:"{rng.choice(words)}",at:Date.now()}}),n}}'
            )
        return ";".join(parts)

    menu = "".join(
        f'<li class="menu-item"><a href="/section/{i}" title="{rng.choice(words)}">'
        f"{rng.choice(words)} {rng.choice(words)}</a></li>"
        for i in range(60)
    )
    sitemap = "".join(
        f'<li><a href="/archive/{i}">{rng.choice(words)} {rng.choice(words)}</a></li>'
        for i in range(60)
    )
    style = "".join(
        f".c{i}{{margin:{i % 9}px;padding:{i % 5}px;color:#{rng.randrange(1 << 24):06x}}}"
        for i in range(500)
    )
    return {
        "head_js": f"<script>{js(120)}</script><script>window.dataLayer=[{js(40)}]</script>",
        "tail_js": f"<script>{js(rng.randint(800, 1100))}</script>",
        "style": f"<style>{style}</style>",
        "nav": f'<header><nav class="main-menu"><ul>{menu}</ul></nav></header>',
        "footer": f'<footer><ul class="sitemap">{sitemap}</ul><p>جميع الحقوق محفوظة</p></footer>',
    }


def page(feeds: int, items: int, feed: int, index: int) -> bytes:
    """The article page of one item, with the outlet's chrome around it."""
    item = plan(feeds, items)[feed][index]
    chrome = _chrome(feed % HOSTS)
    rng = random.Random(feed * 100_003 + index)
    others = plan(feeds, items)[rng.randrange(feeds)]
    links = "".join(
        f'<li><a href="/page/{feed}/{j}.html"><img src="/img/{j}.jpg" alt="">'
        f"<span>{escape(o.title)}</span></a><time>{o.published:%Y-%m-%d}</time></li>"
        for j, o in enumerate(others[:12])
    )
    ticker = "".join(f"<li><a href='#'>{escape(o.title)}</a></li>" for o in others[12:24])
    comments = "".join(
        f'<li class="comment"><b>زائر {rng.randint(1, 999)}</b><time>منذ {rng.randint(1, 59)}'
        f" دقيقة</time><p>{rng.choice(_UNRELATED_LINES)} {rng.choice(_UNRELATED_LINES)}</p></li>"
        for _ in range(rng.randint(5, 25))
    )
    body = "".join(f"<p>{escape(line)}</p>" for line in item.lines)
    state = ",".join(  # the page's inline state (a framework's hydration data)
        f'{{"id":{rng.randrange(10**6)},"title":"{escape(o.title)}","views":{rng.randrange(9999)},'
        f'"teaser":"{escape(o.lines[-1])}","tags":["iraq","news","{rng.randrange(99)}"]}}'
        for o in rng.choices(others, k=rng.randint(10, 90))
    )
    title = escape(item.title)
    jsonld = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":'
        f'"NewsArticle","headline":"{title}","datePublished":"{item.published.isoformat()}"}}'
        "</script>"
    )
    html = (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f'<title>{title}</title><meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="{item.published.isoformat()}">'
        f"{chrome['style']}{chrome['head_js']}{jsonld}</head><body>{chrome['nav']}"
        f'<div class="ticker"><ul>{ticker}</ul></div><main><article><h1>{title}</h1>'
        f'<time datetime="{item.published.isoformat()}">{item.published:%Y-%m-%d}</time>'
        f'<div class="article-body">{body}</div><div class="share">شارك: فيسبوك | تويتر</div>'
        '<div class="tags">وسوم: العراق | التحالف | الأمن</div></article>'
        f'<section class="related"><h2>أخبار ذات صلة</h2><ul>{links}</ul></section>'
        f'<section class="comments"><h2>التعليقات</h2><ol>{comments}</ol></section></main>'
        f'<aside class="most-read"><h2>الأكثر قراءة</h2><ul>{ticker}</ul></aside>'
        f'{chrome["footer"]}<script>window.__STATE__={{"items":[{state}]}}</script>'
        f"{chrome['tail_js']}</body></html>"
    )
    return html.encode("utf-8")


# --------------------------------------------------------------------------- serving


class _FarmServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # listen() backlog: the default 5 drops SYNs under a burst

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client closing a kept-alive connection is not news


@contextmanager
def serve_farm(feeds: int, *, items: int = 30) -> Iterator[int]:
    """Serve ``feeds`` feeds of ``items`` items on ``HOSTS`` loopback addresses, one port;
    yields the port (``feed_urls`` gives the feeds' addresses)."""
    plan(feeds, items)  # built once, before the clock of any cycle starts

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stalls

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if parts[0] == "feed" and len(parts) == 2:
                if self.headers.get("If-None-Match") == _ETAG:
                    self._send(304, b"", "application/rss+xml")
                    return
                number = int(parts[1].removesuffix(".xml"))
                self._send(200, _feed(port, number, feeds, items), "application/rss+xml")
            elif parts[0] == "page" and len(parts) == 3:
                body = page(feeds, items, int(parts[1]), int(parts[2].removesuffix(".html")))
                self._send(200, body, "text/html; charset=utf-8")
            else:
                self._send(404, b"", "text/plain")

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("ETag", _ETAG)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    with ExitStack() as stack:
        first = _FarmServer((host_of(0), 0), Handler)
        port = first.server_address[1]
        servers = [first] + [_FarmServer((host_of(h), port), Handler) for h in range(1, HOSTS)]
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
        yield port


def farm_pages(feeds: int, items: int, n: int) -> list[bytes]:
    """``n`` of the farm's pages, spread over its feeds (for the extraction ceiling)."""
    step = max(1, feeds * items // n)
    return [page(feeds, items, k // items, k % items) for k in range(0, feeds * items, step)][:n]
