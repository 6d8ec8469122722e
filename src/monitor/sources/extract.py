"""Extract an article's main text and publication time from its page, or fall back to the feed.

Text, first that gives something (``Article.text_source`` records which):

1. ``selector``: the source's CSS selector (config ``css_selector``), via BeautifulSoup;
   a selection shorter than ``MIN_SELECTOR_CHARS`` counts as a miss (the layout changed).
2. ``trafilatura``: favouring precision, without comments, tables, links or images (link
   tables and "most read" boxes stay out). jusText, with its defaults, finds no paragraph on
   Arabic pages; trafilatura with ``favor_precision`` does (tests/fixtures/pages).
3. ``summary``: the feed entry's summary (already plain text), else its title; also when
   the page gave less than ``MIN_PAGE_TEXT_CHARS`` and less than the summary.

When the feed gives both the title and the publication time, the page's metadata is not read
at all (trafilatura without metadata, no second lxml parse for dates): a third of the
extraction's time on a real page, for nothing the feed did not already say.

Publication time (``Article.published_source``): the feed entry's, else the page's metadata:
``article:published_time`` and similar ``<meta>``, JSON-LD ``datePublished``, a ``<time
datetime>`` inside the article; else the fetch time, marked ``fetched``. Never a date guessed
from the text (htmldate's heuristics, through trafilatura, take the 1st of January of a year
the body mentions: on real pages a guessed 2003 made a false conflict). A time without an
offset is taken as UTC (its calendar day is kept for the time zones of the Arab world); a time
more than a day in the future is ignored.

Pages are decoded with their declared or sniffed charset (``markup.decode_document``).
Budget: pages are capped by the fetcher (``max_page_bytes``); a page with more than
``MAX_PAGE_TAGS`` tags is not given to the extractors (the summary is used), which keeps one
extraction under about a second (a typical article page: a few milliseconds). Callers in an
event loop should still run ``extract_article`` in a thread.
``content_hash`` is the SHA-256 of the normalised text (``normalize.normalize_text``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import lxml.html  # type: ignore[import-untyped]
import trafilatura
from bs4 import BeautifulSoup
from lxml import etree

from monitor.models import Article, DateSource, FeedEntry, FetchResult, TextSource
from monitor.normalize import normalize_text
from monitor.sources import markup
from monitor.timebounds import plausible_time

log = logging.getLogger(__name__)

MIN_SELECTOR_CHARS = 40
MIN_PAGE_TEXT_CHARS = 200  # shorter page text loses to a longer feed summary
MAX_PAGE_TAGS = 50_000  # real article pages have a few thousand; extraction is ~20 µs a tag
MAX_JSONLD_CHARS = 200_000
_META_DATES = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_ARTICLE_TYPES = ("NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "WebPage")


def extract_article(
    entry: FeedEntry,
    page: FetchResult | None,
    selector: str | None,
    fetched_at: datetime | None = None,
) -> Article:
    """The article of ``entry``: main text, title and publication time, with their sources.

    Args:
        entry: the feed entry.
        page: its fetched page, or None when it was not fetched or failed.
        selector: the source's CSS selector override, if any.
        fetched_at: when the entry was fetched (default: now), the time of an undated one.
    """
    html = decode_page(page) if page is not None else None
    if html and html.count("<") > MAX_PAGE_TAGS:
        log.warning("page too complex", extra={"kv": {"url": entry.url, "tags": html.count("<")}})
        html = None  # a link farm or a nesting bomb: the extractors would take seconds
    text: str | None = None
    text_source: TextSource = "summary"
    page_date: datetime | None = None
    page_title = ""
    if html:
        url = page.final_url if page is not None else entry.url
        metadata = not (entry.title and entry.published)  # else the feed said it all
        text, text_source, doc = _main_text(html, url, selector, metadata=metadata)
        if metadata:
            page_date = page_published(html)
            page_title = (doc or {}).get("title") or ""
    if text and len(text) < MIN_PAGE_TEXT_CHARS and len(text) < len(entry.summary):
        text = None  # a scrap (a caption, a teaser): the extraction missed the article
    if not text:
        text, text_source = (entry.summary or entry.title), "summary"
    published, published_source = _published(entry, page_date, fetched_at or datetime.now(UTC))
    return Article(
        entry=entry,
        title=entry.title or " ".join(page_title.split()),
        text=text,
        text_source=text_source,
        published=published,
        published_source=published_source,
        content_hash=content_hash(text),
    )


def extract_main_text(html: str, url: str | None = None, selector: str | None = None) -> str | None:
    """Main text of an HTML page (selector, then trafilatura), or None when nothing is found."""
    text, _, _ = _main_text(html, url, selector)
    return text


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text, whitespace collapsed."""
    normal = " ".join(normalize_text(text).split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- the page


def decode_page(page: FetchResult) -> str | None:
    """The page as text, or None when it is not a usable HTML page."""
    if page.not_modified or not page.content or not 200 <= page.status < 300:
        return None
    content_type = page.headers.get("content-type", "").lower()
    if content_type and not any(kind in content_type for kind in ("html", "xml", "text/plain")):
        return None
    declared = [
        markup.header_charset(content_type),
        markup.html_charset(page.content) or markup.xml_charset(page.content),
    ]
    decoded = markup.decode_document(page.content, declared)
    for warning in decoded.warnings:
        log.info("page charset", extra={"kv": {"url": page.final_url, "warning": warning}})
    utf8 = page.content if decoded.encoding in ("ascii", "utf-8") else None
    text, _ = markup.strip_controls(decoded.text, utf8)
    return _XML_DECL.sub("", text, count=1)  # lxml refuses str input that declares a charset


def _main_text(
    html: str, url: str | None, selector: str | None, *, metadata: bool = True
) -> tuple[str | None, TextSource, dict[str, Any] | None]:
    if selector:
        text = _by_selector(html, selector)
        if text:
            meta = _trafilatura(html, url, metadata_only=True) if metadata else None
            return text, "selector", meta
    doc = _trafilatura(html, url, metadata=metadata)
    text = markup.collapse((doc or {}).get("text") or "")
    return (text or None), "trafilatura", doc


def _by_selector(html: str, selector: str) -> str | None:
    try:
        soup = BeautifulSoup(html, "lxml")
        parts = [markup.html_to_text(str(node)) for node in soup.select(selector)]
    except Exception as exc:  # a bad selector or a parser failure: fall through, don't crash
        log.warning("css selector failed", extra={"kv": {"selector": selector, "error": repr(exc)}})
        return None
    text = "\n".join(part for part in parts if part)
    return text if len(text) >= MIN_SELECTOR_CHARS else None


def _trafilatura(
    html: str, url: str | None, *, metadata_only: bool = False, metadata: bool = True
) -> dict[str, Any] | None:
    try:
        if metadata_only:
            meta = trafilatura.extract_metadata(html, default_url=url)
            return meta.as_dict() if meta is not None else None
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_links=False,
            include_images=False,
            with_metadata=metadata,
        )
    except Exception as exc:  # third-party parser on hostile HTML: fall back to the summary
        log.warning("trafilatura failed", extra={"kv": {"url": url, "error": repr(exc)}})
        return None
    return doc.as_dict() if doc is not None and not isinstance(doc, dict) else doc


