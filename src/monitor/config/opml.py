"""``monitor sources import FILE.opml``: a feed reader's export as ``[[sources]]`` tables.

OPML 1.0/2.0 as feed readers write it: ``<outline>`` elements with an ``xmlUrl`` (the feed)
and ``text`` or ``title`` (its name), possibly nested in folder outlines, which become a
comment. Each feed gets an id made of ASCII letters and digits from its name, else from its
host (Arabic names are common), made unique with a number. A feed listed twice is printed once;
a URL that is not http(s) is printed as a comment, not as a source the config would refuse.

The XML is read with the standard library's expat parser, which resolves no external entity
and refuses entity expansion bombs; a file that is not OPML is one ``InputError`` naming it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from monitor.errors import InputError

_NOT_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed of an OPML list."""

    name: str
    url: str
    folder: str = ""


def read_opml(path: Path) -> list[OpmlFeed]:
    """The feeds of an OPML file, in document order.

    Raises:
        InputError: the file cannot be read, is not well-formed XML, or is not OPML.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(f"{path}: not OPML: bad XML at line {line}, column {column + 1}") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise InputError(f"{path}: not OPML: no <opml> document with a <body>")
    feeds: list[OpmlFeed] = []
    _walk(body, "", feeds)
    if not feeds:
        raise InputError(f"{path}: no feeds: no <outline> has an xmlUrl")
    return feeds


def _walk(node: ET.Element, folder: str, feeds: list[OpmlFeed]) -> None:
    for outline in node.findall("outline"):
        name = _clean(outline.get("text") or outline.get("title") or "")
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            feeds.append(OpmlFeed(name, url, folder))
        else:  # a folder
            _walk(outline, f"{folder} / {name}" if folder and name else folder or name, feeds)


def sources_toml(feeds: list[OpmlFeed], origin: str) -> str:
    """``[[sources]]`` tables for ``feeds``, ready to paste into ``monitor.toml``."""
    lines = [f"# {len(feeds)} feeds imported from {origin}: check each, then paste"]
    used: set[str] = set()
    seen_urls: set[str] = set()
    folder = None
    for feed in feeds:
        if feed.url in seen_urls:
            continue
        seen_urls.add(feed.url)
        if feed.folder != folder and feed.folder:
            lines += ["", f"# {feed.folder}"]
        folder = feed.folder
        if urlsplit(feed.url).scheme not in ("http", "https"):
            lines += ["", f"# skipped, not an http(s) URL: {_one_line(feed.url)}"]
            continue
        sid = _unique(_source_id(feed), used)
        lines += [
            "",
            "[[sources]]",
            f"id = {_toml_string(sid)}",
            f"name = {_toml_string(feed.name or sid)}",
            f"url = {_toml_string(feed.url)}",
        ]
    return "\n".join(lines) + "\n"


def _source_id(feed: OpmlFeed) -> str:
    """ASCII from the name, else from the host without ``www.`` and the top-level domain."""
    from_name = _NOT_ID.sub("-", feed.name.lower()).strip("-")
    if from_name:
        return from_name[:40].strip("-")
    host = (urlsplit(feed.url).hostname or "").removeprefix("www.")
    parts = host.split(".")
    return _NOT_ID.sub("-", "-".join(parts[:-1] or parts)).strip("-") or "source"


def _unique(sid: str, used: set[str]) -> str:
    candidate, n = sid, 2
    while candidate in used:
        candidate, n = f"{sid}-{n}", n + 1
    used.add(candidate)
    return candidate


def _clean(text: str) -> str:
    return " ".join(text.split())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _toml_string(text: str) -> str:
    # A JSON string is a valid TOML basic string: the same quotes and escapes (\" \\ \n \uXXXX).
    return json.dumps(text, ensure_ascii=False)
