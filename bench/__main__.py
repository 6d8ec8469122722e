"""``python -m bench [--quick]``: where we stand on speed and memory.

Prints one line per figure, ``name value unit``, the same names every run. Everything is
generated from our own templates and served on 127.0.0.1; nothing is downloaded. Figures:

- analysis: articles/s through normalise -> relevance -> dates -> claims -> verdicts, one
  process, for ~800- and ~3,000-character articles;
- dates: our extraction against ``dateparser.search_dates`` on the same labelled sentences
  (speed ratio and share of dates right) — dateparser is a dev dependency;
- stories: lookup and insert time and resident memory at 1k/10k/100k articles in the window;
- web: time to answer the stories page (50 stories; unfiltered, filtered, searched, page 20),
  a story and the timeline, with 10k/100k stored articles (``web.py``; 2k in ``--quick``);
- bigfeed: the parse of a 50,000-item feed listed oldest first, on an empty state and as a
  poll that finds the one item appended at its end (``bigfeed.py``);
- cycle: N feeds x 30 items with article pages on a local server, a first cycle (seeding, as
  on a fresh state), an alerting cycle that fetches and analyses every page (N=100 only), and
  an all-304 cycle; peak resident memory of the ``monitor once`` processes.

``--quick`` (run by ``make test`` and CI) uses smaller sizes so it finishes in under a minute.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import stories as story_bench
from bench import web as web_bench
from bench.bigfeed import bench_bigfeed
from bench.dates import SENTENCES, compare_with_dateparser
from bench.server import serve_farm
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
    return figures


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


# --------------------------------------------------------------------------- cycles


def bench_cycles(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    peak_mb = 0.0
    sizes = (20,) if quick else (100, 1000)
    for n in sizes:
        runs: list[tuple[str, tuple[str, ...]]] = [
            (f"cycle_first_seeding_{n}_feeds", ()),
            (f"cycle_all_304_{n}_feeds", ()),
        ]
        if n <= 100:
            runs.append((f"cycle_first_alerting_{n}_feeds_{n * 30}_pages", ("--fresh",)))
        with serve_farm(n, items=30) as base, tempfile.TemporaryDirectory() as tmp:
            for name, extra in runs:
                config = _farm_config(Path(tmp) / name if extra else Path(tmp), base, n)
                alert = ("--alert-on-first-run",) if extra else ()
                seconds, rss_mb = _timed_once(config, *alert)
                figures.append((name, seconds, "s"))
                figures.append((f"{name}_peak_rss", round(rss_mb, 1), "MB"))
                peak_mb = max(peak_mb, rss_mb)
    figures.append(("daemon_peak_rss", round(peak_mb, 1), "MB"))
    return figures


def _farm_config(tmp: Path, base: str, n: int) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    sources = "\n".join(
        f'[[sources]]\nid = "f{i}"\nname = "منفذ {i}"\nurl = "{base}/feed/{i}.xml"\n'
        for i in range(n)
    )
    text = (
        f'[monitor]\nstate_dir = "state"\nlog_level = "error"\n'
        f"[http]\nallow_private_addresses = true\nconcurrency = 32\nper_host_concurrency = 32\n"
        f'[[channels]]\ntype = "jsonl"\npath = "alerts.jsonl"\n{sources}'
    )
    path = tmp / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


# Runs a command and reports its peak RSS. It sits between the bench and ``monitor once``
# because Linux carries the parent's resident size into a child's ru_maxrss across exec:
# measured straight from this (large) process, every child would look as big as the bench.
_RSS_RUNNER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
print(f"peak_rss_kb={usage.ru_maxrss}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _timed_once(config: Path, *extra: str) -> tuple[float, float]:
    """Wall time of one ``monitor once`` cycle (as its summary line says) and the peak
    resident memory of that process and its parse workers, in MB."""
    cmd = [sys.executable, "-m", "monitor", "--config", str(config), "once", *extra]
    out = subprocess.run(
        [sys.executable, "-c", _RSS_RUNNER, *cmd], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"monitor once failed: {out.stderr.strip()[-500:]}")
    rss_kb = next(
        int(line.split("=", 1)[1]) for line in out.stderr.splitlines() if "peak_rss_kb=" in line
    )
    for field in out.stdout.split():
        if field.startswith("seconds="):
            return float(field.split("=", 1)[1]), rss_kb / 1024
    raise RuntimeError(f"no cycle summary in output: {out.stdout[-300:]}")


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
        ("cycles", lambda: bench_cycles(args.quick)),
        ("bigfeed", lambda: bench_bigfeed(args.quick)),
    ]
    for name, runner in runners:
        with _section(name):
            for fig_name, value, unit in runner():
                print(f"{fig_name} {value} {unit}", flush=True)
    elapsed = (datetime.now(UTC) - started) / timedelta(seconds=1)
    print(f"bench_total {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
