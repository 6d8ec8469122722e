"""The typed records passed between pipeline stages.

Records are frozen dataclasses with no I/O and no logic beyond small properties.
Times are timezone-aware UTC ``datetime``; calendar days are ``date``. Offsets
(``span``) always point into the *original* text, never the normalised one.

Dataflow (``pipeline.py`` is the only module that knows this order)::

    Source --fetch--> FetchResult --parse--> FeedEntry --extract--> Article
    Article --analysis (normalize, keywords, dates, claims, timeline)--> ArticleAnalysis
    ArticleAnalysis --stories--> StoryDecision --pipeline--> Alert --alerts--> Delivery
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # annotations only: numpy costs ~0.1 s to import in every feed-parse worker
    import numpy as np
    import numpy.typing as npt

# --------------------------------------------------------------------------- sources and HTTP


@dataclass(frozen=True, slots=True)
class Source:
    """One feed to poll, as configured in ``monitor.toml`` ``[[sources]]``."""

    id: str
    url: str
    name: str
    poll_interval_minutes: int = 15
    css_selector: str | None = None
    enabled: bool = True
    fetch_pages: bool = True
    max_articles_per_cycle: int = 30


@dataclass(frozen=True, slots=True)
class HttpCache:
    """Validators kept per source for conditional GET (RFC 9110 section 13)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one HTTP GET produced. ``content`` is the decoded body, cut at the size cap."""

    url: str
    final_url: str
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    retry_after_s: float | None = None
    elapsed_s: float = 0.0


# ---------------------------------------------------------------- feed entries and articles


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed. ``key`` is its identity: GUID, else canonical URL, else content hash."""

    source_id: str
    key: str
    outlet: str
    title: str
    url: str | None = None
    guid: str | None = None
    summary: str = ""
    published: datetime | None = None


TextSource = Literal["selector", "trafilatura", "summary", "input"]
# Where ``Article.published`` comes from: the feed entry, the page's metadata, the analyze
# input, or, when none of them gives one, the time the article was fetched (never a date
# guessed from the text).
DateSource = Literal["feed", "page", "input", "fetched"]


@dataclass(frozen=True, slots=True)
class Article:
    """The main text of an entry's page (or its summary when the page fails)."""

    entry: FeedEntry
    title: str
    text: str
    text_source: TextSource
    published: datetime | None
    published_source: DateSource
    content_hash: str

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def dated(self) -> datetime | None:
        """The publication time a feed or the page states; None when only the fetch time is
        known (it orders articles but never dates a claim before or after anything)."""
        return None if self.published_source == "fetched" else self.published

    @property
    def url(self) -> str | None:
        return self.entry.url

    @property
    def outlet(self) -> str:
        return self.entry.outlet


# --------------------------------------------------------------------------- analysis

Granularity = Literal["day", "week", "part_of_month", "month", "part_of_year", "year"]
Qualifier = Literal["exact", "about", "more_than", "less_than", "at_least", "at_most"]
ClaimKind = Literal[
    "withdrawal",
    "mission_end",
    "handover",
    "relocation",
    "troop_count",
    "agreement",
    "timetable",
    "other",
]
# Governments' decisions rather than forces' moves: their place names are the parties
# ("اتفقت بغداد وواشنطن"), read as such by the claims and by the judge.
POLITICAL_KINDS: frozenset[ClaimKind] = frozenset({"agreement", "timetable"})
VerdictKind = Literal["consistent", "conflicting", "completed", "new"]
# Which part of a move a claim speaks of: its start ("بدأت القوات سحب…"), its course
# ("تتواصل عمليات الانسحاب") or its end ("أكملت انسحابها"); None: the move as a whole.
ClaimPhase = Literal["start", "during", "end"]


