"""Feed parsing: formats, encodings, outlets, dates, keys and canonical URLs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.models import FetchResult, Source
from monitor.sources import markup, urls
from monitor.sources.parse import ParsedFeed, parse_feed, parse_in_process, prepare
from monitor.sources.urls import canonical_url, entry_key

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
SOURCE = Source(id="src", url="https://feeds.example/rss", name="المصدر المهيأ")


def result(content: bytes, content_type: str = "application/rss+xml", **kw: object) -> FetchResult:
    url = str(kw.pop("url", SOURCE.url))
    return FetchResult(
        url=url,
        final_url=url,
        status=200,
        content=content,
        headers={"content-type": content_type},
        **kw,  # type: ignore[arg-type]
    )


def parse_file(name: str, content_type: str = "application/rss+xml") -> ParsedFeed:
    return parse_feed(SOURCE, result((FEEDS / name).read_bytes(), content_type))


# --------------------------------------------------------------------------- formats

FORMATS = [
    # file, entries, feed title, first entry title, first published (UTC), first key
    (
        "rss20.xml",
        3,
        "وكالة الرافدين للأنباء",
        "بغداد تعلن جدولاً لانسحاب قوات التحالف من قاعدة عين الأسد",
        "2024-09-10T05:30:00+00:00",
        "guid:src:rafidain-1001",
    ),
    (
        "atom.xml",
        2,
        "صحيفة الفرات",
        "واشنطن تؤكد انتهاء المهمة القتالية في العراق",
        "2024-09-10T03:15:00+00:00",
        "guid:src:tag:furat.example,2024:entry-77",
    ),
    (
        "rss10.rdf",
        1,
        "نشرة النهرين",
        "لجنة عسكرية مشتركة تجتمع في بغداد",
        "2024-09-08T09:00:00+00:00",
        "url:https://nahrain.example/a/5",
    ),
    (
        "rss091.xml",
        1,
        "مرصد الخليج",
        "قطر ترحب بالحوار الإقليمي",
        None,
        "url:https://khaleej.example/n/9",
    ),
    (
        "windows-1256.xml",
        2,
        "جريدة المدى العربية",
        "التحالف الدولي يسلم قاعدة التاجي إلى القوات العراقية",
        "2024-09-11T07:00:00+00:00",
        "guid:src:mada-5521",
    ),
]


@pytest.mark.parametrize(
    ("name", "count", "feed_title", "title", "published", "key"),
    FORMATS,
    ids=[f[0] for f in FORMATS],
)
def test_formats(
    name: str, count: int, feed_title: str, title: str, published: str | None, key: str
) -> None:
    parsed = parse_file(name)
    assert len(parsed.entries) == count
    assert parsed.title == feed_title
    assert parsed.warnings == ()
    first = parsed.entries[0]
    assert (first.title, first.key, first.source_id) == (title, key, SOURCE.id)
    if published is None:
        assert first.published is None
    else:
        assert first.published == datetime.fromisoformat(published)
        assert first.published.tzinfo is UTC


def test_rss_details_summary_outlet_and_links() -> None:
    first, second, third = parse_file("rss20.xml").entries
    # the longer of description and content:encoded, HTML stripped, one line per block
    assert first.summary.splitlines() == [
        "أعلنت الحكومة العراقية جدولاً زمنياً لانسحاب قوات التحالف الدولي من قاعدة عين الأسد في محافظة الأنبار.",
        "وقال متحدث حكومي إن المرحلة الأولى تنتهي في أيلول من العام المقبل.",
    ]
    assert first.outlet == SOURCE.name
    assert second.outlet == "قناة دجلة"  # the item's <source>: an aggregator feed
    assert second.summary == "استقبل وزير الدفاع وفداً عسكرياً & بحث معه التعاون الثنائي."
    assert second.key == "url:https://rafidain.example/news/1002"  # URL-valued GUID: a URL key
    assert third.url is None and third.key.startswith("hash:")


def test_atom_relative_link_html_title_and_source() -> None:
    first, second = parse_file("atom.xml").entries
    assert first.url == "https://feeds.example/articles/77"  # resolved against the final URL
    assert first.title == "واشنطن تؤكد انتهاء المهمة القتالية في العراق"  # markup removed
    assert second.outlet == "إذاعة كردستان"


def test_relative_links_resolve_against_the_final_url_after_redirects() -> None:
    content = (FEEDS / "atom.xml").read_bytes()
    moved = FetchResult(
        url=SOURCE.url,
        final_url="https://new.example/feeds/atom",
        status=200,
        content=content,
        headers={},
    )
    assert parse_feed(SOURCE, moved).entries[0].url == "https://new.example/articles/77"


def test_bozo_feed_with_entries_is_used_with_a_warning() -> None:
    parsed = parse_file("bozo.xml")
    assert [e.title for e in parsed.entries] == ["مصدر: الانسحاب من قاعدة حرير يكتمل خلال أسابيع"]
    assert any("not well-formed" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("not-a-feed.html", "syntax error"),
        ("empty-channel.xml", "no items"),
    ],
)
def test_a_feed_that_yields_nothing_is_a_parse_error(name: str, why: str) -> None:
    with pytest.raises(ParseError, match=f"parse: src: no entries .*{why}"):
        parse_file(name)


def test_not_modified_has_nothing_to_parse() -> None:
    parsed = parse_feed(SOURCE, result(b"", not_modified=True))
    assert parsed.entries == () and parsed.warnings == ()


# --------------------------------------------------------------------------- encodings

BASE = (FEEDS / "windows-1256.xml").read_bytes().decode("cp1256")
BODY = BASE.split("?>", 1)[1]
TITLE = "التحالف الدولي يسلم قاعدة التاجي إلى القوات العراقية"


def _encoded(declared: str | None, actual: str, bom: bytes = b"") -> bytes:
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else '<?xml version="1.0"?>'
    return bom + (decl + BODY).encode(actual)


ENCODINGS = [
    # id, bytes, HTTP charset, a warning that must appear (None: no warning)
    ("1256-declared", _encoded("windows-1256", "cp1256"), None, None),
    ("1256-http-charset", _encoded(None, "cp1256"), "windows-1256", None),
    ("1256-labelled-utf8", _encoded("utf-8", "cp1256"), None, "decoded as windows-1256"),
    ("1256-http-says-utf8", _encoded("windows-1256", "cp1256"), "utf-8", None),
    ("utf8-labelled-1256", _encoded("windows-1256", "utf-8"), None, "valid UTF-8"),
    ("utf8-http-says-1256", _encoded("utf-8", "utf-8"), "windows-1256", "valid UTF-8"),
    (
        "bom-contradicts",
        _encoded("windows-1256", "utf-8", b"\xef\xbb\xbf"),
        None,
        "byte-order mark",
    ),
    ("utf8-bom-on-1256", _encoded("windows-1256", "cp1256", b"\xef\xbb\xbf"), None, "not UTF-8"),
    ("utf16-bom", _encoded("utf-16", "utf-16"), None, None),
    ("1256-no-label", _encoded(None, "cp1256"), None, "windows-1256"),
    ("latin1-label-arabic", _encoded("iso-8859-1", "cp1256"), None, "reads as Arabic"),
    ("iso-8859-6", _encoded("iso-8859-6", "iso8859_6"), None, None),
]


@pytest.mark.parametrize(
    ("data", "charset", "warning"), [e[1:] for e in ENCODINGS], ids=[e[0] for e in ENCODINGS]
)
def test_encodings_give_correct_arabic_or_a_warning(
    data: bytes, charset: str | None, warning: str | None
) -> None:
    content_type = "application/rss+xml" + (f"; charset={charset}" if charset else "")
    parsed = parse_feed(SOURCE, result(data, content_type))
    assert parsed.entries[0].title == TITLE
    assert parsed.title == "جريدة المدى العربية"
    if warning is None:
        assert parsed.warnings == ()
    else:
        assert any(warning in w for w in parsed.warnings), parsed.warnings


def test_one_invalid_byte_is_replaced_with_a_warning() -> None:
    good = _encoded("utf-8", "utf-8")
    data = good.replace("قاعدة التاجي".encode(), "قاعدة".encode() + b"\xff" + " التاجي".encode(), 1)
    parsed = parse_feed(SOURCE, result(data))
    assert parsed.entries[0].title == TITLE.replace("قاعدة", "قاعدة\ufffd", 1)
    assert any("1 invalid UTF-8" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("data", "declared", "encoding"),
    [
        (b"plain ascii", ["windows-1256"], "ascii"),
        ("نص".encode(), ["windows-1256"], "utf-8"),
        ("نص".encode("cp1256"), [None, "utf-8"], "cp1256"),
        ("نص".encode("cp1256"), ["no-such-charset"], "cp1256"),
        (b"\xff\xfe" + "نص".encode("utf-16-le"), [], "utf-16-le"),
    ],
    ids=["ascii", "utf8-over-label", "1256-fallback", "unknown-label", "utf16le-bom"],
)
def test_decode_document(data: bytes, declared: list[str | None], encoding: str) -> None:
    decoded = markup.decode_document(data, declared)
    assert decoded.encoding == encoding
    assert decoded.text in ("plain ascii", "نص")


def test_prepare_hands_feedparser_utf8_with_a_matching_declaration() -> None:
    data, warnings = prepare(_encoded("windows-1256", "cp1256"), "text/xml; charset=windows-1256")
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<rss')
    assert TITLE.encode() in data and warnings == []


# --------------------------------------------------------------------------- entries


def _rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


def test_duplicates_links_and_future_dates() -> None:
    items = (
        "<item><title>أ</title><guid>g1</guid><link>javascript:alert(1)</link></item>"
        "<item><title>أ مكرر</title><guid>g1</guid></item>"
        "<item><title>ب</title><link>https://x.example/b</link>"
        "<pubDate>Sat, 01 Jan 2099 00:00:00 GMT</pubDate></item>"
        "<item><description>   </description></item>"
    )
    parsed = parse_feed(SOURCE, result(_rss(items)))
    assert [(e.title, e.url, e.published) for e in parsed.entries] == [
        ("أ", None, None),
        ("ب", "https://x.example/b", None),
    ]
    assert any("duplicate" in w for w in parsed.warnings)
    assert any("future" in w for w in parsed.warnings)
    assert any("skipped" in w for w in parsed.warnings)


def test_an_entry_without_title_takes_the_start_of_its_summary() -> None:
    parsed = parse_feed(
        SOURCE, result(_rss("<item><description>نص الخبر كاملاً</description></item>"))
    )
    assert parsed.entries[0].title == "نص الخبر كاملاً"


def test_sandboxed_and_in_process_parses_agree() -> None:
    data = result((FEEDS / "rss20.xml").read_bytes())
    assert parse_feed(SOURCE, data) == parse_in_process(SOURCE, data)


# --------------------------------------------------------------------------- URLs and keys

CANONICAL = [
    ("HTTP://Example.COM:80/a?b=2&a=1#top", "http://example.com/a?a=1&b=2"),
    ("https://example.com:443", "https://example.com/"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://ex.com/n?utm_source=rss&utm_medium=x&id=5", "https://ex.com/n?id=5"),
    ("https://ex.com/n?fbclid=1&gclid=2&igshid=3&mc_cid=4&mc_eid=5&_ga=6", "https://ex.com/n"),
    ("https://ex.com/n?ref=home&ref_src=twsrc", "https://ex.com/n"),
    (
        "https://ex.com/أخبار/انسحاب",
        "https://ex.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%A7%D9%86%D8%B3%D8%AD%D8%A7%D8%A8",
    ),
    (
        "https://ex.com/%d8%a3%d8%ae%d8%a8%d8%a7%d8%b1/%d8%a7%d9%86%d8%b3%d8%ad%d8%a7%d8%a8",
        "https://ex.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%A7%D9%86%D8%B3%D8%AD%D8%A7%D8%A8",
    ),
    ("https://ex.com/%7euser/a%2Fb", "https://ex.com/~user/a%2Fb"),
    ("https://ex.com/s?q=a+b&q=c", "https://ex.com/s?q=a%20b&q=c"),
    ("https://EX.com./x", "https://ex.com/x"),
    ("mailto:someone@example.com", "mailto:someone@example.com"),
    ("  not a url ", "not a url"),
]


@pytest.mark.parametrize(("url", "canonical"), CANONICAL, ids=[c[0][:40] for c in CANONICAL])
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


KEYS = [
    ("stable-guid", "article-1234", "https://x.example/a", "t", "s", "guid:article-1234"),
    ("tag-uri-guid", "tag:x.example,2024:1", None, "t", "s", "guid:tag:x.example,2024:1"),
    ("url-guid-uses-link", "https://x.example/a?utm_source=1", "https://x.example/a", "t", "s",
     "url:https://x.example/a"),
    ("url-guid-no-link", "https://X.example/b?ref=rss#c", None, "t", "s", "url:https://x.example/b"),
    ("empty-guid", "  ", "https://x.example/c?fbclid=9", "t", "s", "url:https://x.example/c"),
    ("no-guid-no-url", None, None, "عنوان", "ملخص", "hash:"),
    ("non-web-link", None, "javascript:void(0)", "عنوان", "ملخص", "hash:"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("guid", "url", "title", "summary", "expected"), [k[1:] for k in KEYS], ids=[k[0] for k in KEYS]
)
def test_entry_key(
    guid: str | None, url: str | None, title: str, summary: str, expected: str
) -> None:
    key = entry_key(guid, url, title, summary)
    assert key.startswith(expected) if expected == "hash:" else key == expected


def test_content_hash_keys_ignore_diacritics_and_spacing() -> None:
    plain = entry_key(None, None, "انسحاب القوات", "خبر")
    marked = entry_key(None, None, "انْسِحَاب  القوّات ", " خبر")
    assert plain == marked and plain != entry_key(None, None, "انسحاب القوات", "خبر آخر")


def test_long_keys_are_hashed() -> None:
    key = entry_key("g" * 5000, None, "t", "s")
    assert key.startswith("guid:sha256:") and len(key) < 100


def test_guid_and_hash_keys_are_scoped_to_their_feed() -> None:
    # Two feeds may both number their items "1001"; the same URL in two feeds is one article.
    assert urls.entry_key("1001", None, "t", "s", scope="a") != urls.entry_key(
        "1001", None, "t", "s", scope="b"
    )
    assert urls.entry_key(None, None, "t", "s", scope="a").startswith("hash:a:")
    url = "https://x.example/news/1?utm_source=rss"
    assert urls.entry_key(None, url, "t", "s", scope="a") == urls.entry_key(
        None, url, "t", "s", scope="b"
    )
