"""One cycle, start to end: the only module that knows the order of the stages.

    for each due source, concurrently:   fetch feed -> parse -> new entries -> fetch pages
                                         -> extract and read articles (worker processes)
    first wave, in publication order,    analyse -> story -> alerts into the outbox,
    each article once it is read:        entries and story in one transaction per article
    later sources, as each completes:    the same, in order
    then:                                dispatch the outbox, health checks, prune

A source that fails (fetch, parse, deadline) is recorded against that source only; the others
go on. The first cycle on an empty state seeds it (marks what the feeds list as seen) without
alerting, unless asked to alert. ``monitor once`` and ``monitor run`` both call ``run_cycle``.

A write that fails (a full disk, a damaged database) ends the cycle where it is and fails it:
what was committed stays, the rest is read again next cycle, nothing is delivered, and the
report, the beacon (``store/beacon.py``), the metrics and the exit code of ``monitor once`` say
so. A stop request (SIGTERM) leaves the articles not yet analysed for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from monitor.alerts.compose import story_alert
from monitor.alerts.dispatch import DispatchReport
from monitor.analysis.analyzer import publication_day
from monitor.errors import FetchError, ParseError, StoreError
from monitor.models import (
    Article,
    ArticleAnalysis,
    ArticleReading,
    CycleReport,
    FailureKind,
    FeedEntry,
    FetchResult,
    HttpCache,
    PageFetches,
    Source,
    SourceHealth,
    SourceOutcome,
)
from monitor.pipeline import pagegate, prepare, sourcehealth, storm
from monitor.pipeline.runtime import Runtime, SourceBatch
from monitor.sources import feedscan, parse
from monitor.sources.fetch import Fetcher
from monitor.store import db_error, utcnow
from monitor.stories.desk import StoryDesk
from monitor.stories.index import DocText

log = logging.getLogger("monitor.pipeline.cycle")
# After a stop request, articles already fetched are still analysed for this long; the rest
# stays unseen and is read again at the next start (the exit must beat Docker's 10 s).
STOP_PROCESS_SECONDS = 3.0
QUARANTINE_AFTER = 3  # failures of one article before it is set aside (``monitor status``)
_NO_DATE = datetime.min.replace(tzinfo=UTC)  # an undated entry's time in the page order


@dataclass
class _Tally:
    articles: int = 0
    relevant: int = 0
    stories_new: int = 0
    stories_updated: int = 0
    alerts: int = 0
    held: int = 0  # deliveries of this cycle's alerts waiting for a digest
    seeded: bool = False
    # story id -> the update alert carrying it in this cycle (later updates fold into it,
    # ``storm.queue_alert``): a story counts once in ``stories_updated``
    updates: dict[str, str] = field(default_factory=dict)
    outcomes: list[SourceOutcome] = field(default_factory=list)
    stop_seen: float | None = None  # time.monotonic() when the loop first saw a stop request

    def out_of_time(self, stopping: threading.Event) -> bool:
        """Whether the stop request's processing budget is spent."""
        if not stopping.is_set():
            return False
        now = time.monotonic()
        self.stop_seen = self.stop_seen or now
        return now - self.stop_seen > STOP_PROCESS_SECONDS


def run_cycle(rt: Runtime, *, alert_on_first_run: bool | None = None) -> CycleReport:
    """Run one full cycle and return its report (also logged and stored).

    A failed write does not raise: it ends the cycle and the report's ``store_error`` says why.
    """
    started = utcnow()
    t0 = time.monotonic()
    wants_alerts = (
        rt.config.alert_on_first_run if alert_on_first_run is None else alert_on_first_run
    )
    tally = _Tally()
    delivered = DispatchReport()
    store_error: StoreError | None = None
    try:
        _run_stages(rt, wants_alerts, tally, started)
        # Stopping: the outbox is durable, the next start delivers; exit within the grace.
        # A dry run (on a copy of the state) only shows what is queued: nothing is sent.
        if not rt.stopping.is_set() and not rt.dry_run:
            delivered = rt.dispatcher().dispatch(utcnow())
        tally.held = rt.store.held_for_digest(started)
        rt.metrics.count_deliveries(delivered.outcomes)
        if delivered.store_error:
            raise StoreError(delivered.store_error, disk_full=delivered.disk_full)
        _prune(rt)
    except StoreError as exc:
        store_error = exc
    report = _report(started, tally, delivered, store_error)
    ok = store_error is None and (report.sources_ok > 0 or not report.sources)
    if store_error is None:
        try:
            with rt.store.transaction():
                rt.store.record_cycle(report, ok)
        except StoreError as exc:
            store_error, ok = exc, False
            report = replace(report, store_error=str(exc))
    rt.note_store(store_error, cycle_ok=ok)
    _count_cycle(rt, report, ok, time.monotonic() - t0)
    note = seeding_note(report, rt.config.sources)
    if note:
        log.info(note, extra={"kv": {"seeded_items": report.seeded_items}})
    if store_error is not None:
        log.error("cycle failed: the state cannot be written", extra={"kv": report.summary})
    else:
        log.info("cycle finished", extra={"kv": report.summary})
    return report


