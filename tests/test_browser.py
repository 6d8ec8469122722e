"""The browser harness itself: Debian's Chromium starts headless and lays out bidi text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.support.browser import chromium, open_page, save_screenshot


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as context:
        yield context


def test_chromium_lays_out_arabic_right_to_left(browser: Any, capsys: Any) -> None:
    page = open_page(browser, 420, 200)
    page.set_content(
        '<html><body><p id="ar" dir="auto">انسحاب التحالف</p>'
        '<p id="en" dir="auto">coalition withdrawal</p></body></html>'
    )
    assert page.evaluate("getComputedStyle(document.getElementById('ar')).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.getElementById('en')).direction") == "ltr"
    # Glyphs were drawn: an Arabic font is installed (DejaVu Sans carries Arabic).
    width = page.evaluate("document.getElementById('ar').getBoundingClientRect().width")
    assert width > 0
    path = save_screenshot(page, "browser-selftest", capsys)
    assert path.stat().st_size > 0
