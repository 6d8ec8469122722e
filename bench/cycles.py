"""Cycle benchmark: ``monitor once`` against the feed farm, beside its anchors in the same run.

* first fetch (seeding) of N feeds and the all-304 cycle, each beside the plain httpx +
  feedparser floor (``bench.floor``) polling the same feeds with the same limits. Like is
  compared with like: ``*_seconds`` is the cycle inside ``monitor once`` (its ``seconds=``,
  from the cycle's start to its report) and ``*_floor_seconds`` the floor inside its script
  (first request to last answer); neither counts its interpreter start and imports, which
  the daemon pays once, not per cycle. ``*_process_seconds`` are both whole processes, timed
  from outside (start-up, imports, config and state included; no target);
* the alerting cycle: every page fetched, extracted, analysed, put in its story, beside the
  extraction ceiling (``trafilatura.extract`` on pages of the same farm, per core, x2);
* memory: the daemon plus its worker processes, as the peak of the sum of their PSS
  (``/proc/<pid>/smaps_rollup``: shared pages counted once across them), sampled every
  0.1 s.

Default concurrency (``HttpSettings()``), and ``first_wave_seconds`` high enough that every
source lands in the first wave: articles are processed in publication order, so two runs
give the same stories and alerts (the alert count is printed to check it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import trafilatura

from bench.server import farm_pages, feed_urls, serve_farm
from monitor.settings import HttpSettings

Figure = tuple[str, float, str]
CORES = 2  # the ceiling is per core x 2: the machine this project runs on


def run(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    seed_feeds = 40 if quick else 1000
    alert_feeds = 6 if quick else 100
    with serve_farm(seed_feeds) as port, tempfile.TemporaryDirectory() as tmp:
        urls = feed_urls(port, seed_feeds)
        state = Path(tmp) / "poll"
        config = _config(state, urls)
        floor = _floor(urls, etag=None)
        cycle = _once(config)
        figures += _pair(f"cycle_first_fetch_{seed_feeds}_feeds", cycle, floor)
        floor = _floor(urls, etag='"farm-v2"')
        cycle = _once(config)
        figures += _pair(f"cycle_all_304_{seed_feeds}_feeds", cycle, floor)
        print(
            "# cycle_*_seconds, *_floor_seconds: inside each process (the cycle; first request"
            " to last answer); *_process_seconds: whole processes, start-up and imports included",
            flush=True,
        )
    with serve_farm(alert_feeds) as port, tempfile.TemporaryDirectory() as tmp:
        pages = alert_feeds * 30
        ceiling = extraction_ceiling(farm_pages(alert_feeds, 30, 12 if quick else 40))
        config = _config(Path(tmp) / "alert", feed_urls(port, alert_feeds))
        cycle = _once(config, "--alert-on-first-run")
        name = f"cycle_alerting_{pages}_pages"
        figures += [
            (f"{name}_seconds", cycle.seconds, "s"),
            (f"{name}_rate", round(pages / cycle.seconds, 1), "pages/s"),
            ("extraction_ceiling_2_cores", round(ceiling, 1), "pages/s"),
            (f"{name}_alerts", float(cycle.alerts), "alerts"),
            (f"{name}_pss_peak", cycle.pss_mb, "MB"),
            (f"{name}_processes", float(cycle.processes), "processes"),
        ]
    return figures


class _Run:
    def __init__(
        self, seconds: float, alerts: int, pss_mb: float, processes: int, process_s: float
    ) -> None:
        self.seconds, self.alerts, self.pss_mb, self.processes = seconds, alerts, pss_mb, processes
        self.process_seconds = process_s  # the whole ``monitor once`` process


def _pair(name: str, cycle: _Run, floor: tuple[float, float]) -> list[Figure]:
    return [
        (f"{name}_seconds", cycle.seconds, "s"),
        (f"{name}_floor_seconds", round(floor[0], 3), "s"),
        (f"{name}_process_seconds", round(cycle.process_seconds, 3), "s"),
        (f"{name}_floor_process_seconds", round(floor[1], 3), "s"),
        (f"{name}_pss_peak", cycle.pss_mb, "MB"),
    ]


def extraction_ceiling(pages: list[bytes]) -> float:
    """Pages/s two cores could extract: ``trafilatura.extract`` alone, one core, x2."""
    html = [p.decode("utf-8") for p in pages]
    trafilatura.extract(html[0])  # warm up
    t0 = time.perf_counter()
    for text in html:
        trafilatura.extract(text)
    return CORES * len(html) / (time.perf_counter() - t0)


def _config(state: Path, urls: list[str]) -> Path:
    state.mkdir(parents=True, exist_ok=True)
    sources = "\n".join(
        f'[[sources]]\nid = "f{i}"\nname = "منفذ {i}"\nurl = "{url}"\n'
        for i, url in enumerate(urls)
    )
    text = (
        # one wave: every source is processed in publication order (same alerts each run)
        f'[monitor]\nstate_dir = "state"\nlog_level = "error"\nfirst_wave_seconds = 3600\n'
        "[http]\nallow_private_addresses = true\n"
        f'[[channels]]\ntype = "jsonl"\npath = "alerts.jsonl"\n{sources}'
    )
    path = state / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _floor(urls: list[str], etag: str | None) -> tuple[float, float]:
    """The floor's own ``seconds=`` and its whole process's wall time."""
    http = HttpSettings()
    cmd = [sys.executable, "-m", "bench.floor", "--concurrency", str(http.concurrency)]
    cmd += ["--per-host", str(http.per_host_concurrency), *urls]
    if etag:
        cmd += ["--etag", etag]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return _field(out.stdout, "seconds"), time.perf_counter() - t0


def _once(config: Path, *extra: str) -> _Run:
    """One ``monitor once`` cycle: its own wall time (summary line), alerts, peak PSS."""
    cmd = [sys.executable, "-m", "monitor", "--config", str(config), "once", *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = _PssSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    process_s = time.perf_counter() - t0
    sampler.stop()
    if proc.returncode not in (0, 1):  # 1: some source failed, still a cycle
        raise RuntimeError(f"monitor once failed: {err.strip()[-500:]}")
    return _Run(
        _field(out, "seconds"),
        int(_field(out, "alerts")),
        round(sampler.peak_kb / 1024, 1),
        sampler.processes,
        process_s,
    )


def _field(text: str, key: str) -> float:
    for token in text.split():
        if token.startswith(f"{key}="):
            return float(token.split("=", 1)[1])
    raise RuntimeError(f"no {key}= in output: {text[-300:]}")


class _PssSampler(threading.Thread):
    """Peak of the summed PSS of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.processes = 1
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.1):
            pids = _tree(self.pid)
            self.processes = max(self.processes, len(pids))
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in pids))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