def _run_stages(rt: Runtime, wants_alerts: bool, tally: _Tally, started: datetime) -> None:
    """Fetch, process and check the sources; a database error comes out as ``StoreError``."""
    try:
        if rt.desk_stale:  # the last cycle failed mid-story: start again from what was stored
            rt.desk = StoryDesk(rt.store, rt.config.stories, places=rt.config.timeline.places)
            rt.desk_stale = False
        asyncio.run(_fetch_and_process(rt, wants_alerts, tally))
        sourcehealth.check_sources(rt, started)
    except sqlite3.Error as exc:  # a read on a damaged database (writes raise StoreError)
        raise db_error(exc, rt.store.path) from exc


def _prune(rt: Runtime) -> None:
    with rt.store.transaction():
        keep = timedelta(days=max(rt.config.stories.window_days * 4, 30))
        rt.store.prune_entries(keep)
        rt.store.prune_outbox(utcnow() - keep)  # delivered and dead rows; pending ones stay
        rt.desk.prune(utcnow())


def _report(
    started: datetime,
    tally: _Tally,
    delivered: DispatchReport,
    store_error: StoreError | None,
) -> CycleReport:
    return CycleReport(
        started_at=started,
        finished_at=utcnow(),
        sources=tuple(tally.outcomes),
        articles=tally.articles,
        relevant=tally.relevant,
        stories_new=tally.stories_new,
        stories_updated=tally.stories_updated,
        alerts=tally.alerts,
        deliveries_ok=delivered.sent,
        deliveries_failed=delivered.failed + delivered.dead,
        held_for_digest=tally.held,
        seeded=tally.seeded,
        store_error=None if store_error is None else str(store_error),
    )


def seeding_note(report: CycleReport, sources: Sequence[Source]) -> str | None:
    """One line saying that sources seeded (marked what they list as seen, no alert), or None.

    A first run that prints nothing but ``alerts=0`` looks broken; this says why and how not to.
    It is the first run when every enabled source of ``sources`` (the config's) seeded now;
    otherwise the sources added since are named.
    """
    seeded = [s for s in report.sources if s.seeded_items]
    if not report.seeded or not seeded:
        return None
    n = report.seeded_items
    items = f"{n} item{'s' if n != 1 else ''} marked as seen"
    # Said now, because later the flag cannot help: what was marked seen stays seen.
    hint = "they stay seen (to alert on them, run on an empty state with `--alert-on-first-run`)"
    enabled = {s.id for s in sources if s.enabled}
    if enabled <= {s.source_id for s in seeded}:
        return f"first run: {items}, no alerts; {hint}"
    names = ", ".join(s.source_id for s in seeded)
    return f"first fetch of {names}: {items} there, no alerts for them; {hint}"


def first_run_flag_note(rt: Runtime) -> str | None:
    """Why ``--alert-on-first-run`` will change nothing for some sources, or None.

    The flag only stops a source's first good fetch from seeding; a source fetched before
    already marked what it listed as seen, and those items never alert.
    """
    fetched = [s.id for s in rt.config.sources if rt.store.get_health(s.id).last_success]
    if not fetched:
        return None
    names = ", ".join(fetched[:5]) + (f" and {len(fetched) - 5} more" if len(fetched) > 5 else "")
    return (
        f"--alert-on-first-run: {names} fetched before; what they listed then stays seen"
        " (the flag applies to a source's first fetch: use an empty state to alert on it)"
    )


# --------------------------------------------------------------------------- fetch phase


