"""Alerts and channel configs for the delivery tests (our own Arabic, in the style of news copy)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from monitor.config.channels import channel_options
from monitor.models import (
    Alert,
    AlertKind,
    Claim,
    DateSpan,
    Finding,
    Quantity,
    StoryMember,
    Verdict,
    VerdictKind,
)
from monitor.settings import ChannelConfig

T0 = datetime(2026, 9, 30, 8, 15, tzinfo=UTC)
SENTENCE = (
    "وقال مصدر عسكري إن قوات التحالف الدولي ستغادر قاعدة Ain al-Asad بالكامل بحلول أيلول 2026، "
    "مع بقاء نحو 2500 مستشار في أربيل."
)


def finding(verdict: VerdictKind = "conflicting", sentence: str = SENTENCE) -> Finding:
    claim = Claim(
        kind="withdrawal",
        sentence=sentence,
        date=DateSpan("أيلول 2026", date(2026, 9, 1), date(2026, 9, 30), "month"),
        places=("ain_al_asad", "erbil"),
        number=Quantity(2500, "about", "نحو 2500 مستشار", "advisers"),
    )
    reason = "says 2026-09; timeline: 2025-09 (phase-one-federal)"
    return Finding(claim, Verdict(verdict, "phase-one-federal", reason))


def members(count: int = 3) -> tuple[StoryMember, ...]:
    outlets = ("وكالة الرافدين", "صحيفة المدى الجديد", "Shafaq Daily")
    return tuple(
        StoryMember(
            article_key=f"key-{i}",
            source_id=f"src-{i}",
            outlet=outlets[i % len(outlets)],
            title=f"التحالف يغادر عين الأسد - نسخة {i}",
            url=f"https://news{i}.example/story/{i}?id=2026",
            published=T0,
            first_seen=T0,
        )
        for i in range(count)
    )


def make_alert(
    alert_id: str = "alert-1",
    *,
    kind: AlertKind = "new_story",
    verdicts: Sequence[VerdictKind] = ("conflicting",),
    title: str = "مصادر: التحالف الدولي يغادر عين الأسد قبل نهاية أيلول",
    follows: str | None = None,
    story_id: str = "story-1",
    created_at: datetime = T0,
) -> Alert:
    return Alert(
        id=alert_id,
        kind=kind,
        title=title,
        created_at=created_at,
        story_id=story_id,
        follows=follows,
        members=members(),
        findings=tuple(finding(v) for v in verdicts),
        terms=("التحالف الدولي", "انسحاب"),
    )


def channel(
    name: str,
    type_: str,
    *,
    immediate: Sequence[str] = ("conflicting", "completed", "new"),
    digest: Sequence[str] = ("consistent",),
    digest_at: str = "08:00",
    **options: Any,
) -> ChannelConfig:
    return ChannelConfig(
        name=name,
        type=type_,
        immediate=tuple(immediate),
        digest=tuple(digest),
        digest_at=digest_at,
        digest_timezone="Asia/Baghdad",
        options=channel_options(type_, dict(options), Path.cwd()),
    )
