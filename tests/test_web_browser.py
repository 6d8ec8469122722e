"""The pages in a real browser (Debian's chromium via Playwright), as a person opens them.

A demo state served by the real server (uvicorn, 127.0.0.1), with two of its stories then
joined as the story desk joins them: each page is right to left, has no horizontal overflow at
phone width, and is written to ``artifacts/`` as a screenshot at 420 and 1280 px (paths
printed), the story that absorbed another and the absorbed one included. The timeline's visible
chart draws every milestone, keeps every label inside the drawing at any width, and a click on
a conflicting claim opens its story. The CSP is enforced by the browser: the console reports no
violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from tests.support.browser import chromium, open_page, save_screenshot
from tests.support.web import demo_state, join_two_stories

from monitor.config.load import Config
from monitor.store import Store
from monitor.web.app import WebContext
from monitor.web.server import WebServer

WIDTHS = (420, 1280)
PAGES = {"stories": "", "timeline": "timeline", "sources": "sources", "outbox": "outbox"}


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, str, str]:
    config = demo_state(tmp_path_factory.mktemp("state"))
    return (config, *join_two_stories(config))


@pytest.fixture(scope="module")
def config(joined: tuple[Config, str, str]) -> Config:
    return joined[0]


@pytest.fixture(scope="module")
def base_url(config: Config) -> Iterator[str]:
    server = WebServer(WebContext(config, healthy=lambda: (True, "ok")), "127.0.0.1", 0)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    # after the state is made: Playwright's sync API keeps an event loop running in this
    # thread, and the demo cycle needs its own (asyncio.run)
    with chromium() as context:
        yield context


def _conflicting_story(config: Config) -> str:
    """A story with a conflicting claim drawn on the chart (it states a date)."""
    store = Store.open_readonly(config.state_dir)
    try:
        points = store.claim_points(date(2000, 1, 1), date(2100, 1, 1))
        return next(p.story_id for p in points if p.verdict == "conflicting")
    finally:
        store.close()


def _watch_console(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return problems


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_right_to_left_and_fits(
    browser: Any, base_url: str, name: str, width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    page = open_page(browser, width)
    problems = _watch_console(page)
    page.goto(base_url + PAGES[name])
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # nothing wider than the window: the page never scrolls sideways (charts scroll inside)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} at {width}px overflows by {overflow}px"
    assert not [p for p in problems if "Content Security Policy" in p], problems
    save_screenshot(page, f"web-{name}-{width}", capsys)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_timeline_shows_every_milestone(
    browser: Any, base_url: str, config: Config, width: int
) -> None:
    page = open_page(browser, width)
    page.goto(base_url + "timeline")
    visible = page.locator("div.chart:visible")
    assert visible.count() == 1
    lanes = visible.locator("g[data-milestone]")
    assert lanes.count() == len(config.timeline.events)
    for i in range(lanes.count()):
        box = lanes.nth(i).locator("text.lane-label").bounding_box()
        assert box is not None and box["width"] > 10  # each milestone's name is drawn
    drawn = {lanes.nth(i).get_attribute("data-milestone") for i in range(lanes.count())}
    assert drawn == {e.id for e in config.timeline.events}
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_conflicting_claim_links_to_its_story(
    browser: Any, base_url: str, config: Config, width: int, capsys: pytest.CaptureFixture[str]
) -> None:
    story = _conflicting_story(config)
    page = open_page(browser, width)
    page.goto(base_url + "timeline")
    dot = page.locator(f'div.chart:visible a.dot-link.v-conflicting[data-story="{story}"]').first
    dot.locator("circle").click()
    page.wait_for_url(f"**/story/{story}")
    assert page.locator(".card.claim.v-conflicting").count() >= 1
    assert page.evaluate("document.documentElement.dir") == "rtl"
    save_screenshot(page, f"web-story-{width}", capsys)
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_story_with_an_absorbed_one_and_the_absorbed_one(
    browser: Any,
    base_url: str,
    joined: tuple[Config, str, str],
    width: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, kept, gone = joined
    page = open_page(browser, width)
    page.goto(base_url + f"story/{kept}")
    link = page.locator(f'section.absorbed a[data-story="{gone}"]')
    assert link.count() == 1 and link.is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"story at {width}px overflows by {overflow}px"
    save_screenshot(page, f"web-story-absorbed-{width}", capsys)
    link.click()
    page.wait_for_url(f"**/story/{gone}")
    back = page.locator(f'.absorbed-by a[data-story="{kept}"]')
    assert back.count() == 1 and back.is_visible()
    save_screenshot(page, f"web-story-absorbed-by-{width}", capsys)
    page.close()


@pytest.mark.parametrize("width", (360, *WIDTHS))
@pytest.mark.parametrize("span", ["", "?range=all"])
def test_the_charts_labels_stay_inside_it(
    browser: Any, base_url: str, width: int, span: str
) -> None:
    """Every text of the visible chart (years, "today", milestone names) lies within the SVG's
    box: the year at the right edge used to be cut at 420 px."""
    page = open_page(browser, width)
    page.goto(base_url + "timeline" + span)
    svg = page.locator("div.chart:visible svg.timeline")
    outer = svg.bounding_box()
    assert outer is not None
    texts = svg.locator("text")
    assert texts.count() > len(page.locator("div.chart:visible g[data-milestone]").all())
    for i in range(texts.count()):
        box = texts.nth(i).bounding_box()
        assert box is not None
        label = texts.nth(i).text_content()
        assert box["x"] >= outer["x"] - 0.5, f"{label!r} cut at the left at {width}px"
        right, limit = box["x"] + box["width"], outer["x"] + outer["width"]
        assert right <= limit + 0.5, f"{label!r} cut at the right at {width}px"
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_dates_and_ids_in_reasons_never_break_across_lines(
    browser: Any, base_url: str, config: Config, width: int
) -> None:
    """An Arabic reason quoting "2021-12-31 إلى 2025-09-30" wrapped at 420 px in the middle of
    a date ("-2025-09" / "30"): each date, range and id is one unbroken box now."""
    story = _conflicting_story(config)
    page = open_page(browser, width)
    page.goto(base_url + f"story/{story}")
    tokens = page.locator(".reason .nobr")
    assert tokens.count() >= 2
    lines = page.evaluate(
        "[...document.querySelectorAll('.reason .nobr')].map(e => e.getClientRects().length)"
    )
    assert set(lines) == {1}, lines
    page.close()
