"""Article extraction: golden Arabic pages, the fallback order, page dates and charsets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.models import FeedEntry, FetchResult
from monitor.sources import markup
from monitor.sources.extract import (
    content_hash,
    decode_page,
    extract_article,
    extract_main_text,
    page_published,
    parse_datetime,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://news.example/article/1"
ENTRY = FeedEntry(
    source_id="src",
    key="url:" + URL,
    outlet="وكالة الاختبار",
    title="عنوان الخبر في الخلاصة",
    url=URL,
    summary="ملخص الخبر كما ورد في الخلاصة.",
)


def page(content: bytes | str, content_type: str = "text/html", status: int = 200) -> FetchResult:
    data = content.encode() if isinstance(content, str) else content
    return FetchResult(
        url=URL, final_url=URL, status=status, content=data, headers={"content-type": content_type}
    )


# --------------------------------------------------------------------------- golden pages

GOLDEN = [
    # page, selector, text source, published (from the page's metadata)
    ("agency-article", None, "trafilatura", "2024-09-10T05:30:00+00:00"),  # article:published_time
    ("jsonld-story", ".story-body", "selector", "2024-09-09T16:45:00+00:00"),  # JSON-LD @graph
    ("windows-1256-page", None, "trafilatura", "2024-09-11T07:00:00+00:00"),  # <time datetime>
]


@pytest.mark.parametrize(
    ("name", "selector", "source", "published"), GOLDEN, ids=[g[0] for g in GOLDEN]
)
def test_golden_pages(name: str, selector: str | None, source: str, published: str) -> None:
    html = (PAGES / f"{name}.html").read_bytes()
    expected = (PAGES / f"{name}.expected.txt").read_text(encoding="utf-8").strip()
    article = extract_article(ENTRY, page(html), selector)
    assert article.text == expected
    assert article.text_source == source
    assert (article.published, article.published_source) == (
        datetime.fromisoformat(published),
        "page",
    )
    assert article.title == ENTRY.title and article.entry is ENTRY
    assert article.content_hash == content_hash(expected)


@pytest.mark.parametrize("name", [g[0] for g in GOLDEN])
def test_golden_pages_keep_page_furniture_out(name: str) -> None:
    text = extract_article(ENTRY, page((PAGES / f"{name}.html").read_bytes()), None).text
    for furniture in ("اقرأ أيضاً", "التعليقات", "جميع الحقوق", "الأكثر قراءة", "تسجيل الدخول",
                      "اشترك", "الرئيسية", "حقوق النشر", "ارتفاع أسعار الذهب"):  # fmt: skip
        assert furniture not in text


def test_selector_without_a_match_falls_back_to_trafilatura() -> None:
    html = (PAGES / "agency-article.html").read_bytes()
    article = extract_article(ENTRY, page(html), "div.no-such-class")
    assert article.text_source == "trafilatura"
    assert article.text == (PAGES / "agency-article.expected.txt").read_text().strip()


@pytest.mark.parametrize("selector", ["div[", "::nonsense", ">>>"])
def test_an_invalid_selector_does_not_crash(selector: str) -> None:
    html = (PAGES / "agency-article.html").read_bytes()
    assert extract_article(ENTRY, page(html), selector).text_source == "trafilatura"


# --------------------------------------------------------------------------- fallbacks

NO_TEXT = "<html><body><nav><a href='/'>الرئيسية</a></nav><p>صورة اليوم</p></body></html>"
EMPTY_BODY = "<html><head><title>بلا نص</title></head><body><script>x()</script></body></html>"


@pytest.mark.parametrize(
    "fetched",
    [
        None,
        page(NO_TEXT),
        page(b"", status=200),
        page(b"\x89PNG\r\n\x1a\n...", content_type="image/png"),
        page("<html></html>", status=404),
        FetchResult(URL, URL, 304, b"", not_modified=True),
    ],
    ids=["no-page", "no-main-text", "empty-body", "not-html", "error-status", "not-modified"],
)
def test_summary_is_the_fallback(fetched: FetchResult | None) -> None:
    at = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    article = extract_article(ENTRY, fetched, None, fetched_at=at)
    assert (article.text, article.text_source) == (ENTRY.summary, "summary")
    assert (article.published, article.published_source) == (at, "fetched")
    assert article.dated is None


def test_a_date_in_the_text_is_never_the_publication_time() -> None:
    body = (
        "<html><body><article><h1>عودة إلى الماضي</h1>"
        + "<p>دخلت القوات الأمريكية العراق عام 2003 وانسحبت منه عام 2011، ثم عادت في 2014 "
        "ضمن التحالف الدولي لمحاربة داعش بعد سقوط الموصل بأسابيع قليلة.</p>"
        * 6
        + "</article></body></html>"
    )
    at = datetime(2025, 9, 2, 12, 0, tzinfo=UTC)
    article = extract_article(ENTRY, page(body), None, fetched_at=at)
    assert article.text_source == "trafilatura"
    assert (article.published, article.published_source) == (at, "fetched")


def test_title_is_the_fallback_of_an_empty_summary() -> None:
    entry = FeedEntry("src", "k", "o", "عنوان فقط", url=None, summary="")
    assert extract_article(entry, None, None).text == "عنوان فقط"


def test_the_feed_date_wins_over_the_page() -> None:
    when = datetime(2024, 9, 1, 6, 0, tzinfo=UTC)
    entry = FeedEntry("src", "k", "o", "t", url=URL, summary="s", published=when)
    article = extract_article(entry, page((PAGES / "agency-article.html").read_bytes()), None)
    assert (article.published, article.published_source) == (when, "feed")


def test_extract_main_text_for_analyze() -> None:
    html = (PAGES / "jsonld-story.html").read_text(encoding="utf-8")
    text = extract_main_text(html, url=URL)
    assert text is not None and text.startswith("واشنطن: لا قوات قتالية")
    assert extract_main_text(html, selector=".story-body") == (
        (PAGES / "jsonld-story.expected.txt").read_text().strip()
    )
    assert extract_main_text(EMPTY_BODY) is None


def test_content_hash_ignores_diacritics_and_spacing() -> None:
    assert content_hash("انسحاب  القوات\n") == content_hash("انْسِحَابُ القوّات")
    assert content_hash("انسحاب القوات") != content_hash("انسحاب القوات من بغداد")


# --------------------------------------------------------------------------- charsets

ARABIC_PAGE = "<html><head>{meta}</head><body><p>{text}</p></body></html>"
TEXT = "قالت وزارة الدفاع إن القوات غادرت القاعدة صباح اليوم وفق الجدول المعلن سابقاً. " * 5


@pytest.mark.parametrize(
    ("meta", "header_charset", "encoding"),
    [
        ('<meta charset="windows-1256">', None, "cp1256"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
            None,
            "cp1256",
        ),
        ("", "windows-1256", "cp1256"),
        ('<meta charset="utf-8">', None, "cp1256"),  # windows-1256 labelled UTF-8
        ('<meta charset="windows-1256">', None, "utf-8"),  # UTF-8 labelled windows-1256
        ("", None, "utf-8"),
    ],
    ids=[
        "meta-charset",
        "meta-http-equiv",
        "header",
        "1256-labelled-utf8",
        "utf8-labelled-1256",
        "none",
    ],
)
def test_pages_are_decoded_with_their_real_charset(
    meta: str, header_charset: str | None, encoding: str
) -> None:
    data = ARABIC_PAGE.format(meta=meta, text=TEXT).encode(encoding)
    content_type = "text/html" + (f"; charset={header_charset}" if header_charset else "")
    html = decode_page(page(data, content_type))
    assert html is not None and TEXT.strip() in html


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1256", "utf-16"])
@pytest.mark.parametrize("bad", ["", "\x00", "\x0b", "\x1f", "\ufffe", "\uffff"])
def test_characters_xml_forbids_leave_the_page_whatever_its_charset(
    encoding: str, bad: str
) -> None:
    # a UTF-8 page is checked by its bytes first (a control character is a control byte)
    text = TEXT.replace("وزارة", f"وزا{bad}رة", 1)
    if encoding == "cp1256" and bad in ("\ufffe", "\uffff"):
        return  # not in that charset
    html = decode_page(page(ARABIC_PAGE.format(meta="", text=text).encode(encoding)))
    assert html is not None and TEXT.strip() in html
    assert not any(c in html for c in "\x00\x0b\x1f\ufffe\uffff")
    assert "\t" in markup.strip_controls("a\tb\r\n", b"a\tb\r\n")[0]


def test_xhtml_with_an_xml_declaration_is_parsed() -> None:
    data = ('<?xml version="1.0" encoding="utf-8"?>\n' + ARABIC_PAGE).format(
        meta='<meta property="article:published_time" content="2024-09-10T08:30:00Z"/>', text=TEXT
    )
    article = extract_article(ENTRY, page(data, "application/xhtml+xml"), None)
    assert article.published_source == "page" and "وزارة الدفاع" in article.text


# --------------------------------------------------------------------------- page dates

DATED = [
    ('<meta property="article:published_time" content="2024-09-10T08:30:00+03:00">', "2024-09-10T05:30:00+00:00"),
    ('<meta name="pubdate" content="2024-09-10T08:30:00Z">', "2024-09-10T08:30:00+00:00"),
    ('<meta itemprop="datePublished" content="2024-09-10">', "2024-09-10T00:00:00+00:00"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-09-10T08:30:00+03:00"}</script>',
     "2024-09-10T05:30:00+00:00"),
    ('<script type="application/ld+json">[{"@type": "Organization"}, {"@type": ["NewsArticle"], "datePublished": "2024-09-09T10:00:00Z"}]</script>',
     "2024-09-09T10:00:00+00:00"),
    ('<script type="application/ld+json">{not json</script><article><time datetime="2024-09-08T10:00:00+03:00">أمس</time></article>',
     "2024-09-08T07:00:00+00:00"),
    ('<aside><time datetime="2020-01-01T00:00:00Z">قديم</time></aside><article><time datetime="2024-09-08T10:00">x</time></article>',
     "2024-09-08T10:00:00+00:00"),
    ('<meta property="article:published_time" content="2999-01-01T00:00:00Z"><time datetime="2024-09-07T00:00:00Z">x</time>',
     "2024-09-07T00:00:00+00:00"),
    ('<meta name="pubdate" content="Tue, 10 Sep 2024 08:30:00 +0300">', "2024-09-10T05:30:00+00:00"),
    ('<time datetime="yesterday">أمس</time>', None),
    ("", None),
]  # fmt: skip


@pytest.mark.parametrize(("markup", "expected"), DATED, ids=[str(i) for i in range(len(DATED))])
def test_page_published(markup: str, expected: str | None) -> None:
    html = f"<html><head></head><body>{markup}<p>نص</p></body></html>"
    when = page_published(html)
    assert when == (datetime.fromisoformat(expected) if expected else None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-09-10T08:30:00Z", "2024-09-10T08:30:00+00:00"),
        ("2024-09-10 08:30", "2024-09-10T08:30:00+00:00"),
        ("2024-09-10", "2024-09-10T00:00:00+00:00"),
        ("1970-01-01T00:00:00Z", None),
        ("not a date", None),
        ("9" * 500, None),
    ],
)
def test_parse_datetime(value: str, expected: str | None) -> None:
    assert parse_datetime(value) == (datetime.fromisoformat(expected) if expected else None)
