"""Story index benchmark: lookup and insert time and resident memory at 1k/10k/100k articles.

The corpus is synthetic (``bench_storycorpus``: our own templates, no network). The window
is filled in bulk (store rows grouped as generated), then a ``StoryDesk`` is built on it,
which rebuilds its index from the store as a restarted daemon does. Lookups (``make_doc`` +
``StoryIndex.choose`` for a fresh article: half are new reports of events already in the
window) and inserts (``StoryDesk.assign`` in its own transaction, as the pipeline calls it)
are timed one by one. Memory is the process's resident set afterwards.
"""

from __future__ import annotations

import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from bench.storycorpus import END, Corpus, Event, Report
from monitor.models import StoryMember
from monitor.settings import StorySettings
from monitor.store import Store
from monitor.stories.desk import StoryDesk
from monitor.stories.index import StoryIndex
from monitor.stories.match import encode_development

Figure = tuple[str, float, str]
SAMPLE = 300  # timed lookups and inserts per size
QUICK_MAX = 10_000
RECENT = timedelta(days=2)  # fresh articles report events this recent

# ----------------------------------------------------------------------------- measuring


def fill(store: Store, corpus: Corpus, size: int, settings: StorySettings) -> list[Event]:
    """Put ``size`` articles in the window as stories grouped as generated (no decisions)."""

    maker = StoryIndex(settings, lambda keys: {})  # only for make_doc
    span = timedelta(days=settings.window_days) - timedelta(days=1)
    events: list[Event] = []
    done = 0
    with store.transaction():
        while done < size:
            event = corpus.event(END - span - timedelta(hours=12), span)
            events.append(event)
            story_id = f"story-{len(events)}"
            for i, rep in enumerate(corpus.reports(event, min(event.size, size - done))):
                _save_report(store, maker, story_id, rep, first=i == 0)
                done += 1
    return events


def _fresh(corpus: Corpus, events: Sequence[Event], n: int) -> list[Report]:
    """New articles near the end of the window: half report events already there."""
    rng = corpus.rng
    out = []
    recent = [e for e in events if e.at > END - RECENT] or list(events)
    for i in range(n):
        if i % 2:
            out.append(next(corpus.reports(rng.choice(recent), 2)))
        else:
            ev = corpus.event(END - timedelta(hours=6), timedelta(hours=6))
            out.append(next(corpus.reports(ev, 1)))
    return out


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ms(values: list[float]) -> tuple[float, float]:
    if not values:  # nothing measured (no report joined): say so rather than crash the run
        return float("nan"), float("nan")
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def measure(size: int, settings: StorySettings, sample: int = SAMPLE) -> list[Figure]:
    """Fill a window of ``size`` articles and time lookups and inserts on it."""
    corpus = Corpus(seed=size)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp), lock=False)
        t0 = time.perf_counter()
        # keep only the events fresh articles may report again (the corpus is not the index)
        events = [e for e in fill(store, corpus, size, settings) if e.at > END - RECENT]
        filled = time.perf_counter() - t0
        t0 = time.perf_counter()
        desk = StoryDesk(store, settings)
        rebuild = time.perf_counter() - t0
        lookups: list[float] = []
        for rep in _fresh(corpus, events, sample):
            a = rep.article
            t0 = time.perf_counter()
            doc = desk.index.make_doc(
                a.key, rep.analysis.body, a.title, a.published, rep.analysis.findings,
                lede=rep.analysis.lede, normalized=True,
            )  # fmt: skip
            desk.index.choose(doc)
            lookups.append(time.perf_counter() - t0)
        inserts: list[float] = []
        joined = 0
        for rep in _fresh(corpus, events, sample):
            t0 = time.perf_counter()
            with store.transaction():
                decision, _ = desk.assign(rep.article, rep.analysis, END)
            inserts.append(time.perf_counter() - t0)
            joined += not decision.is_new
        gc.collect()
        rss = _rss_mb()
        stories = desk.index.story_count
        store.close()
        del desk, store
        restart_s, restart_mb = restart(Path(tmp))
    gc.collect()
    look_med, look_p95 = _ms(lookups)
    ins_med, ins_p95 = _ms(inserts)
    n = f"{size // 1000}k"
    return [
        (f"stories_lookup_median_{n}", look_med, "ms"),
        (f"stories_lookup_p95_{n}", look_p95, "ms"),
        (f"stories_insert_median_{n}", ins_med, "ms"),
        (f"stories_insert_p95_{n}", ins_p95, "ms"),
        (f"stories_rss_{n}", rss, "MB"),
        (f"stories_rebuild_{n}", rebuild, "s"),
        (f"stories_restart_{n}_seconds", restart_s, "s"),
        (f"stories_restart_{n}_peak_rss", restart_mb, "MB"),
        (f"stories_fill_{n}", filled, "s"),
        (f"stories_in_window_{n}", float(stories), "stories"),
        (f"stories_joined_share_{n}", joined / sample, "ratio"),
    ]


