"""Big feeds: every item's key, read cheaply, so that only the new items are parsed in full.

feedparser spends 100-400 µs per item: a 50,000-item feed cost 6-11 s a poll, and only its first
``MAX_ENTRIES`` items were kept, so a feed listed oldest first never showed its new items (issue
13). A feed with more items than that is read once with lxml instead (recovering from errors,
no entities, no network): ``scan`` gives each item's key as ``urls.entry_key`` computes it from
the GUID and the link (None when the item has neither: it is always a candidate), its title
and link, and its own XML. The pipeline looks the keys up; ``choose`` takes the unknown items
first (from the feed's newest end when there are more than the limit), then known ones
(edits in place) up to the limit; ``document`` puts the chosen items back into the feed's own shell (root and channel,
with their namespaces and ``xml:base``) for feedparser, which then sees a small feed.

The key of an item whose GUID or link feedparser reads differently (a relative link resolved
against the feed's address, say) may differ from the one the full parse gives: such an item
only looks new here and is parsed again; the full parse's key decides what is new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from feedparser import urls as feedparser_urls
from lxml import etree  # type: ignore[import-untyped]

from monitor.models import FeedEntry, Source
from monitor.sources import urls
from monitor.timebounds import plausible_time

MAX_TITLE_CHARS = 300
_ITEM_TAGS = ("{*}item", "{*}entry")
_MARK = "monitor-items-go-here"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_FIELD_OF = {"guid": "guid", "id": "guid", "link": "link", "title": "title", "pubdate": "date",
             "published": "date", "updated": "date", "date": "date"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FeedScan:
    """What the scan of a big feed found, item by item in feed order (parallel tuples)."""

    keys: tuple[str | None, ...]
    titles: tuple[str, ...]
    links: tuple[str | None, ...]
    guids: tuple[str | None, ...]
    dates: tuple[str, ...]  # the raw date text, parsed only for the items that need ordering
    xml: tuple[bytes, ...]
    head: bytes  # the feed up to where its items were
    tail: bytes  # and after them


def scan(data: bytes, scope: str, base_url: str) -> FeedScan | None:
    """Scan a prepared (UTF-8, cleaned) feed fetched from ``base_url``; None when lxml finds
    no item in it."""
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser, base_url=base_url)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    items = list(root.iter(*_ITEM_TAGS))
    if not items:
        return None
    keys, titles, links, guids, dates, xml = [], [], [], [], [], []
    kinds: dict[str, str] = {}
    for item in items:
        guid, link, title, date, permalink = _fields(item, kinds)
        guid, link = (_absolute(item, guid) if permalink else guid), _absolute(item, link)
        keys.append(urls.entry_key(guid, link, "", "", scope=scope) if guid or link else None)
        titles.append(title)
        links.append(link if link and urls.is_web_url(link) else None)
        guids.append(guid)
        dates.append(date)
        xml.append(etree.tostring(item, encoding="utf-8", with_tail=False))
    head, tail = _shell(root, items)
    return FeedScan(
        tuple(keys), tuple(titles), tuple(links), tuple(guids), tuple(dates), tuple(xml), head, tail
    )


def _fields(item: Any, kinds: dict[str, str]) -> tuple[str | None, str | None, str, str, bool]:
    """GUID, link, title and date text of one item (RSS 0.9x/1.0/2.0 or Atom), and whether
    the GUID is a permalink (feedparser resolves it against the base then). ``kinds`` caches
    what each tag is (50,000 items share a handful of tags)."""
    guid = link = None
    title = date = ""
    permalink = True
    for child in item:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # a comment or processing instruction
        kind = kinds.get(tag)
        if kind is None:
            kind = kinds[tag] = _FIELD_OF.get(tag.rsplit("}", 1)[-1].lower(), "")
        if not kind:
            continue
        if kind == "guid" and guid is None:
            guid = (child.text or "").strip() or None
            permalink = child.get("isPermaLink", "true").strip().lower() != "false"
        elif kind == "link" and link is None and child.get("rel", "alternate") == "alternate":
            link = (child.get("href") or child.text or "").strip() or None
        elif kind == "title" and not title:
            text = child.text or "" if len(child) == 0 else "".join(child.itertext())
            title = " ".join(text.split())[:MAX_TITLE_CHARS]
        elif kind == "date" and not date:
            date = (child.text or "").strip()[:64]
    about = item.get(_RDF_ABOUT)
    return guid or about, link, title, date, permalink


def _absolute(item: Any, value: str | None) -> str | None:
    """``value`` resolved against the item's base as feedparser resolves links and ids (so the
    key read here is the key the full parse gives); plain absolute URLs need no work."""
    if not value or urls.is_plain_url(value) or _SCHEME.match(value):
        return value  # absolute already (feedparser keeps tag: and urn: ids as they are)
    return feedparser_urls.make_safe_absolute_uri(item.base or "", value) or None


def _shell(root: Any, items: list[Any]) -> tuple[bytes, bytes]:
    """The feed without its items, split where they stood (the first item's place)."""
    parent = items[0].getparent()
    assert parent is not None  # an item is never the root: iter() found it below the root
    mark = etree.Comment(_MARK)
    parent.insert(parent.index(items[0]), mark)
    for item in items:
        container = item.getparent()
        if container is not None:
            container.remove(item)
    text = etree.tostring(root, encoding="utf-8")
    head, _, tail = text.partition(f"<!--{_MARK}-->".encode())
    return head, tail


def choose(found: FeedScan, known: set[str], limit: int) -> list[int]:
    """The items to parse in full, in feed order: the unknown ones (from the newest end of the
    feed when they are more than ``limit``), then known ones from the top (to notice edits)."""
    unknown = [i for i, k in enumerate(found.keys) if k is None or k not in known]
    if len(unknown) > limit:
        unknown = unknown[-limit:] if _oldest_first(found) else unknown[:limit]
    taken = set(unknown)
    room = limit - len(taken)
    fill = [i for i in range(len(found.keys)) if i not in taken][:room] if room > 0 else []
    return sorted(taken | set(fill))


def _oldest_first(found: FeedScan) -> bool:
    """Whether the feed lists its items oldest first, judged by the dates at its two ends
    (parsing 50,000 dates to sort them would cost more than the rest of the scan)."""
    ends = 20
    head = [d for d in map(_parse_date, found.dates[:ends]) if d]
    tail = [d for d in map(_parse_date, found.dates[-ends:]) if d]
    return bool(head and tail) and max(tail) > max(head)


def _parse_date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return plausible_time(when)


def entry(found: FeedScan, index: int, source: Source) -> FeedEntry:
    """An item that was not parsed, as far as the scan read it (to record it as seen)."""
    key = found.keys[index]
    assert key is not None  # only items with a key can be recorded
    title = found.titles[index] or found.links[index] or key
    return FeedEntry(
        source_id=source.id,
        key=key,
        outlet=source.name,
        title=title,
        url=found.links[index],
        guid=found.guids[index],
    )


def document(found: FeedScan, chosen: Sequence[int]) -> bytes:
    """A feed of the chosen items in the original's shell (UTF-8 XML)."""
    return found.head + b"".join(found.xml[i] for i in chosen) + found.tail
