"""The command line: the only module that prints. ``main(argv) -> exit code``.

Commands: once, run, serve, demo, analyze, eval, check-config, timeline, status, story,
digest, outbox, sources, healthcheck. Any ``MonitorError`` becomes one line on stderr and exit
code 1 (2 for usage errors), and so does any error of the state database (never a traceback);
``--verbose`` shows the traceback instead. A reader that closes the pipe early (``| head``)
ends the command quietly with exit code 141, as a process killed by SIGPIPE.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bs4 import BeautifulSoup

from monitor import __version__
from monitor.alerts.report import outbox_report
from monitor.analysis.analyzer import Analyzer
from monitor.config.load import Config, default_config, load_config, web_listen
from monitor.config.opml import read_opml, sources_toml
from monitor.demo.server import serve_demo
from monitor.errors import ConfigError, MonitorError
from monitor.models import Source
from monitor.normalize import strip_invisible
from monitor.ops.analyze import run_analyze
from monitor.ops.digestsend import chosen_channels, send_digests
from monitor.ops.dryrun import dry_run
from monitor.ops.evaluate import Floors, load_floors, run_eval
from monitor.ops.logs import setup_logging
from monitor.ops.scheduler import Daemon, last_cycle_health
from monitor.ops.status import status_json, status_text
from monitor.ops.story import resolve_story_id, story_text, story_view
from monitor.pipeline.cycle import first_run_flag_note, run_cycle, seeding_note
from monitor.pipeline.runtime import Runtime, freeze_long_lived
from monitor.settings import VERDICTS, ChannelConfig
from monitor.sources.extract import extract_main_text
from monitor.store import DB_NAME, Store
from monitor.store.base import db_error
from monitor.store.check import RECOVERY_HINT
from monitor.timeline.table import WIDTH as TIMELINE_WIDTH
from monitor.timeline.table import milestone_json, milestone_states, milestone_table
from monitor.web.app import WebContext
from monitor.web.server import WebServer

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
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return result
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except MonitorError as exc:
        if args.verbose:
            raise
        print(f"monitor: {_one_line(exc)}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # a read on a damaged database, outside any transaction
        if args.verbose:
            raise
        print(f"monitor: {_one_line(db_error(exc, None))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


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
        name: str,
        func: Callable[[argparse.Namespace], int],
        help: str,
        parent: argparse.ArgumentParser = common,
    ) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, parents=[parent], help=help, description=help)
        cmd.set_defaults(func=func)
        return cmd

    once = add("once", _cmd_once, "run one cycle: poll every source, analyse, alert, deliver")
    once.add_argument(
        "--alert-on-first-run",
        action="store_true",
        help="alert on an empty state instead of seeding it silently",
    )
    once.add_argument(
        "--dry-run",
        action="store_true",
        help="analyse and show what would alert, on a copy of the state: deliver nothing, "
        "record nothing (works beside a running daemon)",
    )
    run = add("run", _cmd_run, "run the daemon (polls each source at its interval)")
    run.add_argument(
        "--alert-on-first-run",
        action="store_true",
        help="alert on an empty state instead of seeding it silently",
    )
    serve = add(
        "serve",
        _cmd_serve,
        "serve the web pages (stories, timeline, sources, outbox) over the state, read-only",
    )
    serve.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="address to listen on (default: [web] listen, 127.0.0.1:8080)",
    )
    demo = add(
        "demo",
        _cmd_demo,
        "serve the bundled demo feeds locally and run one cycle on them",
        _demo_options(),
    )
    demo.add_argument(
        "--serve",
        action="store_true",
        help="then keep the web pages up on the demo's state until Ctrl-C",
    )
    demo.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="with --serve: address of the pages (default: 127.0.0.1:8080)",
    )
    an = add("analyze", _cmd_analyze, "analyse articles given as JSON Lines; write JSON Lines")
    an.add_argument("--input", "-i", default="-", help="JSON Lines file, or - for stdin")
    an.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json: one JSON object per input line (the contract in README); text: the same "
        "for a person to read (default: %(default)s)",
    )
    ev = add("eval", _cmd_eval, "score the analysis against labelled articles (a backtest)")
    ev.add_argument("--labels", type=Path, required=True, help="labelled articles, JSON Lines")
    ev.add_argument("--claims", type=Path, help="claim expectations (JSON)")
    ev.add_argument("--scoring", type=Path, help="borderline ids and neutral story groups (JSON)")
    ev.add_argument("--format", choices=("text", "json"), default="text")
    ev.add_argument("--floors", type=Path, help="TOML file with a [floors] table of the minimums")
    ev.add_argument(
        "--replay",
        action="store_true",
        help="take the stories from the daemon: serve the articles as local feeds, run one"
        " cycle on a temporary state, and also score its new-story alerts",
    )
    for flag, what in (
        ("--min-f1", "relevance F1"),
        ("--min-story-precision", "story pairwise precision"),
        ("--min-story-recall", "story pairwise recall"),
        ("--min-claims", "claim expectations held: a count, or a share when below 1"),
    ):
        ev.add_argument(flag, type=_non_negative, metavar="X", help=f"minimum {what}; exit 1 below")
    add("check-config", _cmd_check_config, "validate the config and print it, secrets redacted")
    tl = add("timeline", _cmd_timeline, "print the timeline with each milestone's status")
    tl.add_argument("--json", action="store_true", help="JSON for scripts")
    tl.add_argument(
        "--wide",
        action="store_true",
        help="one line per milestone, however wide (default: a block each, within 100 columns)",
    )
    st = add("status", _cmd_status, "sources' health, last cycle and outbox counts")
    st.add_argument("--json", action="store_true", help="JSON for scripts")
    st.add_argument(
        "--check",
        action="store_true",
        help="also run SQLite's full integrity check of the state (exit 1 when damaged)",
    )
    story = add("story", _cmd_story, "one story: its outlets, claims with verdicts, alerts sent")
    story.add_argument(
        "story_id", help="the story id or its first characters (alerts and `monitor timeline`)"
    )
    so = add("sources", _cmd_sources, "import a feed reader's OPML list as [[sources]] TOML")
    so.add_argument("action", choices=("import",), help="import: print [[sources]] tables")
    so.add_argument("opml", type=Path, metavar="FILE.opml", help="the OPML file to read")
    dg = add("digest", _cmd_digest, "send what waits for a channel's daily digest now")
    dg.add_argument("action", choices=("send",), help="send: build the digest and send it now")
    dg.add_argument(
        "--channel", metavar="NAME", help="only this channel's digest (default: every channel)"
    )
    ob = add("outbox", _cmd_outbox, "list pending, failed and dead deliveries")
    ob.add_argument("action", nargs="?", choices=("list", "retry"), default="list")
    ob.add_argument("delivery_id", nargs="?", type=int, help="with retry: the delivery to requeue")
    add("healthcheck", _cmd_healthcheck, "exit 0 when the last good cycle is recent enough")
    return p


def _demo_options() -> argparse.ArgumentParser:
    """``demo`` reads a config only when given one (no $MONITOR_CONFIG, no ./config default)."""
    demo = argparse.ArgumentParser(add_help=False)
    demo.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help="also send the demo alerts (marked DEMO) to FILE's email and webhook channels and "
        "use its keywords and timeline (default: none; the bundled defaults and the console)",
    )
    demo.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        default=argparse.SUPPRESS,
        help="debug logging; tracebacks instead of one-line errors",
    )
    return demo


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

    rt = Runtime(config=config, store=Store.open(config.state_dir), **kw)
    freeze_long_lived()
    return rt


def _print_summary(report: Any) -> None:
    fields = report.summary
    print("cycle: " + " ".join(f"{k}={v}" for k, v in fields.items()))


# --------------------------------------------------------------------------- commands


def _cmd_once(args: argparse.Namespace) -> int:
    first_run = True if args.alert_on_first_run else None
    config = _load(args)
    if args.dry_run:
        found = dry_run(config, alert_on_first_run=first_run)
        report = found.report
        if found.text:
            print(found.text, end="\n\n")
    else:
        rt = _runtime(config)
        try:
            flag_note = first_run_flag_note(rt) if first_run else None
            if flag_note:
                print(flag_note, file=sys.stderr)
            report = run_cycle(rt, alert_on_first_run=first_run)
        finally:
            rt.store.close()
    note = seeding_note(report, config.sources)
    if note:
        print(note)
    _print_summary(report)
    if args.dry_run:
        n = len(found.alerts)
        print(
            f"dry run: {n} alert{'s' if n != 1 else ''} would be sent;"
            " nothing was delivered or recorded (the state is as it was)"
        )
    if report.store_error:
        print(f"monitor: cycle failed: {report.store_error}", file=sys.stderr)
        return 1
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
        flag_note = first_run_flag_note(rt) if args.alert_on_first_run else None
        if flag_note:
            print(flag_note, file=sys.stderr)
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
            http=replace(base.http, allow_private_addresses=True, allow_private_sources=True),
        )
        print(f"demo: serving {len(sources)} bundled feeds at {site.base_url}\n")
        rt = _runtime(config, console=sys.stdout, demo=True)
        try:
            report = run_cycle(rt, alert_on_first_run=True)
        finally:
            rt.store.close()
        _print_summary(report)
        if args.serve:  # the demo's feeds stay up too, so the pages' links still answer
            return _serve_pages(config, args.listen)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    config = _load(args, require_sources=False)
    if not (config.state_dir / DB_NAME).is_file():
        raise ConfigError(
            f"serve: no state in {config.state_dir} yet (run `monitor once` or `monitor run`)"
        )
    Store.open(config.state_dir, lock=False).close()  # migrate once; pages read read-only
    return _serve_pages(config, args.listen)


def _serve_pages(config: Config, listen: str | None) -> int:
    """Serve the web pages over ``config``'s state until SIGINT/SIGTERM; 0 when stopped."""
    web = config.web
    if listen:
        web, problem = web_listen(web, listen)
        if problem:
            raise ConfigError(f"--listen: {problem}")

    def healthy() -> tuple[bool, str]:
        store = Store.open_readonly(config.state_dir)
        try:
            return last_cycle_health(store, config.health.max_cycle_age_minutes)
        finally:
            store.close()

    server = WebServer(WebContext(replace(config, web=web), healthy=healthy), web.host, web.port)
    try:
        server.start()
    except OSError as exc:
        raise ConfigError(
            f"web: cannot listen on {web.listen} ({exc.strerror or exc});"
            " choose another with --listen HOST:PORT"
        ) from exc
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"pages: {server.url}  (Ctrl-C to stop)", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    if args.config:
        config = load_config(Path(args.config), require_sources=False)
    else:
        config = default_config(Path(tempfile.gettempdir()))
    analyzer = Analyzer(config.rules, config.timeline)

    def analyze(inp: TextIO) -> int:
        return run_analyze(
            inp,
            sys.stdout,
            analyzer,
            args.format,
            _page_text,
            config.stories,
            config.timeline.places,
        )

    if args.input == "-":
        return analyze(sys.stdin)
    try:
        with open(args.input, encoding="utf-8") as inp:
            return analyze(inp)
    except BrokenPipeError:
        raise  # the reader of our output left (`| head`): not the input file's fault
    except FileNotFoundError:
        raise ConfigError(f"{args.input}: file not found") from None
    except OSError as exc:  # a directory, no permission: one line, not a traceback
        raise ConfigError(f"{args.input}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{args.input}: not UTF-8 (byte {exc.start})") from None


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0: {text!r}")
    return value


