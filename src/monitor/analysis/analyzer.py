"""Analysis of one article.

``Analyzer.analyze`` runs the stages in this order: normalise → strip page furniture (blanked
in place, so every offset still points into the article's text) → join hard-wrapped lines
(``wraps``; also in place) → relevance → dates → claims →
timeline verdicts. Dates and claims are only computed for relevant articles. Relative dates (أمس، الأحد، الشهر الجاري)
resolve against the publication date, taken in Baghdad time when it has a time zone.

The ``monitor analyze`` command that runs it on JSON Lines lives in ``monitor.ops.analyze``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from monitor.analysis import keywords
from monitor.analysis.budget import within_budget
from monitor.analysis.claims import find as claims
from monitor.analysis.dates import find as dates
from monitor.analysis.furniture import blank_furniture
from monitor.analysis.keywords import KeywordRules
from monitor.analysis.lede import read_lede
from monitor.analysis.wraps import unwrap
from monitor.models import ArticleAnalysis, ArticleReading, Claim, Finding, Timeline, Verdict
from monitor.normalize import normalize
from monitor.timebounds import plausible
from monitor.timeline.judge import judge

BAGHDAD = ZoneInfo("Asia/Baghdad")


class Analyzer:
    """Runs the analysis stages with one set of rules and one timeline."""

    def __init__(self, rules: KeywordRules, timeline: Timeline) -> None:
        self.rules = rules
        self.timeline = timeline
        # place id -> (Arabic, English) name, for reasons that list a claim's places
        self.place_names = {p.id: (p.ar[0], p.en or p.id) for p in rules.places if p.ar}

    def analyze(
        self,
        title: str | None,
        text: str,
        published: datetime | date | None,
        milestones: Mapping[str, str] | None = None,
        completed_on: Mapping[str, date] | None = None,
    ) -> ArticleAnalysis:
        """Analyse one article.

        Args:
            title: the headline, or None.
            text: the extracted main text (page furniture is removed here); only its first
                ``budget.MAX_CHARS`` characters and ``budget.MAX_SENTENCES`` sentences are read.
            published: publication time or day; relative dates resolve against it.
            milestones: event id -> story that reported it completed (from the store).
            completed_on: event id -> the day that completion was first reported, where known.

        Returns:
            Relevance, findings (claims with verdicts; empty when not relevant) and the
            normalised furniture-free body.
        """
        reading = read_article(self.rules, title, text, published)
        return self.finish(reading, milestones, completed_on)

    def finish(
        self,
        reading: ArticleReading,
        milestones: Mapping[str, str] | None = None,
        completed_on: Mapping[str, date] | None = None,
    ) -> ArticleAnalysis:
        """The analysis of a ``read_article`` reading: its claims with the timeline's
        verdicts (the only stage that needs the store's completed milestones)."""
        day = reading.day
        findings = tuple(
            Finding(c, self.judge(c, day, milestones, completed_on)) for c in reading.claims
        )
        return ArticleAnalysis(reading.relevance, findings, reading.body, reading.lede)

    def judge(
        self,
        claim: Claim,
        day: date | None,
        milestones: Mapping[str, str] | None,
        completed_on: Mapping[str, date] | None = None,
    ) -> Verdict:
        return judge(claim, self.timeline, day, milestones, completed_on, self.place_names)


def read_article(
    rules: KeywordRules, title: str | None, text: str, published: datetime | date | None
) -> ArticleReading:
    """Every stage but the verdicts: normalise, furniture, relevance, dates, claims.

    A pure function of its arguments (no timeline, no store), so it runs in a worker process.
    """
    # line breaks inside sentences (hard-wrapped copy) are spaces once furniture is gone
    norm = unwrap(blank_furniture(normalize(within_budget(text))))
    relevance = keywords.score(norm, title, rules)
    body = collapse_body(norm.text)
    day = publication_day(plausible(published))
    if not relevance.relevant:
        return ArticleReading(relevance, (), body, day)
    # dates only where a claim may be: most sentences of an article hold none
    spans = claims.claim_sentences(norm, rules)
    found = claims.extract_claims(norm, dates.find_dates(norm, day, spans), rules, day)
    lede = read_lede(title, norm.text, found, day, rules)
    return ArticleReading(relevance, tuple(found), body, day, lede)


def publication_day(published: datetime | date | None) -> date | None:
    """The calendar day of publication, in Baghdad when the time has a time zone."""
    if isinstance(published, datetime):
        if published.tzinfo is not None:
            return published.astimezone(BAGHDAD).date()
        return published.date()
    return published


def collapse_body(text: str) -> str:
    """Normalised body with blanked furniture and runs of spaces squeezed out."""
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