async def _fetch_and_process(rt: Runtime, wants_alerts: bool, tally: _Tally) -> None:
    """Fetch every due source concurrently and process what comes in (see ``_process``).

    The first wave is the sources whose feed is read within ``first_wave_seconds``: their
    articles are processed together, in publication order, each as soon as it and every
    article before it are extracted and read (``_stream_wave``), while the later pages are
    still being fetched and read by the workers. A slower source is processed as soon as it
    lands, so it never holds up the alerts of the others. A source with no article to
    analyse (seeding, not modified, failed, nothing new) is recorded the moment it lands
    (``_fetch_and_record``): its writes overlap the other sources' fetches and parses.
    """
    now = utcnow()
    stored = {h.source_id: h for h in rt.store.all_health()}  # one read, not two per source
    health = {s.id: stored.get(s.id) or SourceHealth(s.id) for s in rt.config.sources}
    due = [s for s in rt.config.sources if s.enabled and _is_due(rt, s, health[s.id], now)]
    seeding = {s.id: _seeds(health[s.id], wants_alerts) for s in due}
    _start_workers(rt, due)
    outcomes = tally.outcomes  # filled as sources complete: a store error keeps what was done
    wave = _Wave(caches=rt.store.http_caches(s.url for s in due))
    async with Fetcher(rt.config.http) as fetcher:
        tasks = {
            asyncio.create_task(_fetch_and_record(rt, fetcher, s, seeding[s.id], tally, wave)): s
            for s in due
        }
        wave.waiting = {s.id for s in due}
        for task, source in tasks.items():
            task.add_done_callback(functools.partial(wave.settle, source.id))
        pending = set(tasks)
        try:
            async with sourcehealth.cycle_deadline(rt):  # brought forward by a SIGTERM
                await _first_wave(rt, wave, tasks, tally)
                done = {t for t in pending if t.done()}
                pending -= done
                outcomes += _process_unrecorded(rt, [t.result() for t in done], tally)
                while pending:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    outcomes += _process_unrecorded(rt, [t.result() for t in done], tally)
            _record_landed(rt, wave, tally)
        except TimeoutError:
            # A source that landed with nothing to process may still be waiting for the
            # others of its turn to be recorded with them: it is not one the deadline cut.
            landed = {b.source.id for b in wave.landed}
            for task in pending:
                if task.done() and not task.cancelled():  # landed as the deadline passed
                    outcomes += _process_unrecorded(rt, [task.result()], tally)
                else:
                    task.cancel()
                    if tasks[task].id not in landed:  # those are recorded just below
                        outcomes.append(sourcehealth.record_deadline(rt, tasks[task]))
            _record_landed(rt, wave, tally)
        finally:
            for task in pending:  # a store error left them running: they are not needed now
                task.cancel()


@dataclass
class _Wave:
    """The sources of the first wave: those that listed their articles (feed read, pages
    on their way to the workers) before ``first_wave_seconds`` had passed."""

    open: bool = True
    planned: dict[str, SourceBatch] = field(default_factory=dict)  # by source id
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    listed: asyncio.Event = field(default_factory=asyncio.Event)  # set when the wave closes
    pages: pagegate.OrderedGate = field(default_factory=pagegate.OrderedGate)
    landed: list[SourceBatch] = field(default_factory=list)  # no article, not recorded yet
    waiting: set[str] = field(default_factory=set)  # neither listed nor landed yet, by id
    caches: dict[str, HttpCache] = field(default_factory=dict)  # validators by URL, read once

    def plan(self, batch: SourceBatch) -> None:
        """A source's articles are known (``batch.jobs``); it joins the wave if still open."""
        if self.open:
            self.planned[batch.source.id] = batch
        self.settle(batch.source.id)

    def settle(self, source_id: str, _: object = None) -> None:
        """The source listed its articles or landed: the wave no longer waits for it."""
        self.waiting.discard(source_id)
        self.changed.set()


async def _first_wave(
    rt: Runtime, wave: _Wave, tasks: dict[asyncio.Task[SourceBatch], Source], tally: _Tally
) -> None:
    """Wait until every source has listed its articles or landed (or the first wave's time
    is up), then process the listed articles in publication order as they are ready."""
    loop = asyncio.get_running_loop()
    end = loop.time() + rt.config.first_wave_seconds
    while wave.waiting:
        remaining = end - loop.time()
        if remaining <= 0:
            break
        wave.changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wave.changed.wait(), remaining)
    wave.open = False
    wave.listed.set()
    members = [t for t, s in tasks.items() if s.id in wave.planned]
    if members:
        planned = [wave.planned[tasks[t].id] for t in members]
        failed = await _stream_wave(rt, planned, tally)
        await asyncio.wait(members)
        tally.outcomes += _record_streamed(rt, [t.result() for t in members], failed, tally)


