"""The command line: the only module that prints. ``main(argv) -> exit code``.

Commands: once, run, demo, analyze, check-config, timeline, status, outbox, healthcheck.
Any ``MonitorError`` becomes one line on stderr and exit code 1 (2 for usage errors);
``--verbose`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from monitor import __version__
from monitor.alerts.report import outbox_report
from monitor.analysis.analyzer import Analyzer
from monitor.config.load import Config, default_config, load_config
from monitor.demo.server import serve_demo
from monitor.errors import ConfigError, MonitorError
from monitor.models import MilestoneState, Source
from monitor.ops.analyze import run_analyze
from monitor.ops.logs import setup_logging
from monitor.ops.scheduler import Daemon, last_cycle_health
from monitor.ops.status import status_json, status_text
from monitor.pipeline.cycle import run_cycle
from monitor.pipeline.runtime import Runtime
from monitor.settings import VERDICTS, ChannelConfig
from monitor.sources.extract import extract_main_text
from monitor.store import Store
from monitor.timeline.table import milestone_json, milestone_table

ENV_CONFIG = "MONITOR_CONFIG"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # --config/--verbose may come before or after the command; SUPPRESS keeps either.
    args.config = getattr(args, "config", None)
    args.verbose = getattr(args, "verbose", False)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        result: int = args.func(args)
        return result
    except MonitorError as exc:
        if args.verbose:
            raise
        print(f"monitor: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _one_line(exc: MonitorError) -> str:
    if isinstance(exc, ConfigError) and len(exc.problems) > 1:
        return f"{len(exc.problems)} config problems: " + " | ".join(exc.problems)
    return " ".join(str(exc).split())


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help=f"path to monitor.toml (default: ${ENV_CONFIG} or ./config/monitor.toml)",
    )
    common.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=argparse.SUPPRESS,
        help="debug logging; tracebacks instead of one-line errors",
    )
    p = argparse.ArgumentParser(
        prog="monitor",
        parents=[common],
        description="Watch Arabic news for the coalition's withdrawal from Iraq.",
    )
    p.add_argument("--version", action="version", version=f"monitor {__version__}")
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, parents=[common], help=help, description=help)
        cmd.set_defaults(func=func)
        return cmd

    once = add("once", _cmd_once, "run one cycle: poll every source, analyse, alert, deliver")
    once.add_argument(
        "--alert-on-first-run",
        action="store_true",
        help="alert on an empty state instead of seeding it silently",
    )
    run = add("run", _cmd_run, "run the daemon (polls each source at its interval)")
    run.add_argument(
        "--alert-on-first-run",
        action="store_true",
        help="alert on an empty state instead of seeding it silently",
    )
    add("demo", _cmd_demo, "serve the bundled demo feeds locally and run one cycle on them")
    an = add("analyze", _cmd_analyze, "analyse articles given as JSON Lines; write JSON Lines")
    an.add_argument("--input", "-i", default="-", help="JSON Lines file, or - for stdin")
    an.add_argument("--format", choices=("json", "text"), default="json")
    add("check-config", _cmd_check_config, "validate the config and print it, secrets redacted")
    tl = add("timeline", _cmd_timeline, "print the timeline with each milestone's status")
    tl.add_argument("--json", action="store_true", help="JSON for scripts")
    st = add("status", _cmd_status, "sources' health, last cycle and outbox counts")
    st.add_argument("--json", action="store_true", help="JSON for scripts")
    ob = add("outbox", _cmd_outbox, "list pending, failed and dead deliveries")
    ob.add_argument("action", nargs="?", choices=("list", "retry"), default="list")
    ob.add_argument("delivery_id", nargs="?", type=int, help="with retry: the delivery to requeue")
    add("healthcheck", _cmd_healthcheck, "exit 0 when the last good cycle is recent enough")
    return p


# --------------------------------------------------------------------------- helpers


def _config_path(args: argparse.Namespace) -> Path:
    if args.config:
        return Path(args.config)
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    default = Path("config/monitor.toml")
    if default.is_file():
        return default
    raise ConfigError(f"no config given: pass --config PATH or set ${ENV_CONFIG}")


def _load(args: argparse.Namespace, *, require_sources: bool = True) -> Config:
    config = load_config(_config_path(args), require_sources=require_sources)

    setup_logging("debug" if args.verbose else config.log_level, config.log_format)
    return config


def _runtime(config: Config, **kw: Any) -> Any:

    return Runtime(config=config, store=Store.open(config.state_dir), **kw)


def _print_summary(report: Any) -> None:
    fields = report.summary
    print("cycle: " + " ".join(f"{k}={v}" for k, v in fields.items()))


# --------------------------------------------------------------------------- commands


def _cmd_once(args: argparse.Namespace) -> int:

    rt = _runtime(_load(args))
    try:
        report = run_cycle(rt, alert_on_first_run=True if args.alert_on_first_run else None)
    finally:
        rt.store.close()
    _print_summary(report)
    if report.sources and not report.sources_ok:
        # Cron and CI see a cycle that reached no source at all as a failure.
        print(
            f"monitor: all {report.sources_failed} sources failed; see `monitor status`",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_run(args: argparse.Namespace) -> int:

    rt = _runtime(_load(args))
    try:
        return Daemon(rt, alert_on_first_run=True if args.alert_on_first_run else None).run()
    finally:
        rt.store.close()


def _cmd_demo(args: argparse.Namespace) -> int:

    with tempfile.TemporaryDirectory(prefix="monitor-demo-") as tmp, serve_demo() as site:
        if args.config:
            base = load_config(Path(args.config), require_sources=False)
        else:
            base = default_config(Path(tmp))
        setup_logging("debug" if args.verbose else "warning", base.log_format)
        sources = tuple(Source(id=f.id, url=f.url, name=f.name) for f in site.feeds)
        # Demo alerts are marked on every channel and never enter a JSON-Lines archive.
        channels = tuple(c for c in base.channels if c.type != "jsonl")
        for skipped in (c for c in base.channels if c.type == "jsonl"):
            print(f"demo: channel {skipped.name!r} (jsonl) skipped: demo alerts are not archived")
        if not any(c.type == "console" for c in channels):
            channels = (ChannelConfig("console", "console", VERDICTS, ()), *channels)
        config = replace(
            base,
            state_dir=Path(tmp),
            sources=sources,
            channels=channels,
            alert_on_first_run=True,
            http=replace(base.http, allow_private_addresses=True),
        )
        print(f"demo: serving {len(sources)} bundled feeds at {site.base_url}\n")
        rt = _runtime(config, console=sys.stdout, demo=True)
        try:
            report = run_cycle(rt, alert_on_first_run=True)
        finally:
            rt.store.close()
        _print_summary(report)
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:

    if args.config:
        config = load_config(Path(args.config), require_sources=False)
    else:
        config = default_config(Path(tempfile.gettempdir()))
    analyzer = Analyzer(config.rules, config.timeline)
    if args.input == "-":
        return run_analyze(sys.stdin, sys.stdout, analyzer, args.format, _page_text)
    try:
        with open(args.input, encoding="utf-8") as inp:
            return run_analyze(inp, sys.stdout, analyzer, args.format, _page_text)
    except FileNotFoundError:
        raise ConfigError(f"{args.input}: file not found") from None
    except OSError as exc:  # a directory, no permission: one line, not a traceback
        raise ConfigError(f"{args.input}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{args.input}: not UTF-8 (byte {exc.start})") from None


def _page_text(html: str, url: str | None) -> str:
    """The daemon's main-text extraction; a page it finds nothing in is read as plain text."""

    text = extract_main_text(html, url)
    return text if text else BeautifulSoup(html, "html.parser").get_text("\n", strip=True)


