"""StoryDesk on a real store: joining stories, what a copy adds, restarts, alerts, pruning."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from bench.storycorpus import END, Corpus
from tests.quality_metrics import build_analyzer
from tests.support.story_corpus import AIN_ASAD_WIRE, BY_ID

from monitor.models import (
    Article,
    ArticleAnalysis,
    FeedEntry,
    Relevance,
)
from monitor.pipeline.prepare import prepare_in_process, rules_ref
from monitor.settings import StorySettings
from monitor.store import Store
from monitor.stories.desk import StoryDesk
from monitor.stories.index import StoryIndex
from monitor.stories.match import (
    DevelopmentReader,
    development_of,
    encode_development,
    place_tree,
)
from monitor.stories.model import StoryModel

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
        reported=DateSpan("أمس السبت", date(2026, 1, 17), date(2026, 1, 17), "day"),
    )
    finding = Finding(claim, Verdict("new", None, "no event matches", "لا حدث"))
    assert decode_findings(encode_findings([finding])) == (finding,)


# ----------------------------------------------------------------------------- joined after the fact

# A model that weighs only the words, so the test decides which reports are one story.
WORDS_ONLY = StoryModel(bias=-4.0, weights={"text": 10.0})
CONVOY = "قافلة شاحنات محملة بالمعدات الثقيلة غادرت المعسكر الشمالي فجرا نحو الحدود الغربية"
PLANES = "طائرات نقل عسكرية هبطت في المطار الجنوبي مساء وعلى متنها جنود ومستشارون ومعدات"


def plain(key: str, text: str, at: datetime) -> tuple[Article, ArticleAnalysis]:
    title = "مغادرة القوات الأجنبية"  # one title: each report finds the others as candidates
    return article(key, f"outlet-{key}", title, text, at), ArticleAnalysis(
        Relevance(True, 5.0), (), text
    )


def test_a_report_that_shows_two_stories_are_one_merges_them(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS, WORDS_ONLY)
    t = datetime(2026, 1, 17, 9, 0, tzinfo=UTC)
    first, s1 = assign(desk, *plain("a", CONVOY, t), t)
    second, s2 = assign(desk, *plain("b", PLANES, t + timedelta(hours=1)), t + timedelta(hours=1))
    assert first.is_new and second.is_new and s1.id != s2.id  # no word in common
    with store.transaction():
        desk.set_first_alert(s1.id, "alert-1")
        desk.set_first_alert(s2.id, "alert-2")
    both = f"{CONVOY}\n{PLANES}"
    third, merged = assign(desk, *plain("c", both, t + timedelta(hours=2)), t + timedelta(hours=2))
    # the older story absorbs the younger; its first alert is the one updates follow
    assert third.story_id == s1.id and third.absorbed == (s2.id,)
    assert third.needs_update_alert
    assert {m.article_key for m in merged.members} == {"a", "b", "c"}
    assert merged.first_alert_id == "alert-1"
    assert store.absorbed_into(s2.id) == s1.id and store.member_story("b") == s1.id
    assert store.count_stories() == 1  # the absorbed story is retired
    # a restarted desk sees one story of three members
    again = StoryDesk(store, SETTINGS, WORDS_ONLY)
    assert again.index.story_count == 1 and len(again.index) == 3


def test_the_window_term_counts_follow_joins_edits_and_retirements(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS, WORDS_ONLY)
    t = datetime(2026, 1, 17, 9, 0, tzinfo=UTC)
    assign(desk, *plain("a", CONVOY, t), t)
    assign(desk, *plain("b", PLANES, t), t)
    counts, documents = store.term_counts()
    assert documents == 2 == desk.index.terms.documents
    assert all(desk.index.terms.df[term] == n for term, n in counts.items())
    # edited in place: its old words go out, the new ones in, still two reports
    edited = dataclasses.replace(plain("a", PLANES, t)[0], content_hash="edited")
    assign(desk, edited, plain("a", PLANES, t)[1], t)
    counts, documents = store.term_counts()
    assert documents == 2 == desk.index.terms.documents
    assert max(counts.values()) == 2  # both now hold the same words
    with store.transaction():
        desk.prune(t + timedelta(days=SETTINGS.window_days + 1))
    assert store.term_counts() == ({}, 0) and desk.index.terms.documents == 0


def test_a_page_without_a_date_is_placed_by_its_text_not_its_fetch_time(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS)
    wire = BY_ID["ain_asad_wire"]
    art, _ = report_article("ain_asad_wire")
    text = wire.text.replace("اليوم السبت", "السبت 17 كانون الثاني 2026")  # a stated date
    analysis = analyse(wire.title, text, None)  # type: ignore[arg-type]
    undated = dataclasses.replace(art, published=None, published_source="none")
    fetched = wire.published + timedelta(days=30)
    doc_decision, _ = assign(desk, undated, analysis, fetched)
    member = desk.index._members[art.key]
    assert member.event.at is None and member.event.seen == fetched
    assert member.event.placed is not None and member.event.placed.date() == date(2026, 1, 17)
    assert doc_decision.is_new


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


def _claim_rows(store: Store, story_id: str) -> tuple[list[tuple], list[str], set[str]]:  # type: ignore[type-arg]
    claims = store.conn.execute(
        "SELECT position, finding, outlets, verdict, event_id, date_start, date_end"
        " FROM story_claims WHERE story_id = ? ORDER BY position",
        (story_id,),
    ).fetchall()
    tags = [r[0] for r in store.conn.execute(
        "SELECT tag FROM story_tags WHERE story_id = ? ORDER BY tag", (story_id,)
    )]  # fmt: skip
    terms = store.conn.execute(
        "SELECT s.terms FROM stories t JOIN story_search s ON s.rowid = t.search_rowid"
        " WHERE t.id = ?",
        (story_id,),
    ).fetchone()[0]
    return claims, tags, set(terms.split())


def test_joins_write_the_claim_rows_tags_and_terms_a_full_rewrite_would(store: Store) -> None:
    # a join writes only what changed (a new claim whole, a claim's new outlet alone)
    desk = StoryDesk(store, SETTINGS)
    wire = BY_ID["ain_asad_wire"]
    for rid in ("ain_asad_wire", "ain_asad_copy", "ain_asad_reorder"):
        _, story = assign(desk, *report_article(rid), wire.published)
    text = AIN_ASAD_WIRE.replace("وأضاف البيان", f"{TROOPS}\nوأضاف البيان")
    fourth = article("fourth", "الفرات نيوز", wire.title, text, wire.published)
    _, story = assign(desk, fourth, analyse(wire.title, text, wire.published), wire.published)
    assert len(story.claims) > 1 and max(len(c.outlets) for c in story.claims) == 4
    joined = _claim_rows(store, story.id)
    with store.transaction():
        store.save_story_claims(story.id, story.claims)
    assert _claim_rows(store, story.id) == joined


def test_the_story_index_reads_a_text_in_the_worker_as_the_desk_would() -> None:
    # The worker (prepare_in_process) hands the desk the shingles, MinHash and words of a
    # relevant article; the desk must build the same Doc as when it reads the text itself.
    index = StoryIndex(SETTINGS, lambda keys: {})
    ref = rules_ref(ANALYZER.rules)
    relevant = 0
    for rid, r in BY_ID.items():
        entry = FeedEntry("s", rid, r.outlet, r.title, summary=r.text, published=r.published)
        prepared = prepare_in_process(entry, None, None, ref)
        assert prepared.reading is not None
        if not prepared.reading.relevance.relevant:
            assert prepared.text is None
            continue
        relevant += 1
        analysis = ANALYZER.finish(prepared.reading)
        art = prepared.article
        args = (rid, analysis.body or art.text, art.title, art.dated, analysis.findings)
        kw = {"lede": analysis.lede, "normalized": bool(analysis.body)}
        here = index.make_doc(*args, **kw)  # type: ignore[arg-type]
        there = index.make_doc(*args, **kw, text=prepared.text)  # type: ignore[arg-type]
        assert here.event == there.event and here.numbers == there.numbers
        for a, b in ((here.shingles, there.shingles), (here.signature, there.signature)):
            assert np.array_equal(a, b)
        assert np.array_equal(here.terms.ids, there.terms.ids)
        assert np.array_equal(here.terms.counts, there.terms.counts)
    assert relevant >= 5


# ----------------------------------------------------------------------------- a restart


def _corpus_reports(seed: int, events: int) -> list[tuple[Article, ArticleAnalysis]]:
    """Reports of ``events`` synthetic developments (the bench's corpus: our own templates),
    several outlets each, in the order they were published (to the second, as stored)."""
    corpus = Corpus(seed=seed)
    out = []
    for _ in range(events):
        event = corpus.event(END - timedelta(days=3), timedelta(days=2))
        for rep in corpus.reports(event, min(event.size, 4)):
            at = (rep.article.published or END).replace(microsecond=0)
            out.append((dataclasses.replace(rep.article, published=at), rep.analysis))
    out.sort(key=lambda r: (r[0].published or END, r[0].key))
    return out


def _probe(desk: StoryDesk, art: Article, analysis: ArticleAnalysis) -> tuple[object, ...]:
    doc = desk.index.make_doc(
        "probe-" + art.key, analysis.body or art.text, art.title, art.published,
        analysis.findings, lede=analysis.lede, seen=END, normalized=bool(analysis.body),
    )  # fmt: skip
    c = desk.index.choose(doc)
    return c.story_id, c.similarity, c.reason, c.also, c.member


def test_the_index_rebuilt_from_the_store_decides_as_the_live_one(tmp_path: Path) -> None:
    reports = _corpus_reports(seed=5, events=40)
    store = Store.open(tmp_path)
    live = StoryDesk(store, SETTINGS)
    for art, analysis in reports[: len(reports) * 2 // 3]:
        assign(live, art, analysis, art.published or END)
    rebuilt = StoryDesk(store, SETTINGS)
    # every member with the same story and the same development signature
    assert rebuilt.index._members.keys() == live.index._members.keys()
    for key, member in live.index._members.items():
        again = rebuilt.index._members[key]
        assert (again.story_id, again.event) == (member.story_id, member.event)
    assert rebuilt.index._postings == live.index._postings
    # the same decisions, candidates and reasons for reports it has not seen
    probes = reports[len(reports) * 2 // 3 :]
    assert [_probe(rebuilt, *r) for r in probes] == [_probe(live, *r) for r in probes]
    # and the same after both took the same further joins
    for desk in (live, rebuilt):
        for art, analysis in probes[:10]:
            assign(desk, dataclasses.replace(art, entry=dataclasses.replace(
                art.entry, key="again-" + art.key)), analysis, art.published or END)  # fmt: skip
    assert [_probe(rebuilt, *r) for r in probes[10:]] == [_probe(live, *r) for r in probes[10:]]
    store.close()


def test_a_state_stored_without_signatures_is_derived_once_and_written_back(
    tmp_path: Path,
) -> None:
    reports = _corpus_reports(seed=7, events=12)
    store = Store.open(tmp_path)
    live = StoryDesk(store, SETTINGS)
    for art, analysis in reports:
        assign(live, art, analysis, art.published or END)
    with store.transaction():  # as migration 9 leaves an upgraded state
        store.save_member_events((art.key, "") for art, _ in reports)
    first = StoryDesk(store, SETTINGS)  # derives them all from the findings
    assert all(event for rows in store.live_member_index() for event in rows.events)
    second = StoryDesk(store, SETTINGS)  # reads them
    for key, member in live.index._members.items():
        assert first.index._members[key].event == member.event
        assert second.index._members[key].event == member.event
    store.close()


def test_a_development_signature_survives_its_stored_form() -> None:
    builtin = place_tree()
    reader = DevelopmentReader(builtin)
    for art, analysis in _corpus_reports(seed=9, events=30):
        event = development_of(
            art.title,
            art.published,
            analysis.findings,
            (250, 3100),
            analysis.lede,
            END,
            places=builtin,
        )
        text = encode_development(event, builtin)
        assert text is not None
        assert reader.read(text, event.at, event.seen) == event
    assert reader.read("e0.old\x1fwhatever", None, END) is None  # another derivation
    # a signature derived with another place hierarchy is derived again, not read
    other = place_tree((*builtin.parents.items(), ("mosul", "federal_areas")))
    assert DevelopmentReader(other).read(text, None, END) is None


def test_two_runs_over_the_same_reports_make_the_same_story_ids(tmp_path: Path) -> None:
    """Story ids come from the first report's key, not chance: the index breaks its ties by
    them, so identical runs make identical stories (and alerts)."""
    reports = [report_article(rid) for rid in sorted(BY_ID)[:12]]
    runs = []
    for run in ("a", "b"):
        store = Store.open(tmp_path / run)
        desk = StoryDesk(store, SETTINGS)
        ids = [assign(desk, art, analysis, END)[0].story_id for art, analysis in reports]
        store.close()
        runs.append(ids)
    assert runs[0] == runs[1]
    assert len(set(runs[0])) > 1  # several stories: the ids were compared, not one shared id


def test_an_article_that_starts_a_story_again_gets_another_id(store: Store) -> None:
    desk = StoryDesk(store, SETTINGS)
    art, analysis = report_article("ain_asad_wire")
    first, _ = assign(desk, art, analysis, END)
    again = desk._new_story_id(art.key)  # its own id is taken (say the story was pruned)
    assert again != first.story_id and len(again) == len(first.story_id) == 32
    store.create_story(again, "قصة", END)
    assert desk._new_story_id(art.key) not in (first.story_id, again)