def _cmd_eval(args: argparse.Namespace) -> int:
    if args.config:
        config = load_config(Path(args.config), require_sources=False)
    else:
        config = default_config(Path(tempfile.gettempdir()))
    floors = load_floors(args.floors) if args.floors else Floors()
    given = {k: getattr(args, k) for k in ("min_f1", "min_story_precision", "min_story_recall")}
    given["min_claims"] = args.min_claims
    floors = replace(floors, **{k: v for k, v in given.items() if v is not None})
    return run_eval(
        sys.stdout,
        Analyzer(config.rules, config.timeline),
        args.labels,
        claims=args.claims,
        scoring=args.scoring,
        floors=floors,
        fmt=args.format,
        extract_html=_page_text,
        replay_config=config if args.replay else None,
        stories=config.stories,
        places=config.timeline.places,
    )


def _page_text(html: str, url: str | None) -> str:
    """The daemon's main-text extraction; a page it finds nothing in is read as plain text."""

    text = extract_main_text(html, url)
    return text if text else BeautifulSoup(html, "html.parser").get_text("\n", strip=True)


def _cmd_check_config(args: argparse.Namespace) -> int:
    config = load_config(_config_path(args))
    print(json.dumps(config.redacted(), ensure_ascii=False, indent=2, default=str))
    return 0