@dataclass(frozen=True, slots=True)
class NormText:
    """Normalised text plus, for each of its characters, the index in the original text."""

    text: str
    offsets: tuple[int, ...]
    original: str

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text back into the original."""
        if start >= end or not self.offsets:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date found in text, resolved to an interval ``[start, end]`` (both inclusive)."""

    text: str
    start: date
    end: date
    granularity: Granularity
    preposition: str | None = None
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number found in text (troops, attacks, countries) with its qualifier."""

    value: int
    qualifier: Qualifier = "exact"
    text: str = ""
    unit: str | None = None
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class Relevance:
    """The keyword scorer's decision, with the terms that decided it (for tuning)."""

    relevant: bool
    score: float
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence that asserts something about the withdrawal."""

    kind: ClaimKind
    sentence: str
    date: DateSpan | None = None
    places: tuple[str, ...] = ()
    number: Quantity | None = None
    negated: bool = False
    hedged: bool = False
    reports_done: bool = False
    span: tuple[int, int] = (0, 0)
    # where forces go ("… إلى أربيل"): not in ``places``, which holds where the claim happens
    destinations: tuple[str, ...] = ()
    phase: ClaimPhase | None = None
    # the day the claim was reported ("أعلنت الوزارة أمس السبت …"), apart from ``date``, the
    # day of the event it claims; None when the text gives no date for the reporting verb
    reported: DateSpan | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A claim checked against the timeline."""

    verdict: VerdictKind
    timeline_event: str | None
    reason: str  # in English (the ``monitor analyze`` contract's ``reason``)
    reason_ar: str = ""  # the same reason in Arabic, composed from the same parts


@dataclass(frozen=True, slots=True)
class Finding:
    """A claim with its verdict."""

    claim: Claim
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Lede:
    """Who speaks in an article's lede, about which sites, on which day (for stories).

    ``actors`` are ``[[actors]]`` ids named next to a reporting verb (``within``: the broader
    actors they speak for, a ministry for its government); ``sites`` the places
    below a country named by the title and first full sentence, in order, ``more_sites`` those
    of the rest of the lede; ``weekday`` (0 = Monday) and ``stated``
    the day of the reporting verb when the text names it (``stated`` only when it resolves to
    a calendar day: a date, or a weekday, اليوم or أمس beside a known publication day);
    ``quotes`` marks of its word-for-word quotations.
    """

    actors: tuple[str, ...] = ()
    within: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    more_sites: tuple[str, ...] = ()
    weekday: int | None = None
    stated: date | None = None
    countries: tuple[str, ...] = ()  # countries the title and first full sentence name
    # marks of the statements it quotes word for word (``lede.quote_marks``): two reports
    # sharing one quote the same words, whatever else they say
    quotes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleReading:
    """The analysis before the timeline's verdicts: what the text says, whatever the store
    knows (computed in a worker process; ``Analyzer.finish`` adds the verdicts)."""

    relevance: Relevance
    claims: tuple[Claim, ...]
    body: str
    day: date | None  # the publication day relative dates were resolved against
    lede: Lede = Lede()  # who speaks, where, which day (for stories)


@dataclass(frozen=True, slots=True)
class ArticleAnalysis:
    """Everything the analysis stages say about one article."""

    relevance: Relevance
    findings: tuple[Finding, ...] = ()
    body: str = ""  # normalised main text, page furniture removed (used by stories)
    lede: Lede = Lede()

    @property
    def claims(self) -> tuple[Claim, ...]:
        return tuple(f.claim for f in self.findings)


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One known milestone from ``timeline.toml``."""

    id: str
    title_ar: str
    title_en: str
    kind: ClaimKind
    start: date
    end: date
    granularity: Granularity
    places: tuple[str, ...] = ()
    number: Quantity | None = None
    status: Literal["planned", "completed"] = "planned"
    sources: tuple[str, ...] = ()
    note: str = ""
    phase: int | None = None  # its number in a plan carried out in phases ("المرحلة الأولى")


@dataclass(frozen=True, slots=True)
class Timeline:
    version: str
    events: tuple[TimelineEvent, ...]
    # place id -> parent place id (None for a country), from the file's [places] table merged
    # over timeline.DEFAULT_PLACES; empty means DEFAULT_PLACES alone
    places: tuple[tuple[str, str | None], ...] = ()


MilestoneStatus = Literal["planned", "completed"]


@dataclass(frozen=True, slots=True)
class MilestoneState:
    """What the store knows about one timeline event: its status and the stories about it."""

    event_id: str
    status: MilestoneStatus = "planned"
    completed_by: str | None = None  # the story that reported it done
    supporting: tuple[str, ...] = ()  # stories with a consistent (or completed) verdict on it
    contradicting: tuple[str, ...] = ()  # stories with a conflicting verdict on it


# --------------------------------------------------------------------------- stories


@dataclass(frozen=True, slots=True)
class ArticleFailure:
    """An article whose processing raised; quarantined once it failed too often."""

    key: str
    source_id: str
    url: str | None
    title: str
    failures: int
    last_error: str
    last_failed: datetime
    quarantined_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One outlet's copy of a story."""

    article_key: str
    source_id: str
    outlet: str
    title: str
    url: str | None
    published: datetime | None
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class StoryClaim:
    """A claim merged across a story's members, with the outlets that carry it."""

    finding: Finding
    outlets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    title: str
    first_seen: datetime
    members: tuple[StoryMember, ...] = ()
    claims: tuple[StoryClaim, ...] = ()
    first_alert_id: str | None = None

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.outlet for m in self.members))