# --------------------------------------------------------------------------- dates


def _published(
    entry: FeedEntry, page_date: datetime | None, fetched_at: datetime
) -> tuple[datetime, DateSource]:
    if entry.published is not None:
        return entry.published, "feed"
    if page_date is not None:
        return page_date, "page"
    return fetched_at, "fetched"


def page_published(html: str) -> datetime | None:
    """The publication time the page's own metadata states (meta, JSON-LD, ``<time>``)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for value in _date_candidates(root):
        when = parse_datetime(value)
        if when is not None:
            return when
    return None


def _date_candidates(root: Any) -> Iterator[str]:
    for meta in root.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if name in _META_DATES and meta.get("content"):
            yield meta.get("content")
    for script in root.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            yield from _jsonld_dates(script.text)
    for node in root.xpath("//*[@itemprop='datePublished']"):
        value = node.get("datetime") or node.get("content")
        if value:
            yield value
    for node in root.xpath("//article//time[@datetime] | //main//time[@datetime]"):
        yield node.get("datetime")
    for node in root.xpath("//time[@datetime][not(ancestor::aside)][not(ancestor::nav)]"):
        yield node.get("datetime")


def _jsonld_dates(raw: str) -> Iterator[str]:
    if len(raw) > MAX_JSONLD_CHARS:
        return
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested past the C stack
        return
    nodes = list(_walk(data, depth=0))
    preferred = [n for n in nodes if _is_article(n)]
    for node in preferred + [n for n in nodes if not _is_article(n)]:
        value = node.get("datePublished")
        if isinstance(value, str):
            yield value


def _walk(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in data:
                yield from _walk(data[key], depth + 1)


def _is_article(node: dict[str, Any]) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(k in _ARTICLE_TYPES for k in kinds if isinstance(k, str))


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 or RFC 2822 time as aware UTC; None when unreadable or implausible."""
    value = value.strip()[:64]
    when: datetime | None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    sane = plausible_time(when)  # checked before converting: 0001-01-01+14:00 has no UTC
    return None if sane is None else sane.astimezone(UTC)
