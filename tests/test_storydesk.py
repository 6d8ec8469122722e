"""StoryDesk on a real store: joining stories, what a copy adds, restarts, alerts, pruning."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tests.quality_metrics import build_analyzer
from tests.support.story_corpus import AIN_ASAD_WIRE, BY_ID

from monitor.models import (
    Article,
    ArticleAnalysis,
    FeedEntry,
    Relevance,
)
from monitor.settings import StorySettings
from monitor.store import Store
from monitor.stories.desk import StoryDesk

SETTINGS = StorySettings()
TROOPS = "وأوضح مصدر في الوزارة أن عدد الجنود الأمريكيين المتبقين في العراق يبلغ نحو 1500 جندي."


ANALYZER = build_analyzer()


def analyse(title: str, text: str, published: datetime) -> ArticleAnalysis:
    return ANALYZER.analyze(title, text, published)


def article(key: str, outlet: str, title: str, text: str, published: datetime) -> Article:
    entry = FeedEntry(
        source_id="agg", key=key, outlet=outlet, title=title, url=f"https://news.example/{key}",
        published=published,
    )  # fmt: skip
    return Article(entry, title, text, "trafilatura", published, "feed", f"hash-{hash(text)}")


def assign(desk: StoryDesk, art: Article, analysis: ArticleAnalysis, now: datetime):  # type: ignore[no-untyped-def]
    with desk.store.transaction():
        return desk.assign(art, analysis, now)


def report_article(rid: str, key: str | None = None) -> tuple[Article, ArticleAnalysis]:
    r = BY_ID[rid]
    art = article(key or rid, r.outlet, r.title, r.text, r.published)
    return art, analyse(r.title, r.text, r.published)


def test_three_outlets_one_story_then_a_new_figure_then_a_relisting(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS)
    now = BY_ID["ain_asad_reorder"].published + timedelta(minutes=5)
    decisions = []
    for rid in ("ain_asad_wire", "ain_asad_copy", "ain_asad_reorder"):
        art, analysis = report_article(rid)
        decisions.append(assign(desk, art, analysis, now))
    (first, story), (second, _), (third, story3) = decisions
    assert first.is_new and not second.is_new and not third.is_new
    assert {d.story_id for d, _ in decisions} == {story.id}
    assert not second.needs_update_alert and not third.needs_update_alert
    assert len(story3.members) == 3 and len(story3.outlets) == 3
    assert max(len(c.outlets) for c in story3.claims) == 3  # the lead claim, by three outlets

    # A fourth copy adds a troop figure the story did not have: one update.
    wire = BY_ID["ain_asad_wire"]
    text = AIN_ASAD_WIRE.replace("وأضاف البيان", f"{TROOPS}\nوأضاف البيان")
    fourth = article("fourth", "الفرات نيوز", wire.title, text, wire.published + timedelta(hours=2))
    analysis = analyse(wire.title, text, fourth.published or now)
    decision, story4 = assign(desk, fourth, analysis, now)
    assert decision.story_id == story.id and not decision.is_new
    assert [f.claim.number.value for f in decision.added if f.claim.number] == [1500]
    assert decision.needs_update_alert

    # The same copy listed again by the feed (same key, same text): nothing new.
    again, _ = assign(desk, fourth, analysis, now + timedelta(hours=1))
    assert again.story_id == story.id and not again.is_new
    assert again.added == () and not again.needs_update_alert
    assert len(store.load_story(story.id).members) == 4  # type: ignore[union-attr]
    assert story4.title == story.title


def test_an_article_edited_in_place_keeps_its_story_and_adds_only_what_is_new(
    store: Store,
) -> None:
    desk = StoryDesk(store, SETTINGS)
    wire = BY_ID["ain_asad_wire"]
    art, analysis = report_article("ain_asad_wire", key="k1")
    _, story = assign(desk, art, analysis, wire.published)
    assign(desk, *report_article("ain_asad_copy"), wire.published)
    edited_text = AIN_ASAD_WIRE.replace("وأضاف البيان", f"{TROOPS}\nوأضاف البيان")
    edited = dataclasses.replace(art, text=edited_text, content_hash="edited")
    edited_analysis = analyse(wire.title, edited_text, wire.published)
    decision, after = assign(desk, edited, edited_analysis, wire.published + timedelta(hours=1))
    assert decision.story_id == story.id and decision.reason == "edited in place"
    assert [f.claim.number.value for f in decision.added if f.claim.number] == [1500]
    assert len(after.members) == 2  # replaced, not appended
    # editing it back removes the figure; nothing is added
    back, _ = assign(desk, art, analysis, wire.published + timedelta(hours=2))
    assert back.added == ()
    assert all(
        not (c.finding.claim.number and c.finding.claim.number.value == 1500)
        for c in store.load_story(story.id).claims  # type: ignore[union-attr]
    )


def test_eight_outlets_of_one_aggregator_feed_are_one_story(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS)
    wire = BY_ID["ain_asad_wire"]
    datelines = ["بغداد - واع", "الأنبار/ المدى", "متابعة", "بغداد (رويترز) -", "كتب: المحرر",
                 "شفق نيوز/", "بغداد - السومرية", "الرمادي -"]  # fmt: skip
    ids = set()
    for i, line in enumerate(datelines):
        text = wire.text.replace("بغداد - واع", line)
        if i % 2:
            text = text.replace("أ", "ا").replace("2025", "٢٠٢٥")
        published = wire.published + timedelta(minutes=9 * i)
        art = article(f"agg-{i}", f"outlet-{i}", wire.title, text, published)
        decision, _ = assign(desk, art, analyse(wire.title, text, published), published)
        ids.add(decision.story_id)
    assert len(ids) == 1


def test_a_restarted_desk_dedups_against_what_it_saw(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    desk = StoryDesk(store, SETTINGS)
    wire = BY_ID["ain_asad_wire"]
    _, story = assign(desk, *report_article("ain_asad_wire"), wire.published)
    assign(desk, *report_article("victory_a"), wire.published)
    store.close()

    store = Store.open(tmp_path)
    desk = StoryDesk(store, SETTINGS)
    assert len(desk.index) == 2 and desk.index.story_count == 2
    decision, _ = assign(desk, *report_article("ain_asad_copy"), wire.published)
    assert decision.story_id == story.id and not decision.is_new
    store.close()


def test_first_alert_is_kept_and_loaded(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS)
    _, story = assign(desk, *report_article("victory_a"), BY_ID["victory_a"].published)
    assert story.first_alert_id is None
    with store.transaction():
        desk.set_first_alert(story.id, "alert-1")
        desk.set_first_alert(story.id, "alert-2")  # a later call never replaces the first
    _, later = assign(desk, *report_article("victory_b"), BY_ID["victory_b"].published)
    assert later.id == story.id
    assert later.first_alert_id == "alert-1"


def test_prune_retires_old_stories_but_remembers_their_articles(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS)
    wire = BY_ID["ain_asad_wire"]
    seen = wire.published
    _, story = assign(desk, *report_article("ain_asad_wire"), seen)
    assert desk.prune(seen + timedelta(days=SETTINGS.window_days - 1)) == 0
    with store.transaction():
        assert desk.prune(seen + timedelta(days=SETTINGS.window_days + 1)) == 1
    assert len(desk.index) == 0 and store.count_stories() == 0
    assert store.member_story(wire.id) == story.id  # the key stays as a tombstone
    # a copy arriving now starts a new story (the old one left the window) ...
    later = seen + timedelta(days=SETTINGS.window_days + 2)
    copy, analysis = report_article("ain_asad_copy")
    copy = dataclasses.replace(copy, published=later)
    decision, _ = assign(desk, copy, analysis, later)
    assert decision.is_new
    # ... but the old article edited in place goes back to its own story
    art, analysis = report_article("ain_asad_wire")
    back, _ = assign(desk, art, analysis, later)
    assert back.story_id == story.id and back.reason == "edited in place"
    # long after, the tombstones go too
    with store.transaction():
        desk.prune(later + timedelta(days=60))
    assert store.member_story(wire.id) is None


def test_a_rolled_back_assignment_leaves_no_ghost_story(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS)
    wire = BY_ID["ain_asad_wire"]
    with pytest.raises(RuntimeError), store.transaction():
        desk.assign(*report_article("ain_asad_wire"), wire.published)
        raise RuntimeError("the pipeline failed after assigning")
    decision, story = assign(desk, *report_article("ain_asad_copy"), wire.published)
    assert decision.is_new  # the ghost in the index was noticed and dropped
    assert store.load_story(story.id) is not None


def test_an_article_without_claims_still_gets_a_story(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS)
    bare = ArticleAnalysis(Relevance(True, 1.0), (), "")
    art = article(
        "bare", "وكالة", "عنوان", "نص قصير عن انسحاب القوات", datetime(2026, 1, 1, tzinfo=UTC)
    )
    decision, story = assign(desk, art, bare, datetime(2026, 1, 1, tzinfo=UTC))
    assert decision.is_new and story.claims == ()


def test_findings_round_trip_through_the_store_with_every_claim_field() -> None:
    from monitor.models import Claim, DateSpan, Finding, Quantity, Verdict
    from monitor.store.stories import decode_findings, encode_findings

    claim = Claim(
        "relocation",
        "نقل مستشارين إلى قاعدة حرير",
        DateSpan("الأحد", date(2026, 1, 18), date(2026, 1, 18), "day", "في", (1, 6)),
        ("ain_al_asad",),
        Quantity(300, "about", "نحو 300", "مستشار", (7, 14)),
        negated=False,
        hedged=True,
        reports_done=True,
        span=(0, 28),
        destinations=("harir",),
        phase="end",
    )
    finding = Finding(claim, Verdict("new", None, "no event matches"))
    assert decode_findings(encode_findings([finding])) == (finding,)


def test_the_story_in_memory_is_the_story_in_the_store_after_joins_edits_and_a_rollback(
    store: Store,
) -> None:
    desk = StoryDesk(store, SETTINGS)
    wire = BY_ID["ain_asad_wire"]
    _, story = assign(desk, *report_article("ain_asad_wire"), wire.published)
    with pytest.raises(RuntimeError), store.transaction():
        desk.assign(*report_article("ain_asad_copy"), wire.published)
        raise RuntimeError("the pipeline failed after joining")
    _, after = assign(desk, *report_article("ain_asad_reorder"), wire.published)
    assert after.id == story.id and len(after.members) == 2  # the rolled-back copy is gone
    assert after == store.load_story(story.id)
    with store.transaction():
        desk.set_first_alert(story.id, "alert-1")
    later = wire.published + timedelta(hours=1)
    decision, edited = assign(desk, *report_article("ain_asad_wire"), later)
    assert decision.reason == "edited in place" and len(edited.members) == 2
    assert edited == store.load_story(story.id)  # first_seen kept, first alert remembered
    assert edited.first_alert_id == "alert-1"