@dataclass(frozen=True, slots=True)
class Terms:
    """One report's words for the IDF cosine: sorted unique term ids and their counts."""

    ids: npt.NDArray[np.uint32]
    counts: npt.NDArray[np.uint32]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class MemberState:
    """A live story member as the story index needs it after a restart (store -> storydesk)."""

    story_id: str
    member: StoryMember
    findings: tuple[Finding, ...]
    signature: bytes  # MinHash signature (uint32 array) for the LSH index
    numbers: tuple[int, ...] = ()  # numbers written in its body (event evidence)
    lede: Lede = Lede()


@dataclass(frozen=True, slots=True)
class MemberIndexRows:
    """Live members as a restart reads them, a chunk at a time, by column (store ->
    storydesk; 100,000 records of one member each cost a tenth of a restart): the compact
    columns only, no findings. ``events``: each development signature as stored
    (``stories.match``), None for a row stored before it was kept (the desk then derives
    it from ``MemberState``)."""

    story_ids: tuple[str, ...]
    article_keys: tuple[str, ...]
    published: tuple[datetime | None, ...]
    first_seen: tuple[datetime, ...]
    signatures: bytes  # their MinHash signatures one after the other (uint32 arrays)
    events: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.article_keys)


@dataclass(frozen=True, slots=True)
class StoryDecision:
    """Where an article went: a new story, or an existing one (and what it added)."""

    story_id: str
    is_new: bool
    similarity: float
    reason: str
    added: tuple[Finding, ...] = ()  # claims the story did not have before
    conflicts: tuple[Finding, ...] = ()  # claims that disagree with the story or the timeline
    absorbed: tuple[str, ...] = ()  # stories this article showed to be the same development

    @property
    def needs_update_alert(self) -> bool:
        return not self.is_new and bool(self.added or self.conflicts or self.absorbed)


# --------------------------------------------------------------------------- alerts and delivery

AlertKind = Literal["new_story", "story_update", "operator", "digest"]
# pending: due (or waiting for its next attempt after a failure: "failed"); digest: queued for
# the channel's next digest; bundled: carried by a digest alert; dead: given up.
DeliveryStatus = Literal["pending", "sent", "failed", "dead", "digest", "bundled"]
DeliveryMode = Literal["now", "digest"]


@dataclass(frozen=True, slots=True)
class Alert:
    """One message to users; channels render it, the webhook serialises it to its own schema."""

    id: str
    kind: AlertKind
    title: str
    created_at: datetime
    story_id: str | None = None
    follows: str | None = None  # the alert id this one updates
    members: tuple[StoryMember, ...] = ()
    findings: tuple[Finding, ...] = ()
    terms: tuple[str, ...] = ()
    text: str = ""  # free text for operator alerts
    includes: tuple[str, ...] = ()  # digest: the ids of the alerts it gathers
    absorbed: tuple[str, ...] = ()  # stories this story absorbed with this alert (one development)
    # Bounds (issue 13): an update carries only the copies that brought the change, so the
    # story's outlets are named here; findings past the cap are counted, not carried;
    # ``updates`` > 1: the story moved that many times (merged updates, the hourly summary).
    story_outlets: tuple[str, ...] = ()
    omitted_findings: int = 0
    updates: int = 1

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.outlet for m in self.members))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One (alert, channel) pair in the outbox."""

    alert_id: str
    channel: str
    idempotency_key: str
    status: DeliveryStatus
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    updated_at: datetime | None = None
    id: int = 0  # the outbox row (``monitor outbox retry ID``)
    mode: DeliveryMode = "now"
    queued_at: datetime | None = None  # when queued or requeued: max_age counts from here
    alert_kind: AlertKind | None = None
    title: str = ""


@dataclass(frozen=True, slots=True)
class ChannelState:
    """What the outbox remembers per channel: disabled (a webhook said 410), the last digest."""

    name: str
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    disabled_target: str | None = None  # fingerprint of the target that was disabled
    last_digest_slot: datetime | None = None


# --------------------------------------------------------------------------- health and reports

FailureKind = Literal["fetch", "parse", "empty", "deadline"]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source_id: str
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_new_item: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    last_error_kind: FailureKind | None = None
    next_attempt_at: datetime | None = None
    pages: PageFetches | None = None  # the article pages of its last fetch that had any


@dataclass(frozen=True, slots=True)
class PageFetches:
    """The article pages one fetch of a source asked for: how many came, how many failed.

    A feed can be fine while every page behind it fails (blocked, moved, a paywall): this is
    where ``monitor status`` shows it.
    """

    ok: int = 0
    failed: int = 0
    first_error: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one source did in one cycle."""

    source_id: str
    ok: bool
    not_modified: bool = False
    entries: int = 0
    new_entries: int = 0
    error: str | None = None
    error_kind: FailureKind | None = None
    duration_s: float = 0.0
    seeded_items: int = 0  # its first good fetch: items marked seen without alerting
    pages: PageFetches = PageFetches()