async def _stream_wave(rt: Runtime, batches: list[SourceBatch], tally: _Tally) -> set[str]:
    """Process the first wave's articles in publication order (as ``_process`` does), each
    as soon as it is ready; returns the sources with an article that failed."""
    undated = [job for b in batches for entry, job in b.jobs if entry.published is None]
    if undated:  # their place depends on their page's date
        await asyncio.wait(undated)
    order = sorted(
        ((_entry_order(entry, job), b.source.id, i), b, job)
        for b in batches
        for i, (entry, job) in enumerate(b.jobs)
    )
    failed: set[str] = set()
    crashed: set[str] = set()
    for _, batch, job in order:
        if batch.source.id in crashed:
            continue
        try:
            prepared, _, _ = await job
        except Exception:  # the source crashed: its task records why; the rest is not read
            crashed.add(batch.source.id)
            failed.add(batch.source.id)
            continue
        reading, text = prepared.reading, prepared.text
        _process_one(rt, prepared.article, reading, text if reading else None, batch, tally, failed)
        batch.processed.add(prepared.article.key)
    return failed


def _entry_order(entry: FeedEntry, job: asyncio.Future[_PageJob]) -> tuple[bool, datetime]:
    """``_publication_order`` of the entry's article: the feed's time when it gives one."""
    if entry.published is not None:
        return False, entry.published
    if job.cancelled() or job.exception() is not None:
        return True, datetime.max.replace(tzinfo=UTC)
    return _publication_order(job.result()[0].article)


def _record_streamed(
    rt: Runtime, batches: list[SourceBatch], failed: set[str], tally: _Tally
) -> list[SourceOutcome]:
    """Record the first wave's sources once their articles are processed: health, pages,
    entries only listed, and the validators of a source none of whose articles failed."""
    now = utcnow()
    todo = [b for b in batches if not b.recorded]  # a crashed source was, as it landed
    for batch in todo:
        if (
            _record_batch(rt, batch, now)
            and batch.cache is not None
            and batch.articles
            and batch.source.id not in failed
        ):
            with rt.store.transaction():
                rt.store.save_http_cache(batch.source.url, batch.cache)
        batch.recorded = True
    return [b.outcome for b in todo]


async def _fetch_and_record(
    rt: Runtime, fetcher: Fetcher, source: Source, seeding: bool, tally: _Tally, wave: _Wave
) -> SourceBatch:
    """Fetch one source; record it at once when it has no article to put in order.

    Its place among the other sources changes nothing then, and its writes (a seeding
    feed's entries, its health, its validators) are done while other sources are still
    being fetched and parsed, instead of in a queue after the first wave.
    """
    batch = await _fetch_source(rt, fetcher, source, seeding, wave)
    if not batch.articles and not batch.jobs:
        batch.recorded = True  # by the first source of this turn of the loop to land
        wave.landed.append(batch)
        if len(wave.landed) == 1:
            await asyncio.sleep(0)  # those landing in the same turn join it
            _record_landed(rt, wave, tally)
    return batch


def _record_landed(rt: Runtime, wave: _Wave, tally: _Tally) -> None:
    """Record the sources that landed with no article in one turn of the event loop, in
    one transaction: an unchanged feed's poll writes a few rows, and a commit each (1,000
    at 1,000 feeds) cost more than the rows. One not recorded (a crash) is polled again."""
    batches, wave.landed = wave.landed, []
    if batches:
        with rt.store.transaction():
            tally.outcomes += _process(rt, batches, tally)


def _process_unrecorded(
    rt: Runtime, batches: list[SourceBatch], tally: _Tally
) -> list[SourceOutcome]:
    """``_process`` the sources of ``batches`` not recorded yet, together."""
    return _process(rt, [b for b in batches if not b.recorded], tally)


def _start_workers(rt: Runtime, due: list[Source]) -> None:
    """Start the worker processes now when a due feed is sure to be parsed (it has no
    validators to send, so it cannot answer 304): their start-up overlaps the first fetches
    instead of following them. A cycle that may be all 304s starts them on the first parse.
    """
    with_validators = rt.store.urls_with_validators(s.url for s in due)
    if any(s.url not in with_validators for s in due):
        prepare.start_workers()


def _wave_end(timeout: float | None) -> str:
    """The first wave waits for all (or the timeout); after it, each source as it lands."""
    return asyncio.ALL_COMPLETED if timeout is not None else asyncio.FIRST_COMPLETED


def _seeds(health: SourceHealth, wants_alerts: bool) -> bool:
    """A source seeds (marks what it lists as seen, no alert) until its first good fetch:
    a state whose first cycle failed, or a feed added later, never floods the channels."""
    return not wants_alerts and health.last_success is None