_RESTART = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from monitor.settings import StorySettings
from monitor.store import Store
from monitor.stories.desk import StoryDesk
store = Store.open(Path(sys.argv[1]), lock=False)
desk = StoryDesk(store, StorySettings())
seconds = time.perf_counter() - t0
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]
print(seconds, int(hwm) / 1024)
"""


def restart(state: Path) -> tuple[float, float]:
    """A restarted daemon's story desk on ``state``: seconds from the imports to a built
    index, and the peak resident memory of that fresh process (MB)."""
    out = subprocess.run(
        [sys.executable, "-c", _RESTART, str(state)], capture_output=True, text=True, check=True
    )
    seconds, mb = out.stdout.split()
    return round(float(seconds), 3), round(float(mb), 1)


def _save_report(
    store: Store, maker: StoryIndex, story_id: str, rep: Report, *, first: bool
) -> None:
    """Store one report as the desk would (signatures, lede, terms), without deciding."""
    a = rep.article
    doc = maker.make_doc(
        a.key, rep.analysis.body, a.title, a.published, rep.analysis.findings,
        lede=rep.analysis.lede, normalized=True,
    )  # fmt: skip
    if first:
        store.create_story(story_id, a.title, a.published or END)
    member = StoryMember(a.key, "bench", a.outlet, a.title, a.url, a.published, a.published or END)
    store.save_member(
        story_id, member, rep.analysis.findings, numbers=doc.numbers,
        shingles=doc.shingles.tobytes(), signature=doc.signature.tobytes(),
        now=a.published or END, lede=rep.analysis.lede, terms=doc.terms,
        event=encode_development(doc.event, maker.places),
    )  # fmt: skip


def _save_story(store: Store, maker: StoryIndex, story_id: str, reports: list[Report]) -> None:
    with store.transaction():
        for i, rep in enumerate(reports):
            _save_report(store, maker, story_id, rep, first=i == 0)


def measure_join(settings: StorySettings, sample: int) -> list[Figure]:
    """Cost of one join (``StoryDesk.assign`` in its transaction) into a story of 3 members
    and into one of 300: ``sample`` stories of 3 (one join each) and one story of 300
    (``sample`` joins). Only the reports that did join the intended story are counted."""
    corpus = Corpus(seed=303)
    maker = StoryIndex(settings, lambda keys: {})
    targets: dict[int, list[tuple[str, Event]]] = {3: [], 300: []}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp), lock=False)
        for size, count in ((300, 1), (3, sample)):
            for k in range(count):
                event = corpus.event(END - timedelta(hours=40), timedelta(hours=30))
                story_id = f"join-{size}-{k}"
                _save_story(store, maker, story_id, list(corpus.reports(event, size)))
                targets[size].append((story_id, event))
        desk = StoryDesk(store, settings)
        figures: list[Figure] = []
        for size, stories in targets.items():
            times: list[float] = []
            for i in range(sample):
                story_id, event = stories[i % len(stories)]
                rep = next(corpus.reports(event, 1))  # the wire copy again, as another outlet
                t0 = time.perf_counter()
                with store.transaction():
                    decision, _ = desk.assign(rep.article, rep.analysis, END)
                elapsed = time.perf_counter() - t0
                if decision.story_id == story_id:
                    times.append(elapsed)
            figures.append((f"stories_join_{size}_members_ms", round(_ms(times)[0], 3), "ms"))
            figures.append((f"stories_join_{size}_members_joined", float(len(times)), "joins"))
        store.close()
    return figures


def run(
    sizes: Sequence[int] = (1_000, 10_000, 100_000), quick: bool = False
) -> list[tuple[str, float, str]]:
    """Measure each window size in turn (smallest first).

    ``quick`` (CI) times a third of the articles and skips sizes above 10,000, so it runs in
    about 15 s; the full run takes about two minutes, most of it filling the 100k window.

    Returns:
        (name, value, unit) figures: lookup and insert median and p95 (ms), resident memory
        (MB), index rebuild and bulk fill time (s), stories in the window and the share of
        inserts that joined an existing story.
    """
    settings = StorySettings()
    figures: list[Figure] = []
    if quick:
        sizes = [s for s in sizes if s <= QUICK_MAX] or [min(sizes)]
    for size in sorted(sizes):
        figures.extend(measure(size, settings, SAMPLE // 3 if quick else SAMPLE))
    figures.extend(measure_join(settings, 20 if quick else 60))
    return figures


if __name__ == "__main__":
    for name, value, unit in run(quick="--quick" in sys.argv):
        print(f"{name} {value:.3f} {unit}")