def _open_store_readonly(config: Config) -> Store:
    """The state for a command that reads it (status, timeline, story, outbox, healthcheck).

    No daemon lock: these must work while the daemon runs. A state that was never made is not
    made here (a look at a fresh clone must leave nothing behind): the command reads an empty
    one in memory, and says so in one line on stderr.
    """
    if not Store.exists(config.state_dir):
        print(f"monitor: {no_state_line(config.state_dir)}", file=sys.stderr)
        return Store.memory()
    return Store.open(config.state_dir, lock=False)


def no_state_line(state_dir: Path) -> str:
    return (
        f"no state yet in {state_dir} (no {DB_NAME}): `monitor once` or `monitor run`"
        " creates it; shown as empty"
    )


def _cmd_timeline(args: argparse.Namespace) -> int:

    config = load_config(_config_path(args), require_sources=False)
    store = _open_store_readonly(config)
    try:
        states = milestone_states(store.completed_milestones(), store.milestone_reports())
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
        width = None if args.wide else TIMELINE_WIDTH
        print(milestone_table(config.timeline, states, titles, today, width=width), end="")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:

    config = load_config(_config_path(args))
    store = _open_store_readonly(config)
    try:
        problems = store.integrity_problems() if args.check else []
        data = status_json(config, store)
    finally:
        store.close()
    if args.check:
        data["integrity"] = problems or "ok"
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else status_text(data))
    if problems:
        print(
            f"monitor: {store.path} is damaged (integrity_check:"
            f" {' '.join('; '.join(problems[:3]).split())}):"
            f" {RECOVERY_HINT.format(db=store.path)}",
            file=sys.stderr,
        )
        return 1
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
                raise ConfigError(f"outbox retry: {_why_not_retried(store, args.delivery_id)}")
            print(f"delivery {args.delivery_id} requeued")
            return 0
        print(outbox_report(store))
    finally:
        store.close()
    return 0