def _is_due(rt: Runtime, source: Source, health: SourceHealth, now: datetime) -> bool:
    """A failing source backs off until its next attempt time; in the daemon, a source is
    polled at its own ``poll_interval_minutes`` (the scheduler ticks at the shortest one)."""
    if health.next_attempt_at is not None and health.next_attempt_at > now:
        return False
    if rt.respect_intervals and health.last_attempt is not None:
        slack = timedelta(seconds=30)  # a tick that fires a little early still polls
        return health.last_attempt + timedelta(minutes=source.poll_interval_minutes) <= now + slack
    return True


async def _fetch_source(
    rt: Runtime, fetcher: Fetcher, source: Source, seeding: bool, wave: _Wave
) -> SourceBatch:
    t0 = time.monotonic()
    try:
        batch = await _fetch_source_inner(rt, fetcher, source, seeding, t0, wave)
        batch.seeding = seeding
        return batch
    except (FetchError, ParseError) as exc:
        kind: FailureKind = "parse" if isinstance(exc, ParseError) else "fetch"
        retry_after = getattr(exc, "retry_after_s", None)
        return _failed(source, kind, str(exc), t0, retry_after)
    except Exception as exc:  # a bug or a hostile input we did not foresee: this source only
        log.exception("source crashed", extra={"kv": {"source_id": source.id}})
        return _failed(source, "parse", f"internal error: {exc!r}", t0, None)


async def _fetch_source_inner(
    rt: Runtime, fetcher: Fetcher, source: Source, seeding: bool, t0: float, wave: _Wave
) -> SourceBatch:
    cache = wave.caches.get(source.url, HttpCache())
    result = await fetcher.fetch(source.url, cache=cache, max_bytes=rt.config.http.max_feed_bytes)
    new_cache = HttpCache(result.etag or cache.etag, result.last_modified or cache.last_modified)
    if result.not_modified:
        outcome = SourceOutcome(source.id, ok=True, not_modified=True, duration_s=_since(t0))
        # The same validators again are not written again (most polls of a quiet feed).
        return SourceBatch(source, outcome, cache=None if new_cache == cache else new_cache)
    parsed = await asyncio.to_thread(parse.parse_feed, source, result)
    unparsed: list[FeedEntry] = []  # a big feed's new items beyond what was parsed this time
    listed, incomplete = len(parsed.entries), False
    if parsed.scan is not None:
        listed = len(parsed.scan.keys)
        parsed, unparsed, incomplete = await _parse_big_feed(rt, source, result, parsed)
    for warning in parsed.warnings:
        log.warning("feed warning", extra={"kv": {"source_id": source.id, "warning": warning}})
    entries = list(parsed.entries)
    hashes = {e.key: _feed_hash(e) for e in entries}
    known = rt.store.feed_hashes(hashes)
    tombstoned = rt.store.known_keys(k for k in hashes if k not in known)
    fresh = [e for e in entries if e.key not in known and e.key not in tombstoned]
    # seen by a big feed's scan, never parsed: learn its feed text's hash, nothing to say
    unhashed = [e for e in entries if known.get(e.key) == ""]
    edited = [e for e in entries if known.get(e.key) and known[e.key] != hashes[e.key]]
    todo = _newest_first(fresh + edited)[: source.max_articles_per_cycle]
    batch = SourceBatch(
        source, SourceOutcome(source.id, ok=True), feed_hashes=hashes, cache=new_cache
    )
    pages = PageFetches()
    batch.seen_only = unhashed
    if seeding:
        batch.seen_only += fresh + unparsed
    else:
        # oldest first: the first wave processes in publication order, as articles are ready
        jobs = {
            e.key: _fetch_and_prepare(rt, fetcher, source, e, wave, _page_order(e, source, i))
            for i, e in reversed(list(enumerate(todo)))
        }
        started = {key: asyncio.ensure_future(job) for key, job in jobs.items()}
        batch.jobs = [(e, started[e.key]) for e in todo]
        jobs_in_order = [job for _, job in batch.jobs]
        wave.plan(batch)
        prepared, pages = await _fetch_articles(source, jobs_in_order)
        batch.articles = [p.article for p in prepared]
        batch.readings = {p.article.key: p.reading for p in prepared if p.reading is not None}
        batch.texts = {p.article.key: p.text for p in prepared if p.text is not None}
        if len(todo) < len(fresh) + len(edited) or incomplete:
            # The cap bounds a cycle's work; it must not drop items. The rest stays unseen,
            # and the old validators are kept so the next cycle reads the feed again (no 304).
            batch.cache = cache
    batch.outcome = SourceOutcome(
        source.id,
        ok=True,
        entries=listed,
        new_entries=len(fresh) + len(unparsed),
        duration_s=_since(t0),
        seeded_items=len(fresh) + len(unparsed) if seeding else 0,
        pages=pages,
    )
    return batch


