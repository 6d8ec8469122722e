"""``python -m bench [--quick]``: where we stand on speed and memory, beside the targets.

Prints one line per figure, ``name value unit``, the same names every run, then one
``target`` line per target of issue 16: the figure, its anchor measured in the same run,
the ratio, the target and whether it is met. The load average is printed at the start and
the end (the machine is shared: compare ratios, not seconds across runs). Everything is
generated from our own templates and served on loopback; nothing is downloaded. Figures:

- analysis: articles/s through normalise -> relevance -> dates -> claims -> verdicts, one
  process, for ~800- and ~3,000-character template articles, and, apart from them, on the
  real development articles (``shared/corpus/set1``, read at run time when present);
- dates: our extraction against ``dateparser.search_dates`` on the same labelled sentences
  (speed ratio and share of dates right) — dateparser is a dev dependency;
- stories: lookup and insert time, resident memory, restart (a fresh process rebuilding the
  index) at 1k/10k/100k articles in the window, and the cost of one join into a story of 3
  members against one of 300 (``bench/stories.py``);
- cycles: ``monitor once`` on the feed farm (``bench/server.py``: ~150-250 KB pages,
  realistic story sizes, default concurrency, one processing order), each beside its anchor
  in the same run: the plain httpx + feedparser floor (``bench/floor.py``) for the first
  fetch and the all-304 cycle, the extraction ceiling for the alerting cycle; memory as the
  peak PSS of the daemon plus its workers (``bench/cycles.py``);
- web: time to answer the stories page (50 stories; unfiltered, filtered, searched, page 20),
  a story and the timeline, with 10k/100k stored articles (``web.py``; 2k in ``--quick``);
- bigfeed: the parse of a 50,000-item feed listed oldest first, on an empty state and as a
  poll that finds the one item appended at its end (``bigfeed.py``).

``--quick`` (run by ``make test``) uses smaller sizes so it finishes in under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import cycles as cycle_bench
from bench import stories as story_bench
from bench import web as web_bench
from bench.bigfeed import bench_bigfeed
from bench.dates import SENTENCES, compare_with_dateparser
from monitor.analysis.analyzer import Analyzer
from monitor.analysis.keywords import default_rules_path, load_rules
from monitor.confkit import Problems
from monitor.timeline.load import default_timeline_path, load_timeline

Figure = tuple[str, float, str]

_ACTORS = ["قوات التحالف الدولي", "التحالف الدولي", "القوات الأمريكية", "مستشارو التحالف"]
_ACTIONS = ["انسحاب", "مغادرة", "إنهاء مهمة", "تسليم قاعدة", "خفض عديد"]
_PLACES = ["قاعدة عين الأسد", "بغداد", "أربيل", "محافظة الأنبار", "قاعدة حرير", "إقليم كردستان"]
_DATES = ["أيلول/سبتمبر 2026", "نهاية العام المقبل", "مساء الأحد", "الشهر الجاري",
          "مطلع عام 2026", "١٥ كانون الثاني ٢٠٢٦", "خلال الأشهر المقبلة"]  # fmt: skip
_FILLER = [
    "وقال مسؤول حكومي إن الحكومة ماضية في تنفيذ برنامجها في مجالات الخدمات والإعمار.",
    "وشهدت العاصمة اجتماعات مكثفة بين الكتل السياسية لبحث ملفات الموازنة والتعيينات.",
    "وأشار بيان رسمي إلى أن اللجان المختصة تواصل أعمالها وفق الجداول المقررة.",
    "وأكدت مصادر مطلعة أن المباحثات تناولت ملفات الطاقة والمياه والتبادل التجاري.",
    "اقرأ أيضاً: ارتفاع أسعار النفط في الأسواق العالمية مع نهاية تعاملات الأسبوع",
]


def synthetic_article(rng: random.Random, target_chars: int) -> str:
    """An article in news style: claims about the withdrawal among filler paragraphs."""
    parts: list[str] = []
    while sum(len(p) for p in parts) < target_chars:
        if rng.random() < 0.45:
            parts.append(
                f"وأعلن مصدر عسكري {rng.choice(_ACTIONS)} {rng.choice(_ACTORS)} من "
                f"{rng.choice(_PLACES)} بحلول {rng.choice(_DATES)}، مشيراً إلى بقاء نحو "
                f"{rng.choice(['2500', '٢٬٥٠٠', 'ألفي', '900'])} جندي."
            )
        else:
            parts.append(rng.choice(_FILLER))
    return "\n".join(parts)[: target_chars + 200]


def bench_analysis(quick: bool) -> list[Figure]:
    problems = Problems()
    analyzer = Analyzer(
        load_rules(default_rules_path(), problems),
        load_timeline(default_timeline_path(), problems),
    )
    rng = random.Random(7)
    published = datetime(2026, 1, 18, 9, tzinfo=UTC)
    figures = []
    for size in (800, 3000):
        n = 150 if quick else 600
        articles = [synthetic_article(rng, size) for _ in range(n)]
        analyzer.analyze("عنوان", articles[0], published)  # warm caches
        t0 = time.perf_counter()
        for text in articles:
            analyzer.analyze("انسحاب قوات التحالف من العراق", text, published)
        rate = n / (time.perf_counter() - t0)
        figures.append((f"analysis_{size}_chars", round(rate, 1), "articles/s"))
    figures += _analysis_real(analyzer, quick)
    return figures


_CORPUS = Path("shared", "corpus", "set1", "articles.jsonl")  # beside the repository


def _corpus() -> Path | None:
    if "MONITOR_BENCH_CORPUS" in os.environ:
        return Path(os.environ["MONITOR_BENCH_CORPUS"])
    parents = Path(__file__).resolve().parents
    return next((p / _CORPUS for p in parents if (p / _CORPUS).is_file()), None)


def _analysis_real(analyzer: Analyzer, quick: bool) -> list[Figure]:
    """Articles/s on the real development articles (read at run time, never stored here);
    reported apart from the template figures, which are slower per character."""
    path = _corpus()
    if path is None or not path.is_file():
        print(f"# analysis on real text skipped: no {_CORPUS} found", file=sys.stderr)
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    items = [
        (r.get("title") or "", r["text"], _day(r.get("published"))) for r in rows if r.get("text")
    ]
    analyzer.analyze(*items[0])  # warm caches
    passes = 1 if quick else 3
    t0 = time.perf_counter()
    for _ in range(passes):
        for title, text, published in items:
            analyzer.analyze(title, text, published)
    rate = passes * len(items) / (time.perf_counter() - t0)
    chars = sum(len(t) for _, t, _ in items) // len(items)
    return [
        ("analysis_real_text", round(rate, 1), "articles/s"),
        ("analysis_real_text_mean_chars", float(chars), "chars"),
    ]


def _day(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value[:10]).replace(hour=12, tzinfo=UTC)


def bench_dates() -> list[Figure]:
    try:
        result = compare_with_dateparser(list(SENTENCES))
    except ImportError as exc:  # dateparser is a dev dependency
        print(f"# dates comparison skipped: {exc}", file=sys.stderr)
        return []
    units = {"speedup": "x", "share": "share", "_ms": "ms", "sentences": "sentences"}
    return [
        (f"dates_{k}", round(v, 4), next((u for s, u in units.items() if s in k), "value"))
        for k, v in result.items()
    ]


def bench_stories(quick: bool) -> list[Figure]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    return [(n, round(v, 3), u) for n, v, u in story_bench.run(sizes, quick=quick)]


def bench_web(quick: bool) -> list[Figure]:
    return web_bench.run((2_000,) if quick else (10_000, 100_000))


# --------------------------------------------------------------------------- targets

# figure -> (anchor figure or None, the ratio's target, "min" or "max"): each target is
# checked on the ratio of the figure to its anchor measured in the same run (or on the figure
# itself when it has no anchor), never against a number measured on another day.
Target = tuple[str | None, float, str]


def targets(quick: bool) -> dict[str, Target]:
    seed = 40 if quick else 1000
    pages = (6 if quick else 100) * 30
    out: dict[str, Target] = {
        f"cycle_first_fetch_{seed}_feeds_seconds": (
            f"cycle_first_fetch_{seed}_feeds_floor_seconds", 1.2, "max"),
        f"cycle_all_304_{seed}_feeds_seconds": (
            f"cycle_all_304_{seed}_feeds_floor_seconds", 1.0, "max"),
        f"cycle_alerting_{pages}_pages_rate": ("extraction_ceiling_2_cores", 0.85, "min"),
        "stories_join_300_members_ms": ("stories_join_3_members_ms", 1.5, "max"),
        "analysis_real_text": (None, 500.0, "min"),
        "dates_speedup": (None, 10.0, "min"),
        "stories_lookup_p95_100k": (None, 5.0, "max"),
        "stories_restart_100k_seconds": (None, 5.0, "max"),
        "stories_restart_100k_peak_rss": (None, 400.0, "max"),
    }  # fmt: skip
    return out


def print_targets(figures: dict[str, float], quick: bool) -> None:
    """One line per target: figure, anchor, ratio, target, met or MISSED."""
    print("# targets: name value anchor=value ratio target verdict")
    for name, (anchor, bound, sense) in targets(quick).items():
        if name not in figures or (anchor is not None and anchor not in figures):
            continue
        value = figures[name]
        ratio = value / figures[anchor] if anchor is not None and figures[anchor] else value
        met = ratio >= bound if sense == "min" else ratio <= bound
        where = f"{anchor}={figures[anchor]}" if anchor is not None else "anchor=none"
        op = ">=" if sense == "min" else "<="
        verdict = "met" if met else "MISSED"
        print(f"target {name} {value} {where} ratio={ratio:.3f} target{op}{bound} {verdict}")


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


@contextmanager
def _section(name: str) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    print(f"# {name} took {time.perf_counter() - t0:.1f}s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    runners: list[tuple[str, Callable[[], list[Figure]]]] = [
        ("analysis", lambda: bench_analysis(args.quick)),
        ("dates", bench_dates),
        ("stories", lambda: bench_stories(args.quick)),
        ("web", lambda: bench_web(args.quick)),
        ("cycles", lambda: cycle_bench.run(args.quick)),
        ("bigfeed", lambda: bench_bigfeed(args.quick)),
    ]
    print(f"# load average at start: {_load()} on {os.cpu_count()} cores")
    figures: dict[str, float] = {}
    for name, runner in runners:
        with _section(name):
            for fig_name, value, unit in runner():
                figures[fig_name] = value
                print(f"{fig_name} {value} {unit}", flush=True)
    print(f"# load average at end: {_load()}")
    print_targets(figures, args.quick)
    elapsed = (datetime.now(UTC) - started) / timedelta(seconds=1)
    print(f"bench_total {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
