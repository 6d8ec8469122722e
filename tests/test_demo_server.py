"""The bundled demo site: real server on 127.0.0.1, fetched with httpx, parsed with feedparser."""

from __future__ import annotations

import html
import io
import itertools
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx
import pytest

from monitor.demo.server import DemoSite, serve_demo

DEMO = resources.files("monitor") / "demo"
MANIFEST: dict[str, Any] = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
FEEDS = {f["id"]: f for f in MANIFEST["feeds"]}
ITEMS = MANIFEST["items"]


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with serve_demo() as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


@pytest.fixture(scope="module")
def fetched(site: DemoSite, client: httpx.Client) -> dict[str, tuple[httpx.Response, Any]]:
    """Each feed's response and its feedparser result (bytes + headers, as the fetcher does)."""
    out = {}
    for feed in site.feeds:
        response = client.get(feed.url)
        parsed = feedparser.parse(
            io.BytesIO(response.content), response_headers=dict(response.headers)
        )
        out[feed.id] = (response, parsed)
    return out


def test_site_lists_three_outlets_with_short_ascii_ids(site: DemoSite) -> None:
    assert len(site.feeds) >= 3
    assert {f.id for f in site.feeds} == set(FEEDS)
    for feed in site.feeds:
        assert re.fullmatch(r"[a-z][a-z0-9_-]{1,15}", feed.id)
        assert feed.url.startswith(site.base_url + "/")
        assert feed.name == FEEDS[feed.id]["name"]
    assert site.base_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    ("feed_id", "version", "content_type", "encoding"),
    [
        ("rafidain", "rss20", "application/rss+xml; charset=utf-8", "utf-8"),
        ("khaleej", "atom10", "application/atom+xml; charset=utf-8", "utf-8"),
        ("mashriq", "rss20", "application/rss+xml; charset=windows-1256", "windows-1256"),
    ],
    ids=["rss2-utf8", "atom", "rss2-cp1256"],
)
def test_feed_format_and_encoding(
    fetched: dict[str, tuple[httpx.Response, Any]],
    feed_id: str,
    version: str,
    content_type: str,
    encoding: str,
) -> None:
    response, parsed = fetched[feed_id]
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert parsed.version == version
    assert parsed.encoding.lower() == encoding
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) >= 5


def test_cp1256_feed_is_really_cp1256(fetched: dict[str, tuple[httpx.Response, Any]]) -> None:
    response, parsed = fetched["mashriq"]
    raw = response.content
    assert raw.startswith(b'<?xml version="1.0" encoding="windows-1256"?>')
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1256")
    titles = [i["title"] for i in ITEMS if i["feed"] == "mashriq"]
    assert all(t in text for t in titles)
    assert [e.title for e in parsed.entries] == titles  # decoded Arabic, in feed order


def test_demo_has_fifteen_items_or_more(fetched: dict[str, tuple[httpx.Response, Any]]) -> None:
    assert sum(len(parsed.entries) for _, parsed in fetched.values()) >= 15
    assert len(ITEMS) >= 15


@pytest.mark.parametrize("feed_id", sorted(FEEDS), ids=sorted(FEEDS))
def test_manifest_matches_feed(
    site: DemoSite, fetched: dict[str, tuple[httpx.Response, Any]], feed_id: str
) -> None:
    _, parsed = fetched[feed_id]
    expected = [i for i in ITEMS if i["feed"] == feed_id]
    assert [urlsplit(e.link).path for e in parsed.entries] == [i["path"] for i in expected]
    for entry, item in zip(parsed.entries, expected, strict=True):
        assert entry.link.startswith(site.base_url + "/")
        assert entry.title == item["title"]
        published = datetime.fromisoformat(item["published"])
        if item["date_in_feed"]:
            assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == published
        else:
            assert "published_parsed" not in entry