async def _parse_big_feed(
    rt: Runtime, source: Source, result: FetchResult, scanned: parse.ParsedFeed
) -> tuple[parse.ParsedFeed, list[FeedEntry], bool]:
    """A feed too long to parse whole (``feedscan``): its keys are looked up, its unknown
    items parsed first (the rest of them next cycle), whatever their place in the feed.

    Returns the parsed feed, the unknown items not parsed this time (as scanned, to record
    when seeding), and whether any unknown item was left for later.
    """
    found = scanned.scan
    assert found is not None
    known = rt.store.known_keys(k for k in found.keys if k)
    chosen = feedscan.choose(found, known, parse.CHOSEN_ITEMS)
    parsed = await asyncio.to_thread(parse.parse_chosen, source, result, found, chosen)
    taken = set(chosen)
    left = [i for i, k in enumerate(found.keys) if i not in taken and (k is None or k not in known)]
    later = [feedscan.entry(found, i, source) for i in left if found.keys[i] is not None]
    return replace(parsed, warnings=scanned.warnings + parsed.warnings), later, bool(left)


async def _fetch_articles(
    source: Source, jobs: Sequence[asyncio.Future[_PageJob]]
) -> tuple[list[prepare.Prepared], PageFetches]:
    """The articles of a source's entries (``_fetch_and_prepare`` each: a page that cannot
    be had leaves the feed's summary) and what the page fetches did, logged as one line for
    the source, not one per page.

    Each page is extracted and read as soon as it has landed, while the source's other
    pages are still being fetched: the workers start on the first page, not the last.
    """
    done = await asyncio.gather(*jobs)
    errors = [error for _, _, error in done if error]
    asked = sum(1 for _, fetched, error in done if fetched or error)
    pages = PageFetches(
        ok=asked - len(errors), failed=len(errors), first_error=errors[0] if errors else None
    )
    if asked:
        kv = {"source_id": source.id, "ok": pages.ok, "failed": pages.failed}
        if errors:
            log.warning("page fetches failed", extra={"kv": {**kv, "first_error": errors[0]}})
        else:
            log.info("page fetches", extra={"kv": kv})
    return [prepared for prepared, _, _ in done], pages


# an entry's article, whether its page was fetched and why the page could not be had (the
# page itself is not kept: ~200 KB that nothing reads once the article is extracted)
_PageJob = tuple[prepare.Prepared, bool, str | None]


async def _fetch_and_prepare(
    rt: Runtime,
    fetcher: Fetcher,
    source: Source,
    entry: FeedEntry,
    wave: _Wave,
    order: pagegate.PageOrder,
) -> _PageJob:
    """One entry's page (or why not) and its article. Extraction and reading are the
    cycle's CPU work: in the worker processes (both cores), the call waiting in a thread so
    the event loop keeps fetching. In the first wave a page waits for every feed to be read:
    a feed's parse, in the same workers, never queues behind pages. The page gate bounds the
    pages held and hands the workers the articles in the order they are processed."""
    async with wave.pages.slot(order):
        page, error = await _fetch_page(rt, fetcher, source, entry)
        await wave.listed.wait()
        prepared = await asyncio.to_thread(
            prepare.prepare, entry, page, source.css_selector, rt.rules_ref
        )
    return prepared, page is not None, error


def _page_order(entry: FeedEntry, source: Source, position: int) -> pagegate.PageOrder:
    """The entry's place in ``_stream_wave``'s order, as far as the feed tells it."""
    return entry.published is not None, entry.published or _NO_DATE, source.id, position


async def _fetch_page(
    rt: Runtime, fetcher: Fetcher, source: Source, entry: FeedEntry
) -> tuple[FetchResult | None, str | None]:
    """The article page, or None and why (the feed's summary is used) when it cannot be had;
    ``(None, None)`` when the source does not fetch pages."""
    if not (source.fetch_pages and entry.url):
        return None, None
    try:
        page = await fetcher.fetch(entry.url, max_bytes=rt.config.http.max_page_bytes, kind="page")
    except FetchError as exc:
        return None, " ".join(str(exc).split())
    return page, None


