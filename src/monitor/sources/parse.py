"""Parse a fetched feed (RSS 0.9x/1.0/2.0, Atom) into ``FeedEntry`` records, defensively.

feedparser never does HTTP here: it gets the bytes. Before it sees them:

* the charset is decided by ``markup.decode_document`` (BOM, strict UTF-8 first, declared
  labels, windows-1256 fallback) and the text is handed over as UTF-8 with a matching XML
  declaration, so feedparser has nothing left to guess;
* characters XML forbids (C0 controls) are removed, and numeric character references to
  code points XML forbids (``&#xD800;`` crashes feedparser's lenient parser) become U+FFFD;
* a DOCTYPE with an internal subset (entity declarations: billion laughs, quadratic blow-up,
  external entities) is removed whole; entity references left behind stay unexpanded text;
* author-like elements (author, dc:creator, managingEditor, webMaster, publisher, owner) are
  removed: we do not use them, and feedparser runs a regex with quadratic backtracking over
  them (a crafted 40 KB ``<author>`` takes about 30 s).

A feed that is not well-formed but still yields entries is used, with a warning; one that
yields nothing raises ``ParseError``. A feed of more than ``MAX_ENTRIES`` items is not parsed
whole: ``parse_feed`` gives its scan (``feedscan``: every item's key, read cheaply), the
pipeline looks the keys up, and ``parse_chosen`` parses the items it chose, at most
``CHOSEN_ITEMS`` (new items first, wherever they stand in the feed).

Budget: the input is capped by the fetcher (``max_feed_bytes``, 5 MB by default). The steps
above are linear in it. feedparser itself is not bounded by us (its lenient parser spends
~90 µs per tag on deep nesting), so ``parse_feed`` runs the whole parse in a sandboxed child
process (``sandbox.run_bounded``): at most ``PARSE_DEADLINE_S`` seconds and
``PARSE_MEMORY_BYTES`` of memory, past which the feed is rejected with a ``ParseError``.
A normal 30-item feed takes a few milliseconds to parse, plus a few for the child process.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import feedparser

from monitor.errors import ParseError
from monitor.models import FeedEntry, FetchResult, Source
from monitor.sources import feedscan, markup, sandbox, urls
from monitor.sources.feedscan import FeedScan
from monitor.timebounds import EARLIEST_YEAR, plausible_time

PARSE_DEADLINE_S = 15.0
PARSE_MEMORY_BYTES = 512 << 20
MAX_ENTRIES = 1000  # more items than this: scanned, and only the chosen ones parsed
CHOSEN_ITEMS = 200  # a cycle processes 30 articles a source (max_articles_per_cycle)
WORKER_MODULES = ("monitor.sources.parse",)  # what a parse worker preloads
_ITEM_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
MAX_TITLE_CHARS = 1000
MAX_SUMMARY_CHARS = 50_000
MAX_OUTLET_CHARS = 200

_XML_DECL = re.compile(r"<\?xml\s[^>]*\?>", re.IGNORECASE)
_CHARREF = re.compile(r"&#([xX][0-9a-fA-F]+|[0-9]+);?")
_SPECIAL = re.compile(r"""["'\[\]>]|<!--""")
_AUTHORISH = re.compile(
    r"<(/?)((?:[A-Za-z_][\w.-]*:)?"
    r"(?:author|creator|managingEditor|webMaster|publisher|owner))(?=[\s/>])[^<>]*>",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    entries: tuple[FeedEntry, ...]
    warnings: tuple[str, ...]
    title: str
    scan: FeedScan | None = None  # a feed too long to parse whole: choose, then parse_chosen


def parse_feed(source: Source, result: FetchResult) -> ParsedFeed:
    """Parse ``result.content`` into entries of ``source``, in a sandboxed child process.

    A 304 result has nothing to parse and gives an empty ``ParsedFeed``.

    Raises:
        ParseError: the content yields no entry, or parsing passed its time or memory budget.
    """
    if result.not_modified:
        return ParsedFeed((), (), source.name)
    return _sandboxed(parse_or_scan, source, result)


def parse_chosen(
    source: Source, result: FetchResult, found: FeedScan, chosen: Sequence[int]
) -> ParsedFeed:
    """Parse only the ``chosen`` items of a scanned feed (``feedscan.choose``), sandboxed."""
    content = feedscan.document(found, chosen)
    headers = {**result.headers, "content-type": "application/xml; charset=utf-8"}
    return _sandboxed(parse_in_process, source, replace(result, content=content, headers=headers))


def _sandboxed(
    func: Callable[[Source, FetchResult], ParsedFeed], source: Source, result: FetchResult
) -> ParsedFeed:
    try:
        return sandbox.run_bounded(
            func,
            (source, result),
            deadline_s=PARSE_DEADLINE_S,
            memory_bytes=PARSE_MEMORY_BYTES,
            preload=WORKER_MODULES,
        )
    except sandbox.SandboxError as exc:
        raise ParseError(f"parse: {source.id}: feed rejected: {exc}") from None


def parse_or_scan(source: Source, result: FetchResult) -> ParsedFeed:
    """``parse_in_process``, or for a feed of more than ``MAX_ENTRIES`` items its scan."""
    data, warnings = prepare(result.content, result.headers.get("content-type"))
    if len(_ITEM_START.findall(data)) > MAX_ENTRIES:
        found = feedscan.scan(data, source.id, result.final_url or result.url)
        if found is not None and len(found.keys) > MAX_ENTRIES:
            warnings.append(
                f"{len(found.keys)} items: scanned; only new ones (at most {CHOSEN_ITEMS}) parsed"
            )
            return ParsedFeed((), tuple(warnings), source.name, scan=found)
    return _parse_prepared(source, result, data, warnings)


def parse_in_process(source: Source, result: FetchResult) -> ParsedFeed:
    """``parse_feed`` without the sandbox, and without the scan of big feeds (benchmarks)."""
    data, warnings = prepare(result.content, result.headers.get("content-type"))
    return _parse_prepared(source, result, data, warnings)


def _parse_prepared(
    source: Source, result: FetchResult, data: bytes, warnings: list[str]
) -> ParsedFeed:
    headers = {
        "content-type": "application/xml; charset=utf-8",
        "content-location": result.final_url or result.url,
    }
    if "content-language" in result.headers:
        headers["content-language"] = result.headers["content-language"]
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # feedparser bugs on hostile input (found by the hostile corpus)
        raise ParseError(f"parse: {source.id}: feedparser failed: {_describe(exc)}") from None
    entries, entry_warnings = _entries(source, parsed.get("entries", []))
    warnings += entry_warnings
    if not entries:
        raise ParseError(f"parse: {source.id}: no entries ({_why_empty(parsed)})")
    if parsed.get("bozo"):
        problem = _describe(parsed.get("bozo_exception"))
        warnings.append(f"feed is not well-formed ({problem}); used what the lenient parser found")
    feed = parsed.get("feed", {})
    title = _text(feed.get("title", ""), feed.get("title_detail"), MAX_TITLE_CHARS)
    return ParsedFeed(tuple(entries), tuple(warnings), title or source.name)


# --------------------------------------------------------------------------- before feedparser


def prepare(content: bytes, content_type: str | None) -> tuple[bytes, list[str]]:
    """The feed as UTF-8 bytes that are safe to give feedparser, and what was changed."""
    declared = [markup.header_charset(content_type), markup.xml_charset(content)]
    decoded = markup.decode_document(content, declared)
    warnings = list(decoded.warnings)
    text, removed = markup.strip_controls(decoded.text.lstrip("\ufeff"))
    if removed:
        warnings.append(f"{removed} control character(s) removed")
    text, prolog_warnings = _clean_prolog(text)
    warnings += prolog_warnings
    text = _drop_authorish(text)
    text, bad_refs = _CHARREF.subn(_fix_charref, text)
    if bad_refs:
        warnings.append(f"{bad_refs} character reference(s) to invalid code points replaced")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8"), warnings


def _fix_charref(match: re.Match[str]) -> str:
    """Keep a numeric character reference XML allows; replace others by U+FFFD."""
    digits = match.group(1)
    if len(digits) <= 9:
        code = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
        if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
            return match.group(0)
        if 0x10000 <= code <= 0x10FFFF:
            return match.group(0)
    return "\ufffd"


def _clean_prolog(text: str) -> tuple[str, list[str]]:
    """Drop XML declarations and any DOCTYPE with an internal subset from the prolog."""
    kept: list[str] = []
    warnings: list[str] = []
    i, n = 0, len(text)
    while i < n:
        start = i
        while i < n and text[i] in " \t\r\n":
            i += 1
        if text.startswith("<?", i):
            end = text.find("?>", i + 2)
            end = n if end < 0 else end + 2
            if not _XML_DECL.fullmatch(text, i, end):
                kept.append(text[start:end])  # a processing instruction (stylesheet): keep
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            end = n if end < 0 else end + 3
            kept.append(text[start:end])
        elif text[i : i + 9].upper() == "<!DOCTYPE":
            end, subset = _doctype_end(text, i + 9)
            if subset:
                warnings.append("DOCTYPE with an internal subset (entity declarations) removed")
            else:
                kept.append(text[start:end])
        else:
            break
        i = end
    kept.append(text[i:])
    return "".join(kept), warnings


def _doctype_end(text: str, i: int) -> tuple[int, bool]:
    """End of the DOCTYPE whose body starts at ``i``; whether it has an internal subset.

    Quoted strings and comments are skipped whole, so a ``]`` or ``>`` inside an entity
    value does not end it. An unterminated DOCTYPE runs to the end of the text.
    """
    depth, subset, n = 0, False, len(text)
    while True:
        match = _SPECIAL.search(text, i)
        if match is None:
            return n, subset
        token, i = match.group(0), match.end()
        if token in ('"', "'"):
            close = text.find(token, i)
            i = n if close < 0 else close + 1
        elif token == "<!--":
            close = text.find("-->", i)
            i = n if close < 0 else close + 3
        elif token == "[":
            depth, subset = depth + 1, True
        elif token == "]":
            depth = max(0, depth - 1)
        elif depth == 0:  # ">"
            return i, subset


def _drop_authorish(text: str) -> str:
    """Remove author-like elements; linear: tags are paired with a stack, never a regex."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    open_names: dict[str, int] = {}
    for match in _AUTHORISH.finditer(text):
        closing, name = match.group(1) == "/", match.group(2).lower()
        if match.group(0).endswith("/>") or (closing and not open_names.get(name)):
            spans.append(match.span())  # self-closing, or a stray closing tag
        elif not closing:
            stack.append((name, match.start()))
            open_names[name] = open_names.get(name, 0) + 1
        else:  # close the innermost open element of that name, and any left open inside it
            while True:
                top, start = stack.pop()
                open_names[top] -= 1
                if top == name:
                    break
            spans.append((start, match.end()))
    if not spans:
        return text
    out, last = [], 0
    for start, end in sorted(spans):
        if start >= last:  # nested spans lie inside one already removed
            out.append(text[last:start])
            last = end
    out.append(text[last:])
    return "".join(out)


# --------------------------------------------------------------------------- entries


def _entries(source: Source, raw: list[Any]) -> tuple[list[FeedEntry], list[str]]:
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    skipped = duplicates = future = 0
    now = datetime.now(UTC)
    for item in raw:
        entry, in_future = _entry(source, item, now)
        future += in_future
        if entry is None:
            skipped += 1
        elif entry.key in seen:
            duplicates += 1
        else:
            seen.add(entry.key)
            entries.append(entry)
    warnings = []
    if skipped:
        warnings.append(f"{skipped} entr(y/ies) without title, link or summary skipped")
    if duplicates:
        warnings.append(f"{duplicates} duplicate entr(y/ies) dropped")
    if future:
        warnings.append(
            f"{future} publication date(s) before {EARLIEST_YEAR} or in the future ignored"
        )
    if len(entries) > MAX_ENTRIES:
        warnings.append(f"{len(entries)} entries: only the first {MAX_ENTRIES} kept")
        entries = entries[:MAX_ENTRIES]
    return entries, warnings


def _entry(source: Source, item: Any, now: datetime) -> tuple[FeedEntry | None, bool]:
    title = _one_line(_text(item.get("title", ""), item.get("title_detail"), MAX_TITLE_CHARS))
    summary = _summary(item)
    guid = (item.get("id") or "").strip() or None
    link = _web_url(item.get("link"))
    hrefs = [x.get("href") for x in item.get("links", []) if isinstance(x, dict)]
    if link not in hrefs and not (guid and urls.looks_like_url(guid)):
        link = None  # feedparser made a "permalink" out of a GUID that is no URL
    if not (title or summary or link):
        return None, False
    if not title:
        title = _one_line(summary[:120]) or (link or "")
    published, in_future = _published(item, now)
    outlet = _outlet(item) or source.name
    key = urls.entry_key(guid, link, title, summary, scope=source.id)
    entry = FeedEntry(
        source_id=source.id,
        key=key,
        outlet=outlet,
        title=title,
        url=link,
        guid=guid,
        summary=summary,
        published=published,
    )
    return entry, in_future


def _text(value: Any, detail: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    kind = detail.get("type", "") if isinstance(detail, dict) else ""
    text = markup.html_to_text(value) if "html" in kind else markup.collapse(value)
    return text[:limit]


def _summary(item: Any) -> str:
    """The longer of the description and the full content (the fallback text of an article)."""
    candidates = [(item.get("summary", ""), item.get("summary_detail"))]
    candidates += [(c.get("value", ""), c) for c in item.get("content", []) if isinstance(c, dict)]
    texts = [_text(value, detail, MAX_SUMMARY_CHARS) for value, detail in candidates]
    return max(texts, key=len, default="")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _web_url(value: Any) -> str | None:
    if isinstance(value, str) and urls.is_web_url(value):
        return value.strip()
    return None


def _outlet(item: Any) -> str:
    """The original outlet of an aggregated item (the ``<source>`` element's title)."""
    origin = item.get("source")
    if not isinstance(origin, dict):
        return ""
    return _one_line(markup.collapse(str(origin.get("title", ""))))[:MAX_OUTLET_CHARS]


def _published(item: Any, now: datetime) -> tuple[datetime | None, bool]:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = item.get(key)
        if isinstance(value, time.struct_time):
            try:
                when = datetime(*value[:6], tzinfo=UTC)
            except (ValueError, OverflowError):
                continue
            if plausible_time(when, now) is None:  # 0001-01-01 defaults, far futures: unknown
                return None, True
            return when, False
    return None, False


def _why_empty(parsed: Any) -> str:
    if parsed.get("bozo"):
        return _describe(parsed.get("bozo_exception"))
    if parsed.get("version"):
        return f"a {parsed['version']} feed with no items"
    return "not an RSS or Atom feed"


def _describe(exc: Any) -> str:
    text = str(exc) if exc is not None else "unknown problem"
    return " ".join(text.split())[:200]
