"""``python -m bench.storm [--items N] [--monitor-src DIR]``: an alert storm, measured.

N new items (default 10,000) arrive in one cycle: copies of the fixture articles with their
figures varied, so most copies join a story and add a claim (the update-alert storm of issue
13). Twenty local feeds list them (``fetch_pages = false``: the summary is the text), one
``monitor once --alert-on-first-run`` runs on a fresh state, and the figures are printed:
``storm_items``, ``storm_alerts`` (lines in the JSON-Lines channel), ``storm_stories``,
``storm_state_mb`` (the state directory afterwards), ``storm_seconds``, ``storm_peak_rss``.

Standalone (stdlib server, the CLI as a subprocess), so ``--monitor-src`` can point at another
checkout's ``src`` to measure the code before a change on the same input.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ARTICLES = Path(__file__).resolve().parents[1] / "tests/fixtures/pipeline/articles.toml"
FEEDS = 20
START = datetime(2026, 2, 3, 6, tzinfo=UTC)


def copies(count: int) -> list[tuple[str, str, datetime]]:
    """``count`` (title, text, published) copies of the fixture articles, figures varied."""
    base = tomllib.loads(ARTICLES.read_text(encoding="utf-8"))["articles"]
    out = []
    for i in range(count):
        a = base[i % len(base)]
        n = i // len(base)
        text = a["body"].replace("350", str(350 + n))  # each copy a figure of its own
        title = a["title"] if n % 3 else f"{a['title']} ({n})"
        out.append((title, text, START + timedelta(seconds=i)))
    return out


def feeds(items: list[tuple[str, str, datetime]], base_url: str) -> dict[str, bytes]:
    out = {}
    for f in range(FEEDS):
        mine = items[f::FEEDS]
        body = "".join(
            f"<item><title>{escape(t)}</title><link>{base_url}/a/{f}/{i}</link>"
            f"<pubDate>{format_datetime(p)}</pubDate><description>{escape(x)}</description></item>"
            for i, (t, x, p) in enumerate(mine)
        )
        out[f"/f/{f}.xml"] = (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>feed {f}</title><link>{base_url}/</link>{body}</channel></rss>"
        ).encode()
    return out


def serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storm")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--monitor-src", help="run the monitor of another checkout's src/")
    args = parser.parse_args(argv)
    pages: dict[str, bytes] = {}
    server = serve(pages)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    pages.update(feeds(copies(args.items), base_url))
    with tempfile.TemporaryDirectory(prefix="storm-") as tmp:
        root = Path(tmp)
        per_feed = -(-args.items // FEEDS)
        sources = "".join(
            f'[[sources]]\nid = "f{f}"\nname = "منفذ {f}"\nurl = "{base_url}/f/{f}.xml"\n'
            f"fetch_pages = false\nmax_articles_per_cycle = {per_feed}\n\n"
            for f in range(FEEDS)
        )
        (root / "monitor.toml").write_text(
            '[monitor]\nstate_dir = "state"\nlog_level = "error"\ncycle_deadline_seconds = 7200\n'
            "[http]\nallow_private_addresses = true\ntotal_timeout_seconds = 120\n"
            f"max_feed_bytes = 50000000\n\n{sources}"
            '[[channels]]\nname = "log"\ntype = "jsonl"\npath = "alerts.jsonl"\n'
            'immediate = ["conflicting", "completed", "new", "consistent"]\ndigest = []\n',
            encoding="utf-8",
        )
        env = None
        if args.monitor_src:
            env = dict(os.environ, PYTHONPATH=str(Path(args.monitor_src).resolve()))
        t0 = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "--config", "monitor.toml", "once",
             "--alert-on-first-run"],
            cwd=root, capture_output=True, text=True, env=env,
        )  # fmt: skip
        seconds = time.monotonic() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        alerts_file = root / "alerts.jsonl"
        alerts = (
            len(alerts_file.read_text(encoding="utf-8").splitlines()) if alerts_file.exists() else 0
        )
        db = sqlite3.connect(root / "state" / "monitor.db")
        stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
        alert_rows, alert_bytes = db.execute(
            "SELECT count(*), coalesce(sum(length(content)), 0) FROM alerts"
        ).fetchone()
        db.close()
        figures = [
            ("storm_items", args.items, "items"),
            ("storm_exit_code", done.returncode, "code"),
            ("storm_alerts", alerts, "alerts"),
            ("storm_alert_rows", alert_rows, "rows"),
            ("storm_alert_content_mb", round(alert_bytes / 1e6, 1), "MB"),
            ("storm_stories", stories, "stories"),
            ("storm_state_mb", round(size_mb(root / "state"), 1), "MB"),
            ("storm_seconds", round(seconds, 1), "s"),
            ("storm_peak_rss", round(peak, 1), "MB"),
        ]
        for name, value, unit in figures:
            print(f"{name} {value} {unit}", flush=True)
        if done.returncode:
            print(json.dumps(done.stderr[-2000:]), file=sys.stderr)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