def _cmd_check_config(args: argparse.Namespace) -> int:
    config = load_config(_config_path(args))
    print(json.dumps(config.redacted(), ensure_ascii=False, indent=2, default=str))
    return 0


def _open_store_readonly(config: Config) -> Any:

    # No daemon lock: status and healthcheck must work while the daemon runs.
    return Store.open(config.state_dir, lock=False)


def _cmd_timeline(args: argparse.Namespace) -> int:

    config = load_config(_config_path(args), require_sources=False)
    store = _open_store_readonly(config)
    try:
        states = _milestone_states(store.completed_milestones(), store.milestone_reports())
        titles = store.story_titles(
            sid
            for st in states.values()
            for sid in (st.completed_by or "", *st.supporting, *st.contradicting)
        )
    finally:
        store.close()
    if args.json:
        print(json.dumps(milestone_json(config.timeline, states), ensure_ascii=False, indent=2))
    else:
        today = datetime.now(UTC).date()
        print(milestone_table(config.timeline, states, titles, today))
    return 0


def _milestone_states(
    completed: dict[str, str], reports: dict[str, dict[str, list[str]]]
) -> dict[str, MilestoneState]:
    """Combine the store's completions and per-verdict reports into one state per event."""
    states = {}
    for event_id in set(completed) | set(reports):
        verdicts = reports.get(event_id, {})
        states[event_id] = MilestoneState(
            event_id=event_id,
            status="completed" if event_id in completed else "planned",
            completed_by=completed.get(event_id),
            supporting=tuple(
                dict.fromkeys(verdicts.get("consistent", []) + verdicts.get("completed", []))
            ),
            contradicting=tuple(dict.fromkeys(verdicts.get("conflicting", []))),
        )
    return states


def _cmd_status(args: argparse.Namespace) -> int:

    config = load_config(_config_path(args))
    store = _open_store_readonly(config)
    try:
        data = status_json(config, store)
    finally:
        store.close()
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else status_text(data))
    return 0


def _cmd_outbox(args: argparse.Namespace) -> int:

    config = load_config(_config_path(args), require_sources=False)
    store = _open_store_readonly(config)
    try:
        if args.action == "retry":
            if args.delivery_id is None:
                raise ConfigError("outbox retry: give the delivery id (see `monitor outbox`)")
            with store.transaction():
                found = store.requeue_delivery(args.delivery_id)
            if not found:
                raise ConfigError(f"outbox retry: no delivery with id {args.delivery_id}")
            print(f"delivery {args.delivery_id} requeued")
            return 0
        print(outbox_report(store))
    finally:
        store.close()
    return 0


def _cmd_healthcheck(args: argparse.Namespace) -> int:

    config = load_config(_config_path(args), require_sources=False)
    store = _open_store_readonly(config)
    try:
        ok, why = last_cycle_health(store, config.health.max_cycle_age_minutes)
    finally:
        store.close()
    print(why, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1