def _newest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    return sorted(
        entries, key=lambda e: e.published.timestamp() if e.published else 0, reverse=True
    )


def _feed_hash(entry: FeedEntry) -> str:
    """What the feed says about an item; a change means it was edited in place."""
    text = f"{entry.title}\x1f{entry.summary}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _failed(
    source: Source, kind: FailureKind, error: str, t0: float, retry_after: float | None
) -> SourceBatch:
    outcome = SourceOutcome(
        source.id, ok=False, error=error, error_kind=kind, duration_s=_since(t0)
    )
    return SourceBatch(source, outcome, retry_after_s=retry_after)


def _since(t0: float) -> float:
    return round(time.monotonic() - t0, 3)


# --------------------------------------------------------------------------- process phase


def _process(rt: Runtime, batches: list[SourceBatch], tally: _Tally) -> list[SourceOutcome]:
    """Record each source's results, then analyse, story and alert every new article.

    Articles go in order of publication, whatever order the feeds answered in: the earliest
    report of an event starts its story (and completes its milestone), later copies join it.
    Each article has its own transaction; a source's validators are saved last, so a crash or
    a failed article means the next cycle reads the full feed again instead of a 304. An
    article that raises ``QUARANTINE_AFTER`` times is quarantined (recorded as seen, listed by
    ``monitor status``): it no longer holds its source's validators back.
    """
    now = utcnow()
    work: list[tuple[Article, SourceBatch]] = []
    for batch in batches:
        if _record_batch(rt, batch, now):
            todo = [a for a in batch.articles if a.key not in batch.processed]
            work.extend((article, batch) for article in todo)
            tally.seeded = tally.seeded or batch.seeding
    work.sort(key=lambda item: (_publication_order(item[0]), item[1].source.id))
    failed: set[str] = set()
    for article, batch in work:
        reading = batch.readings.get(article.key)
        text = batch.texts.get(article.key) if reading is not None else None
        _process_one(rt, article, reading, text, batch, tally, failed)
    for batch in batches:
        if batch.articles and batch.cache is not None and batch.source.id not in failed:
            with rt.store.transaction():
                rt.store.save_http_cache(batch.source.url, batch.cache)
    return [b.outcome for b in batches]


def _process_one(
    rt: Runtime,
    article: Article,
    reading: ArticleReading | None,
    text: DocText | None,
    batch: SourceBatch,
    tally: _Tally,
    failed: set[str],
) -> None:
    """Analyse, story and alert one article; a failure is the article's alone (retried next
    cycle, or quarantined) and keeps its source's validators back (``failed``)."""
    if tally.out_of_time(rt.stopping):  # the rest stays unseen, read at the next start
        failed.add(batch.source.id)
        return
    try:
        feed_hash = batch.feed_hashes.get(article.key, "")
        _process_article(rt, article, reading, feed_hash, tally, text)
    except (StoreError, sqlite3.Error):
        raise  # the state, not the article: the cycle ends here (``run_cycle``)
    except Exception as exc:  # this article only: retried next cycle, or quarantined
        if not _quarantined(rt, article, batch, exc):
            failed.add(batch.source.id)


def _quarantined(rt: Runtime, article: Article, batch: SourceBatch, exc: Exception) -> bool:
    """Count the article's failure; quarantine it at ``QUARANTINE_AFTER`` (True then)."""
    now = utcnow()
    error = f"{type(exc).__name__}: {exc}"
    with rt.store.transaction():
        failures = rt.store.record_article_failure(article.entry, error, now)
        poison = failures >= QUARANTINE_AFTER
        if poison:
            feed_hash = batch.feed_hashes.get(article.key, "")
            rt.store.quarantine_article(article.entry, now, feed_hash=feed_hash)
    kv = {"source_id": batch.source.id, "url": article.url, "failures": failures}
    if poison:
        log.error("article quarantined", exc_info=exc, extra={"kv": kv})
    else:
        log.error("article failed", exc_info=exc, extra={"kv": kv})
    return poison