def _why_not_retried(store: Store, delivery_id: int) -> str:
    """Why ``outbox retry`` left a delivery alone, in words an operator can act on."""
    d = store.get_delivery(delivery_id)
    if d is None:
        return f"no delivery with id {delivery_id} (see `monitor outbox`)"
    when = f" at {d.updated_at:%Y-%m-%d %H:%M} UTC" if d.updated_at else ""
    if d.status == "sent":
        return f"delivery {delivery_id} was already sent to {d.channel}{when}: nothing to retry"
    if d.status == "digest":
        return (
            f"delivery {delivery_id} is held for {d.channel}'s daily digest, not failed: "
            f"`monitor digest send --channel {d.channel}` sends the digest now"
        )
    if d.status == "bundled":
        return f"delivery {delivery_id} went out in {d.channel}'s digest{when}: nothing to retry"
    return f"delivery {delivery_id} is {d.status}: nothing to retry"


def _cmd_sources(args: argparse.Namespace) -> int:
    """Needs no config: it only prints TOML for the user to check and paste."""
    print(sources_toml(read_opml(args.opml), args.opml.name), end="")
    return 0


def _cmd_digest(args: argparse.Namespace) -> int:
    config = _load(args, require_sources=False)
    chosen_channels(config, args.channel)  # an unknown name is an error, state or not
    if Store.exists(config.state_dir):
        sent = send_digests(config, args.channel, console=sys.stdout)
    else:  # nothing can be held for a digest yet, and sending must not make a state
        print(f"monitor: {no_state_line(config.state_dir)}", file=sys.stderr)
        sent = []
    if not sent:
        where = f"channel {args.channel}" if args.channel else "any channel"
        print(f"digest: nothing is held for the digest of {where}")
        return 0
    for record in sent:
        print(record.line)
    return 0 if all(r.status in ("sent", "queued") for r in sent) else 1


def _cmd_story(args: argparse.Namespace) -> int:
    config = load_config(_config_path(args), require_sources=False)
    store = _open_store_readonly(config)
    try:
        view = story_view(store, args.story_id)
        candidates = [] if view else resolve_story_id(store, args.story_id)
    finally:
        store.close()
    if view is None:
        raise ConfigError(_no_story(args.story_id, config.state_dir, candidates))
    print(story_text(view, config.presentation()))
    return 0


def _no_story(given: str, state_dir: Path, candidates: str | list[str]) -> str:
    shown = strip_invisible(given).strip()
    if isinstance(candidates, list) and len(candidates) > 1:
        return f"story: {shown!r} names several stories ({', '.join(candidates)}…): give more of it"
    return f"story: no story {shown!r} in {state_dir}"


def _cmd_healthcheck(args: argparse.Namespace) -> int:

    config = load_config(_config_path(args), require_sources=False)
    if not Store.exists(config.state_dir):  # before the first cycle: unhealthy, nothing made
        print("no good cycle yet", file=sys.stderr)
        return 1
    store = _open_store_readonly(config)
    try:
        ok, why = last_cycle_health(store, config.health.max_cycle_age_minutes)
    finally:
        store.close()
    print(why, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1
