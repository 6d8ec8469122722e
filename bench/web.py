"""Web pages benchmark: time to answer a page of 50 stories with 10k/100k stored articles.

The state is filled with the synthetic corpus of the stories benchmark (``storycorpus``: our own
templates): every article a story member with its findings, every story's merged claims saved
by ``save_story_claims`` as the daemon does (so tags, claim dates and search terms are there);
one story in ten is then absorbed by the one before it (``ABSORB_EVERY``).
Each page is requested through the whole app (Starlette TestClient: routing, a read-only
connection opened per request, the store's queries, the template), 30 times after a warm-up;
the median is printed. Pages: the stories page unfiltered, by a verdict every story has, by a
place a quarter of them name, by one common word and by two, deep in the list (page 20), one
story, the timeline.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from starlette.testclient import TestClient

from bench.storycorpus import END, Corpus
from monitor.config.load import default_config
from monitor.models import StoryClaim, StoryMember
from monitor.store import Store
from monitor.stories.claims import extend_claims
from monitor.web.app import WebContext, create_app

Figure = tuple[str, float, str]
RUNS = 30
# One story in ten is found later to be the previous one's development and absorbed by it:
# the stories page leaves those out (``absorbed_by IS NULL``), which must not slow it down.
ABSORB_EVERY = 10
WINDOW = timedelta(days=30)
PAGES = {
    "stories": "/",
    # every synthetic claim is judged "new": a filter that matches every story (the worst case
    # for fetching through the index)
    "stories_verdict_all": "/?verdict=new",
    "stories_place": "/?place=erbil",  # a quarter of the stories (Erbil and Harir)
    "stories_search": "/?q=%D8%A7%D9%84%D8%A7%D9%86%D8%B3%D8%AD%D8%A7%D8%A8",  # الانسحاب: a quarter
    "stories_search_two_words": "/?q=%D8%A7%D9%84%D8%A7%D9%86%D8%B3%D8%AD%D8%A7%D8%A8+%D8%A3%D8%B1%D8%A8%D9%8A%D9%84",
    "stories_page20": "/?page=20",
    "timeline": "/timeline",
}


def run(sizes: tuple[int, ...]) -> list[Figure]:
    figures: list[Figure] = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="monitor-bench-web-") as tmp:
            state = Path(tmp)
            t0 = time.perf_counter()
            story = fill(state, size)
            figures.append((f"web_fill_{_k(size)}", round(time.perf_counter() - t0, 1), "s"))
            config = default_config(state)
            web = TestClient(
                create_app(WebContext(config, healthy=lambda: (True, "ok"))),
                base_url="http://127.0.0.1:8080",
            )
            pages = {**PAGES, "story": f"/story/{story}"}
            for name, path in pages.items():
                figures.append((f"web_{name}_ms_{_k(size)}", _median_ms(web, path), "ms"))
    return figures


def fill(state: Path, size: int) -> str:
    """``size`` articles as story members over ``WINDOW``; returns one story's id."""
    corpus = Corpus(11)
    store = Store.open(state)
    done = stories = 0
    try:
        with store.transaction():
            while done < size:
                event = corpus.event(END - WINDOW, WINDOW - timedelta(hours=12))
                stories += 1
                story_id = f"story-{stories}"
                claims: tuple[StoryClaim, ...] = ()
                for i, rep in enumerate(corpus.reports(event, min(event.size, size - done))):
                    a = rep.article
                    if i == 0:
                        store.create_story(story_id, a.title, a.published or END)
                    member = StoryMember(
                        a.key, "bench", a.outlet, a.title, a.url, a.published, a.published or END
                    )
                    findings = rep.analysis.findings
                    store.save_member(
                        story_id, member, findings, shingles=b"", signature=b"",
                        now=a.published or END,
                    )  # fmt: skip
                    claims = tuple(extend_claims(claims, a.outlet, findings))
                    done += 1
                store.save_story_claims(story_id, claims)  # the end state of per-copy saves
                if stories % ABSORB_EVERY == 0:  # joined later into the story before it
                    store.absorb_story(f"story-{stories - 1}", story_id, a.published or END)
    finally:
        store.close()
    return "story-1"


def _median_ms(web: TestClient, path: str) -> float:
    assert web.get(path).status_code == 200  # warm-up (templates compiled, pages cached)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        r = web.get(path)
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200
    return round(statistics.median(times) * 1000, 2)


def _k(size: int) -> str:
    return f"{size // 1000}k"
