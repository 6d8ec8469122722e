"""What the cycle's stages share: the runtime that lives across cycles and one source's batch."""

from __future__ import annotations

import asyncio
import gc
import threading
from dataclasses import dataclass, field
from typing import Any, TextIO

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.words import Presentation
from monitor.analysis.analyzer import Analyzer
from monitor.config.load import Config
from monitor.errors import StoreError
from monitor.models import Article, ArticleReading, FeedEntry, HttpCache, Source, SourceOutcome
from monitor.pipeline.metrics import Metrics
from monitor.pipeline.prepare import RulesRef, rules_ref
from monitor.store import Store, to_db, utcnow
from monitor.store.beacon import record_outcome
from monitor.stories.desk import StoryDesk
from monitor.stories.index import DocText


@dataclass
class Runtime:
    """What lives across cycles: config, store, analyser, story index, metrics."""

    config: Config
    store: Store
    console: TextIO | None = None
    respect_intervals: bool = False  # the daemon polls each source at its own interval
    demo: bool = False  # ``monitor demo``: invented stories, marked so in every alert
    dry_run: bool = False  # ``monitor once --dry-run``: on a copy of the state, nothing sent
    metrics: Metrics = field(default_factory=Metrics)
    stopping: threading.Event = field(default_factory=threading.Event)  # set by SIGTERM
    store_error: str | None = None  # the last write failure, while writes keep failing
    desk_stale: bool = False  # a story write failed: rebuild the index from the store
    analyzer: Analyzer = field(init=False)
    desk: StoryDesk = field(init=False)
    rules_ref: RulesRef = field(init=False)  # the rules as the worker processes get them

    def __post_init__(self) -> None:
        self.analyzer = Analyzer(self.config.rules, self.config.timeline)
        self.rules_ref = rules_ref(self.config.rules)
        self.desk = StoryDesk(self.store, self.config.stories, places=self.config.timeline.places)

    def reconfigure(self, config: Config) -> None:
        """Use a reloaded config from the next cycle on (the caller holds the cycle lock).

        The analyser is rebuilt (keywords, timeline); the story desk only when the story
        settings or the place hierarchy changed (it rebuilds its index from the store, as at
        a start: the signatures' sites and countries follow the hierarchy).
        """
        stories_changed = (config.stories, config.timeline.places) != (
            self.config.stories,
            self.config.timeline.places,
        )
        self.config = config
        self.analyzer = Analyzer(config.rules, config.timeline)
        if stories_changed:
            self.desk = StoryDesk(self.store, config.stories, places=config.timeline.places)
        freeze_long_lived()

    def dispatcher(self) -> Dispatcher:
        return Dispatcher(
            self.store,
            self.config.channels,
            self.config.delivery,
            console_stream=self.console,
            allow_private_addresses=self.config.http.private_channels,
            pres=self.presentation,
            stop=self.stopping,
        )

    def note_store(self, error: StoreError | None, *, cycle_ok: bool | None = None) -> None:
        """Remember whether writes work, in memory (``/healthz``), in the metrics and in the
        beacon (``monitor healthcheck`` and ``status``, which cannot rely on the database)."""
        self.store_error = None if error is None else str(error)
        if error is not None:
            self.metrics.store_errors.labels("disk_full" if error.disk_full else "other").inc()
        record_outcome(
            self.config.state_dir,
            to_db(utcnow()) or "",
            cycle_ok=cycle_ok,
            store_error=self.store_error,
            disk_full=error is not None and error.disk_full,
        )

    @property
    def presentation(self) -> Presentation:
        """How this runtime's alerts are shown: ``alert_language``, ``timezone``, demo or not."""
        return self.config.presentation(demo=self.demo)


@dataclass
class SourceBatch:
    """What the fetch phase produced for one source."""

    source: Source
    outcome: SourceOutcome
    articles: list[Article] = field(default_factory=list)
    readings: dict[str, ArticleReading] = field(default_factory=dict)  # by article key
    texts: dict[str, DocText] = field(default_factory=dict)  # by key: the story index's reading
    seen_only: list[FeedEntry] = field(default_factory=list)  # record, don't analyse
    feed_hashes: dict[str, str] = field(default_factory=dict)
    cache: HttpCache | None = None
    retry_after_s: float | None = None
    seeding: bool = False
    recorded: bool = False  # recorded already (as it landed, or with the first wave)
    # entries being fetched and prepared, each with its job: (article, page, page error)
    jobs: list[tuple[FeedEntry, asyncio.Future[Any]]] = field(default_factory=list)
    processed: set[str] = field(default_factory=set)  # article keys processed in the wave


def freeze_long_lived() -> None:
    """Leave what lives as long as the runtime out of the garbage collector's walks.

    The modules, the rules, the timeline and the story index (the window's articles, about
    a million objects at 100k articles) are built at start and kept; each full collection
    walked all of them again (about 0.2 CPU-s of a 1,000-feed poll that takes 0.8 s).
    Frozen objects are still freed by reference counting once replaced (a reload); the
    previous freeze is undone first, so that what a reload left behind can be collected.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
