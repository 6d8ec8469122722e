"""Stories joined after the fact, on the pages: the keeper lists what it absorbed, the absorbed
story points to its keeper, and the stories list shows only the keeper.

A demo state (the real demo cycle) in which two stories are then joined as the story desk joins
them when a later report shows they are one development.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.support.web import client, demo_state, join_two_stories

from monitor.config.load import Config
from monitor.models import StoryFilter
from monitor.store import Store
from monitor.store.schema import MIGRATIONS


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, str, str]:
    config = demo_state(tmp_path_factory.mktemp("state"))
    kept, gone = join_two_stories(config)
    return config, kept, gone


@pytest.fixture(scope="module")
def web(joined: tuple[Config, str, str]) -> TestClient:
    return client(joined[0])


def _title(config: Config, story_id: str) -> str:
    store = Store.open_readonly(config.state_dir)
    try:
        return store.story_titles([story_id])[story_id]
    finally:
        store.close()


def test_the_keeper_lists_the_story_it_absorbed_with_a_link(
    web: TestClient, joined: tuple[Config, str, str]
) -> None:
    config, kept, gone = joined
    html = web.get(f"/story/{kept}").text
    section = html[html.index('<section class="absorbed">') :]
    section = section[: section.index("</section>")]
    assert "قصص ضُمّت إليها" in section and "Stories it absorbed" in section
    assert f'href="/story/{gone}"' in section
    assert gone in section  # its id, shown
    assert _title(config, gone).split()[0] in section
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', section)  # when it was joined


def test_the_absorbed_story_says_where_it_went(
    web: TestClient, joined: tuple[Config, str, str]
) -> None:
    config, kept, gone = joined
    page = web.get(f"/story/{gone}")
    assert page.status_code == 200
    notice = page.text[page.text.index('class="notice absorbed-by"') :]
    notice = notice[: notice.index("</div>")]
    assert "ضُمّت هذه القصة إلى" in notice
    assert f'href="/story/{kept}"' in notice
    assert _title(config, kept).split()[0] in notice
    assert '<section class="absorbed">' not in page.text  # it absorbed nothing itself
    # its reports and claims went with it: no empty sections for them
    assert "claim v-" not in page.text and 'class="cards reports"' not in page.text


def test_a_story_that_absorbed_nothing_shows_neither(
    web: TestClient, joined: tuple[Config, str, str]
) -> None:
    config, kept, _ = joined
    store = Store.open_readonly(config.state_dir)
    try:
        other = next(s.id for s in store.story_summaries(StoryFilter(), limit=50) if s.id != kept)
    finally:
        store.close()
    html = web.get(f"/story/{other}").text
    assert '<section class="absorbed">' not in html and "absorbed-by" not in html


@pytest.mark.parametrize("query", ["", "?period=week", "?from=2000-01-01", "?page=1"])
def test_the_stories_list_shows_the_keeper_not_the_absorbed(
    web: TestClient, joined: tuple[Config, str, str], query: str
) -> None:
    _, kept, gone = joined
    html = web.get("/" + query).text
    assert f'href="/story/{kept}"' in html
    assert f'href="/story/{gone}"' not in html


def test_the_count_leaves_the_absorbed_out(joined: tuple[Config, str, str]) -> None:
    config, _, gone = joined
    store = Store.open_readonly(config.state_dir)
    try:
        listed = {s.id for s in store.story_summaries(StoryFilter(), limit=100)}
        assert gone not in listed
        assert store.count_story_summaries(StoryFilter()) == len(listed)
        total = store.conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        assert len(listed) == total - 1
    finally:
        store.close()


def test_the_page_queries_use_their_indexes(tmp_path: Path) -> None:
    """The unfiltered page walks the live stories newest first through a partial index (it
    stops after a page), and a story's absorbed stories are found through theirs."""
    Store.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "monitor.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    page = " ".join(
        str(r[3])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT s.id FROM stories s WHERE s.absorbed_by IS NULL"
            " ORDER BY s.last_seen DESC, s.last_published DESC LIMIT 50"
        )
    )
    assert "stories_listed" in page and "TEMP B-TREE" not in page
    absorbed = " ".join(
        str(r[3])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM stories WHERE absorbed_by = ?"
            " ORDER BY absorbed_at, id",
            ("x",),
        )
    )
    assert "stories_absorbed_by" in absorbed
    conn.close()


def test_reasons_keep_dates_and_ids_whole_and_isolated(
    web: TestClient, joined: tuple[Config, str, str]
) -> None:
    """In the Arabic reason the ids and dates are left-to-right isolates that do not break;
    in the English one an Arabic title is a right-to-left isolate."""
    _, kept, _ = joined
    html = web.get(f"/story/{kept}").text
    arabic = re.findall(r'<span dir="rtl" class="reason">(.*?)</span></dd>', html)
    english = re.findall(r'<span dir="ltr" lang="en" class="reason">(.*?)</span></dd>', html)
    assert arabic and english
    assert any(
        re.search(r'<bdi dir="ltr"><span class="nobr">\d{4}-\d\d(-\d\d)?</span></bdi>', r)
        for r in arabic
    ), arabic[:2]
    assert any('<bdi dir="rtl">' in r for r in english), english[:2]


def test_page_fetches_name_ok_and_failed_each(web: TestClient) -> None:
    """ "6 / 0" under "(نجح/فشل)" read right to left paired the numbers the other way round."""
    html = web.get("/sources").text
    assert re.search(
        r'<bdi dir="ltr">\d+</bdi> نجح <bdi class="en" dir="ltr" lang="en">ok</bdi>', html
    )
    assert "(نجح/فشل)" not in html
