"""Prepare one article off the main process: extract its page, then read it (every analysis
stage but the timeline's verdicts).

This is the cycle's CPU work per page (trafilatura on a ~200 KB page, then normalisation,
relevance, dates and claims, and for a relevant article what the story index takes from its
text: shingles, MinHash, words), so it runs in the sandbox's worker pool, the one that parses
the feeds (``sandbox.run_bounded``: at most one worker per core, the same deadline and memory
cap as a feed parse): both cores work while the main process fetches, stories and stores.
The verdicts stay in the main process (``Analyzer.finish``): they depend on the milestones
earlier articles of the same cycle completed.

A page past the budget (or a dead worker) costs that page only: the article falls back to
the feed's summary, read in the main process (a summary is short).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from dataclasses import dataclass

from monitor.analysis.analyzer import read_article
from monitor.analysis.keywords import KeywordRules
from monitor.models import Article, ArticleReading, FeedEntry, FetchResult
from monitor.sources import extract, sandbox
from monitor.sources.parse import PARSE_MEMORY_BYTES, WORKER_MODULES
from monitor.stories.index import DocText, doc_text

log = logging.getLogger(__name__)

PREPARE_DEADLINE_S = 20.0  # extraction is kept near a second by MAX_PAGE_TAGS; reading less
_MODULES = ("monitor.pipeline.prepare",)
_RULES_KEPT = 4  # rule sets a worker keeps decoded (a reload of the config brings a new one)


@dataclass(frozen=True, slots=True)
class RulesRef:
    """The relevance rules as a worker receives them: decoding them takes ~25 ms, so each
    worker decodes a rule set once and knows it again by its digest. The blob (~130 KB) goes
    with a page only when the worker asked for it (``prepare_known``): sent with every page,
    it was 400 MB more to pickle and pipe at 3,000 pages."""

    digest: str
    blob: bytes

    def by_digest(self) -> RulesRef:
        return RulesRef(self.digest, b"")


@dataclass(frozen=True, slots=True)
class Prepared:
    article: Article
    reading: ArticleReading | None  # None: the main process reads the article itself
    text: DocText | None = None  # the story index's reading of a relevant article's text


def rules_ref(rules: KeywordRules) -> RulesRef:
    blob = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
    return RulesRef(hashlib.sha256(blob).hexdigest(), blob)


def start_workers() -> None:
    """Start the worker processes now, ahead of the cycle's first feed parse, so that their
    start-up overlaps the first fetches. They preload the feed parser only: a feed is parsed
    at once, and the page preparation (trafilatura and the analysis, ~0.4 s of CPU a worker)
    is imported by a worker's first page, while the other pages are being fetched."""
    sandbox.start_workers(WORKER_MODULES, PARSE_MEMORY_BYTES)


def prepare(
    entry: FeedEntry, page: FetchResult | None, selector: str | None, rules: RulesRef
) -> Prepared:
    """``prepare_in_process`` in a worker; on a budget overrun, the feed's summary instead."""
    try:
        prepared = _in_worker(entry, page, selector, rules.by_digest())
        if prepared is None:  # that worker has not decoded these rules yet
            prepared = _in_worker(entry, page, selector, rules)
        assert prepared is not None  # the blob went with them
        return prepared
    except sandbox.SandboxError as exc:
        log.warning(
            "page over budget, feed summary used",
            extra={"kv": {"url": entry.url, "reason": exc.reason}},
        )
        return Prepared(extract.extract_article(entry, None, selector), None)


def _in_worker(
    entry: FeedEntry, page: FetchResult | None, selector: str | None, rules: RulesRef
) -> Prepared | None:
    return sandbox.run_bounded(
        prepare_known,
        (entry, page, selector, rules),
        deadline_s=PREPARE_DEADLINE_S,
        memory_bytes=PARSE_MEMORY_BYTES,
        preload=_MODULES,
    )


def prepare_known(
    entry: FeedEntry, page: FetchResult | None, selector: str | None, rules: RulesRef
) -> Prepared | None:
    """``prepare_in_process`` (the worker runs this); None when ``rules`` came without its
    blob and this process has not decoded them yet."""
    if not rules.blob and rules.digest not in _decoded_rules:
        return None
    return prepare_in_process(entry, page, selector, rules)


def prepare_in_process(
    entry: FeedEntry, page: FetchResult | None, selector: str | None, rules: RulesRef
) -> Prepared:
    """The article of ``entry`` and its reading."""
    article = extract.extract_article(entry, page, selector)
    try:
        reading = read_article(_decoded(rules), article.title, article.text, article.dated)
        text = None
        if reading.relevance.relevant:  # it goes to the story desk: its shingles, MinHash
            body = reading.body or article.text  # and words are the text's alone
            text = doc_text(body, article.title, normalized=bool(reading.body))
    except Exception:  # the main process reads it again: a failure there is this article's
        return Prepared(article, None)  # alone (retried, then quarantined), not the source's
    return Prepared(article, reading, text)


_decoded_rules: dict[str, KeywordRules] = {}


def _decoded(ref: RulesRef) -> KeywordRules:
    rules = _decoded_rules.get(ref.digest)
    if rules is None:
        if len(_decoded_rules) >= _RULES_KEPT:
            _decoded_rules.clear()
        rules = _decoded_rules[ref.digest] = pickle.loads(ref.blob)
    return rules