@dataclass(frozen=True, slots=True)
class CycleReport:
    started_at: datetime
    finished_at: datetime
    sources: tuple[SourceOutcome, ...] = ()
    articles: int = 0
    relevant: int = 0
    stories_new: int = 0
    stories_updated: int = 0
    alerts: int = 0
    deliveries_ok: int = 0
    deliveries_failed: int = 0
    held_for_digest: int = 0  # deliveries waiting for their channel's daily digest
    seeded: bool = False
    store_error: str | None = None  # a write failed: the cycle stopped there and failed

    @property
    def sources_ok(self) -> int:
        return sum(1 for s in self.sources if s.ok)

    @property
    def sources_failed(self) -> int:
        return sum(1 for s in self.sources if not s.ok)

    @property
    def seeded_items(self) -> int:
        """Items marked seen without alerting by the sources on their first good fetch."""
        return sum(s.seeded_items for s in self.sources)

    @property
    def summary(self) -> dict[str, int | float | bool]:
        """The figures of the one-line cycle summary (CLI, logs, the cycles table)."""
        return {
            "sources_ok": self.sources_ok,
            "sources_failed": self.sources_failed,
            "articles": self.articles,
            "relevant": self.relevant,
            "stories_new": self.stories_new,
            "stories_updated": self.stories_updated,
            "alerts": self.alerts,
            "deliveries_ok": self.deliveries_ok,
            "deliveries_failed": self.deliveries_failed,
            "seeded": self.seeded,
            "seconds": round((self.finished_at - self.started_at).total_seconds(), 2),
            # "alerts=1 deliveries_ok=0" alone looks lost: say the digest holds it
            **({"held_for_digest": self.held_for_digest} if self.held_for_digest else {}),
            **({"write_failed": True} if self.store_error else {}),
        }


# --------------------------------------------------------------------------- the reading room


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """What the stories page asks for: a verdict, a place, a period of activity, words."""

    verdict: VerdictKind | None = None
    place: str | None = None
    since: datetime | None = None  # last seen at or after
    until: datetime | None = None  # first seen before
    query: str = ""  # words, matched on normalised forms (store/search.py)


@dataclass(frozen=True, slots=True)
class StorySummary:
    """One row of the stories page."""

    id: str
    title: str
    first_seen: datetime
    last_seen: datetime
    last_published: datetime | None
    members: int
    outlets: int
    claims: int
    verdicts: tuple[tuple[VerdictKind, int], ...]  # claims per verdict
    updates: int  # update alerts sent after the first
    retired: bool  # idle past the story window: no longer takes new copies


@dataclass(frozen=True, slots=True)
class Absorption:
    """A story joined into another after the fact (one development): the other story's id and
    title, and when. A story page lists those it absorbed, and an absorbed one its absorber."""

    story_id: str
    title: str
    at: datetime | None  # None: absorbed before the time was recorded


@dataclass(frozen=True, slots=True)
class ClaimPoint:
    """A dated claim of a story, to be drawn on the timeline at the dates it states."""

    story_id: str
    story_title: str
    verdict: VerdictKind
    event_id: str | None
    start: date
    end: date
    sentence: str
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class UndatedConflict:
    """A conflicting claim that states no date: listed beside the timeline, not drawn on it."""

    story_id: str
    story_title: str
    event_id: str | None
    sentence: str


@dataclass(frozen=True, slots=True)
class OperatorNote:
    """An operator alert (a source failing or silent) as the sources page lists it."""

    alert_id: str
    title: str
    text: str
    created_at: datetime
