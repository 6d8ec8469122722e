"""A local "feed farm" for the cycle benchmark: N RSS feeds x M items with article pages.

Feeds carry a fixed ETag, so a second cycle is answered 304 everywhere. Served on 127.0.0.1
from a thread; everything is generated from templates, nothing is read from disk.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

_TITLES = [
    "انسحاب قوات التحالف الدولي من قاعدة عين الأسد",
    "الحكومة تناقش الموازنة العامة للعام المقبل",
    "مباحثات عراقية أمريكية بشأن مهمة التحالف في أربيل",
    "ارتفاع أسعار النفط في الأسواق العالمية",
    "وزارة الكهرباء تعلن خطة صيانة الصيف",
]
_BODY = [
    "أعلنت قيادة العمليات المشتركة مغادرة آخر مستشاري التحالف الدولي قاعدة عين الأسد في محافظة الأنبار.",
    "وأوضح بيان رسمي أن المرحلة الثانية من إنهاء مهمة التحالف في إقليم كردستان تمتد حتى أيلول/سبتمبر 2026.",
    "وقال مسؤول حكومي إن اللجان المختصة تواصل أعمالها وفق الجداول المقررة في مجالات الخدمات.",
    "وشهدت العاصمة بغداد اجتماعات بين الكتل السياسية لبحث ملف الموازنة والتعيينات الجديدة.",
    "ويوجد في العراق نحو 2500 جندي أمريكي ضمن مهمة التحالف بحسب تقديرات رسمية.",
]
_ETAG = '"farm-v1"'
_BASE_TIME = datetime(2026, 1, 18, 6, tzinfo=UTC)


@lru_cache(maxsize=4096)
def _feed(base: str, feed: int, items: int) -> bytes:
    rng = random.Random(feed)
    out = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>منفذ {feed}</title><link>{base}/</link><description>x</description>",
    ]
    for i in range(items):
        when = format_datetime(_BASE_TIME - timedelta(minutes=feed + i * 7))
        title = escape(f"{rng.choice(_TITLES)} ({feed}-{i})")
        link = f"{base}/page/{feed}/{i}.html"
        out.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{when}</pubDate><description>{title}</description></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def _page(feed: int, item: int) -> bytes:
    rng = random.Random(feed * 1000 + item)
    paragraphs = "".join(f"<p>{rng.choice(_BODY)}</p>" for _ in range(8))
    html = (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>خبر {feed}-{item}</title></head><body><nav>الرئيسية | سياسة | اقتصاد</nav>"
        f"<article><h1>خبر {feed}-{item}</h1>{paragraphs}</article>"
        "<aside>اقرأ أيضاً: عناوين أخرى</aside><footer>جميع الحقوق محفوظة</footer></body></html>"
    )
    return html.encode("utf-8")


class _FarmServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = (
        1024  # listen() backlog: the default 5 drops SYNs under a burst (1 s stalls)
    )

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client closing a kept-alive connection is not news


@contextmanager
def serve_farm(feeds: int, *, items: int = 30) -> Iterator[str]:
    """Serve ``feeds`` feeds of ``items`` items; yields the base URL."""

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
                self._send(200, _feed(base, number, items), "application/rss+xml")
            elif parts[0] == "page" and len(parts) == 3:
                body = _page(int(parts[1]), int(parts[2].removesuffix(".html")))
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

    server = _FarmServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
