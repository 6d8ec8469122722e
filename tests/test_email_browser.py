"""The HTML email as a reader sees it: rendered by Chromium at phone width (issue 14, point 1).

Each value of the email carries an explicit direction by its script; here the browser's own
layout is asked for the computed direction of every value, and a screenshot at 420 px is kept
for a person to look at (its path is printed in the test output).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from tests.support.browser import chromium, open_page, save_screenshot
from tests.support.sample_alerts import make_alert

from monitor.alerts.channel import Outgoing
from monitor.alerts.email import build_message
from monitor.alerts.words import Presentation
from monitor.models import Alert, Claim, DateSpan, Finding, Verdict

_ARABIC = re.compile(r"[\u0600-\u06ff]")

# An English reason that quotes the event's Arabic title: with an auto-direction <bdi> its first
# strong letter decided, and a reason opening on the quote was laid out right to left.
REASON_EN = (
    "«نهاية المهمة» agrees with phase-one-end (2025-09) on date and places — "
    "Phase one: the coalition mission in Baghdad ends «انتهاء مهمة التحالف في بغداد»"
)
REASON_AR = "يتفق مع phase-one-end (2025-09) في التاريخ والأماكن — «انتهاء مهمة التحالف في بغداد»"


def _alert() -> Alert:
    base = make_alert(story_id="20260930")  # a digits-only story id
    claim = Claim(
        kind="mission_end",
        sentence="أعلنت قيادة العمليات المشتركة انتهاء مهمة التحالف في بغداد نهاية أيلول 2025.",
        date=DateSpan("نهاية أيلول 2025", date(2025, 9, 21), date(2025, 9, 30), "part_of_year"),
        places=("baghdad",),
    )
    finding = Finding(claim, Verdict("consistent", "phase-one-end", REASON_EN, REASON_AR))
    return Alert(**{**{k: getattr(base, k) for k in base.__slots__}, "findings": (finding,)})


def _html(pres: Presentation) -> str:
    msg = build_message(Outgoing(_alert(), "msg_1"), "monitor@example.org", ["a@example.org"], pres)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/html")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as context:
        yield context


def _values(page: Any) -> list[dict[str, str]]:
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('.v')].map(e => ({
                text: e.textContent, dir: getComputedStyle(e).direction}))"""
        )
    )


def _by_script(text: str) -> str:
    outside = re.sub(r"«[^»]*»", "", text)
    return "rtl" if _ARABIC.search(outside) else "ltr"


def test_every_value_has_the_direction_of_its_script(browser: Any, capsys: Any) -> None:
    page = open_page(browser, 420)
    page.set_content(_html(Presentation()))
    values = _values(page)
    assert len(values) > 20
    for v in values:
        assert v["dir"] == _by_script(v["text"]), v
    texts = {v["text"]: v["dir"] for v in values}
    assert texts[REASON_EN] == "ltr"  # English, though it opens on an Arabic quote
    assert texts[REASON_AR] == "rtl"
    assert texts["20260930"] == "ltr"  # a digits-only id
    # ISO dates inside Arabic values are LTR isolates
    iso = page.evaluate(
        """() => [...document.querySelectorAll('bdi:not(.v)')].filter(
            e => /^\\d{4}-\\d{2}-\\d{2}/.test(e.textContent)).map(
            e => getComputedStyle(e).direction)"""
    )
    assert iso and set(iso) == {"ltr"}
    # a date range reads from its start on the left to its end on the right
    starts = page.evaluate(
        """() => {
            const e = [...document.querySelectorAll('bdi')].find(
                x => x.textContent === '2025-09-21 … 2025-09-30');
            const t = e.firstChild, r = document.createRange();
            r.setStart(t, 0); r.setEnd(t, 10); const a = r.getBoundingClientRect().left;
            r.setStart(t, 13); r.setEnd(t, 23); return [a, r.getBoundingClientRect().left];
        }"""
    )
    assert starts[0] < starts[1]
    # nothing runs off a phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    save_screenshot(page, "email-420", capsys)


def test_english_reason_reads_left_to_right_in_the_layout(browser: Any) -> None:
    """The reason's opening quote is laid out left of the words that follow it, as English is
    read (an auto-direction value put it at the right end, after them)."""
    page = open_page(browser, 420)
    page.set_content(_html(Presentation()))
    box = page.evaluate(
        """(reason) => {
            const e = [...document.querySelectorAll('.v')].find(x => x.textContent === reason);
            const quote = e.querySelector('bdi').getBoundingClientRect();
            const text = [...e.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
            const r = document.createRange();
            r.setStart(text, 1); r.setEnd(text, 7);
            const word = r.getBoundingClientRect();
            return {quote: quote.left, word: word.left, top: quote.top, wtop: word.top};
        }""",
        REASON_EN,
    )
    assert box["top"] == box["wtop"]  # same line
    assert box["quote"] < box["word"]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_single_language_email_at_phone_width(browser: Any, capsys: Any, lang: str) -> None:
    page = open_page(browser, 420)
    page.set_content(_html(Presentation(lang)))  # type: ignore[arg-type]
    for v in _values(page):
        assert v["dir"] == _by_script(v["text"]), v
    body_dir = page.evaluate("getComputedStyle(document.body).direction")
    assert body_dir == ("ltr" if lang == "en" else "rtl")
    save_screenshot(page, f"email-420-{lang}", capsys)