def _record_batch(rt: Runtime, batch: SourceBatch, now: datetime) -> bool:
    """The source's health and the entries it only lists, and its validators when it has no
    article (none can fail, ``_process``); False when the source failed."""
    source, outcome = batch.source, batch.outcome
    rt.metrics.fetch_seconds.labels(source.id).observe(outcome.duration_s)
    if not outcome.ok:
        sourcehealth.record_failure(rt, batch, now)
        return False
    rt.metrics.fetches.labels(source.id, "not_modified" if outcome.not_modified else "ok").inc()
    with rt.store.transaction():
        rt.store.record_source_success(source.id, new_items=outcome.new_entries, at=now)
        if outcome.pages.ok or outcome.pages.failed:
            rt.store.record_page_fetches(source.id, outcome.pages, now)
            rt.metrics.page_fetches.labels(source.id, "ok").inc(outcome.pages.ok)
            rt.metrics.page_fetches.labels(source.id, "failed").inc(outcome.pages.failed)
        rt.store.record_seen_entries(
            (entry, batch.feed_hashes.get(entry.key, "")) for entry in batch.seen_only
        )
        if not batch.articles and batch.cache is not None:
            rt.store.save_http_cache(source.url, batch.cache)
    return True


def _publication_order(article: Article) -> tuple[bool, datetime]:
    published = article.published
    return (published is None, published or datetime.max.replace(tzinfo=UTC))


def _process_article(
    rt: Runtime,
    article: Article,
    reading: ArticleReading | None,
    feed_hash: str,
    tally: _Tally,
    text: DocText | None = None,
) -> None:
    previous_hash = rt.store.content_hash(article.key)
    if previous_hash is not None and previous_hash == article.content_hash:
        with rt.store.transaction():  # the feed changed but the text did not: nothing to say
            rt.store.record_entry(article.entry, feed_hash=feed_hash)
        return
    # Only a feed's or a page's publication time dates the claims; a fetch time never makes a
    # claim come before or after anything. A story's completion of a milestone counts from the
    # day it was first reported.
    first_reports = {e: publication_day(t) for e, t in rt.store.milestone_first_reports().items()}
    milestones = rt.store.completed_milestones()
    completed_on = {e: d for e, d in first_reports.items() if d is not None}
    if reading is not None:  # read in a worker: only the verdicts are left
        analysis = rt.analyzer.finish(reading, milestones, completed_on)
    else:
        analysis = rt.analyzer.analyze(
            article.title, article.text, article.dated, milestones, completed_on
        )
    tally.articles += 1
    rt.metrics.articles.labels(str(analysis.relevance.relevant).lower()).inc()
    done = _Tally(updates=dict(tally.updates))  # counted into ``tally`` only once committed
    rt.desk_stale = True  # until the commit: a failure leaves the in-memory index ahead
    with rt.store.transaction():
        story_id = None
        if analysis.relevance.relevant:
            done.relevant += 1
            story_id = _assign_story(rt, article, analysis, done, text)
        rt.store.record_entry(
            article.entry,
            feed_hash=feed_hash,
            content_hash=article.content_hash,
            relevant=analysis.relevance.relevant,
            story_id=story_id,
        )
        rt.store.clear_article_failure(article.key)  # it failed before, then went through
    rt.desk_stale = False
    tally.relevant += done.relevant
    tally.stories_new += done.stories_new
    tally.stories_updated += done.stories_updated
    tally.alerts += done.alerts
    tally.updates = done.updates


def _assign_story(
    rt: Runtime,
    article: Article,
    analysis: ArticleAnalysis,
    tally: _Tally,
    text: DocText | None = None,
) -> str:
    """Join or start a story; queue a new-story or update alert (same transaction)."""
    decision, story = rt.desk.assign(article, analysis, utcnow(), text)
    rt.metrics.stories.labels("new" if decision.is_new else "joined").inc()
    if decision.is_new:
        tally.stories_new += 1
    elif decision.needs_update_alert and story.id not in tally.updates:
        tally.stories_updated += 1
    now = utcnow()
    alert = story_alert(decision, story, analysis.relevance.terms, now, article_key=article.key)
    if alert is not None:
        for f in alert.findings:
            rt.metrics.claims_alerted.labels(f.verdict.verdict).inc()
        alert, queued = storm.queue_alert(rt, alert, now)  # an update may fold into another
        tally.alerts += int(queued)
        if queued:
            rt.metrics.alerts.labels(alert.kind).inc()
        if alert.kind == "new_story":
            rt.desk.set_first_alert(story.id, alert.id)
        elif alert.kind == "story_update":
            tally.updates[story.id] = alert.id
    rt.store.record_milestones(analysis.findings, story.id, alert.id if alert else None)
    return story.id


def _count_cycle(rt: Runtime, report: CycleReport, ok: bool, seconds: float) -> None:
    outcome = "write_failed" if report.store_error else "ok" if ok else "failed"
    rt.metrics.cycles.labels(outcome).inc()
    rt.metrics.cycle_seconds.observe(seconds)
    if ok:
        rt.metrics.last_good_cycle.set(report.finished_at.timestamp())