def test_rss_weekday_names_match_their_dates() -> None:
    for feed in FEEDS.values():
        text = (DEMO / feed["file"]).read_text(encoding="utf-8")
        for stamp in re.findall(r"<(?:pubDate|lastBuildDate)>([^<]+)<", text):
            assert format_datetime(parsedate_to_datetime(stamp))[:3] == stamp[:3], stamp


@pytest.mark.parametrize("item", ITEMS, ids=[i["id"] for i in ITEMS])
def test_every_item_has_a_page(site: DemoSite, client: httpx.Client, item: dict[str, Any]) -> None:
    response = client.get(site.base_url + item["path"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert html.escape(item["title"]) in page
    assert re.search(rf'<time[^>]* datetime="{re.escape(item["published"])}"', page)
    assert f'content="{item["published"]}"' in page  # meta published time
    furniture = ("الرئيسية", "أيضاً", "التعليقات (0)", "اترك تعليقاً", "شارك", "جميع الحقوق محفوظة")
    for text in furniture:
        assert text in page


@pytest.mark.parametrize(
    "path",
    ["/rafidain/rss.xml", "/khaleej/atom.xml", "/mashriq/feed.rss", "/rafidain/news/78342"],
    ids=["rss", "atom", "cp1256", "page"],
)
def test_conditional_get(site: DemoSite, client: httpx.Client, path: str) -> None:
    url = site.base_url + path
    first = client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]

    by_etag = client.get(url, headers={"If-None-Match": etag})
    assert (by_etag.status_code, by_etag.content) == (304, b"")
    assert by_etag.headers["etag"] == etag

    by_date = client.get(url, headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304

    stale = {"If-None-Match": '"not-this-one"', "If-Modified-Since": modified}
    assert client.get(url, headers=stale).status_code == 200  # ETag decides when present
    older = {"If-Modified-Since": "Thu, 01 Jan 2015 00:00:00 GMT"}
    assert client.get(url, headers=older).content == first.content


def test_unknown_path_is_404(site: DemoSite, client: httpx.Client) -> None:
    assert client.get(site.base_url + "/nowhere").status_code == 404


def test_server_stops_on_exit() -> None:
    with serve_demo() as running:
        url = running.feeds[0].url
        assert httpx.get(url).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_site_items_follow_the_manifest(site: DemoSite) -> None:
    assert [i.id for i in site.items] == [i["id"] for i in ITEMS]
    for got, raw in zip(site.items, ITEMS, strict=True):
        assert got.url == site.base_url + raw["path"]
        assert got.published == datetime.fromisoformat(raw["published"])
        assert (got.relevant, got.story, got.intent) == (
            raw["relevant"],
            raw["story"],
            raw["intent"],
        )


def test_demo_covers_every_case_the_issue_asks_for() -> None:
    intents = {i["intent"] for i in ITEMS}
    assert {
        "completed",
        "conflicting",
        "new",
        "consistent",
        "offtopic-syria",
        "offtopic-factions",
        "offtopic-electoral",
        "offtopic-foreign",
        "unrelated",
    } <= intents
    for item in ITEMS:
        assert item["relevant"] == (not item["intent"].startswith(("offtopic", "unrelated")))
        day = datetime.fromisoformat(item["published"]).date()
        start, end = (date.fromisoformat(d) for d in MANIFEST["window"])
        assert start <= day <= end, item["id"]
    outlets_per_story: dict[str, set[str]] = {}
    for item in ITEMS:
        outlets_per_story.setdefault(item["story"], set()).add(item["feed"])
    assert max(len(o) for o in outlets_per_story.values()) >= 3


def _shingles(text: str, n: int = 5) -> set[str]:
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
    return {plain[i : i + n] for i in range(len(plain) - n + 1)}


def test_the_shared_story_is_worded_differently_by_each_outlet() -> None:
    copies = [i for i in ITEMS if i["story"] == "phase-one-complete"]
    bodies = [_shingles((DEMO / i["body"]).read_text(encoding="utf-8")) for i in copies]
    for a, b in itertools.combinations(bodies, 2):
        assert len(a & b) / len(a | b) < 0.35  # independent wording, not one wire copy
