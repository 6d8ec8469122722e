"""dedup: cleaned bodies, char-5 shingles, exact Jaccard/containment, MinHash and the LSH index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.support.story_corpus import AIN_ASAD_WIRE, BY_ID

from monitor.settings import StorySettings
from monitor.stories import dedup

PAIRS = Path(__file__).parent / "fixtures" / "stories" / "pairs.jsonl"
SETTINGS = StorySettings()

# ----------------------------------------------------------------------------- dedup_text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("بغداد - واع\nأعلنت الوزارة انسحاب القوات من القاعدة بالكامل اليوم السبت بعد الاتفاق.",
         "الأنبار/ المدى:\nأعلنت الوزارة انسحاب القوات من القاعدة بالكامل اليوم السبت بعد الاتفاق."),
        ("تنتهي المرحلة الأولى في أيلول/سبتمبر 2025.", "تنتهي المرحلة الأولى في سبتمبر 2025."),
        ("تنتهي المرحلة الأولى في سبتمبر (أيلول) 2025.", "تنتهي المرحلة الأولى في أيلول 2025."),
        ("حتى كانون الأول/ديسمبر المقبل", "حتى ديسمبر المقبل"),
        ("يبلغ عددهم ٢٬٥٠٠ جندي", "يبلغ عددهم 2500 جندي"),
        ("يبلغ عددهم 2,500 جندي", "يبلغ عددهم 2.500 جندي"),
        ("أعلن المسؤول أن القوات ستغادر", "اعلن المسئول ان القوات ستغادر"),
        ("قال الناطق باسم الوزارة إن العملية انتهت.\nاقرأ أيضاً\nالتعليقات (0)\nزر الذهاب إلى الأعلى",
         "قال الناطق باسم الوزارة إن العملية انتهت."),
        ("كتب: محرر الشؤون الأمنية\nقال الناطق باسم الوزارة إن العملية انتهت.",
         "قال الناطق باسم الوزارة إن العملية انتهت."),
        ("6-09-2024, 18:04\n+A -A\nقال الناطق باسم الوزارة إن العملية انتهت.",
         "قال الناطق باسم الوزارة إن العملية انتهت."),
    ],
    ids=["dateline", "dual-month", "month-in-parens", "two-word-month", "arabic-indic",
         "thousands", "hamza", "furniture", "byline", "timestamp-share"],
)  # fmt: skip
def test_dedup_text_removes_what_copies_change(a: str, b: str) -> None:
    assert dedup.dedup_text(a) == dedup.dedup_text(b)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("قال مسؤول إن القوات ستنسحب من عين الأسد خلال أيام قليلة بحسب الاتفاق.", "عين الاسد"),
        ("وأكد - في تصريح للصحفيين - أن الموعد قائم.", "واكد في تصريح"),
        ("العراق: انتهاء المهمة", "العراق انتها المهمه"),  # one short line is all content
        ("غادر آخر جندي في آب الماضي.", "اب الماضي"),  # bare Levantine August stays a word
    ],
    ids=["sentence", "dash-inside-sentence", "short-title-line", "bare-ab"],
)
def test_dedup_text_keeps_content(text: str, kept: str) -> None:
    assert kept in dedup.dedup_text(text)


# ----------------------------------------------------------------------------- similarity


def sh(text: str) -> dedup.Hashes:
    return dedup.shingles(dedup.dedup_text(text))


def test_shingles_are_stable_across_processes() -> None:
    # A fixed value: the hash must not depend on PYTHONHASHSEED (they are stored).
    assert dedup.shingles("abcdef").tolist() == sorted(dedup.shingles("abcdef").tolist())
    assert len(dedup.shingles("abcdef")) == 2
    assert dedup.shingles("abc").tolist() == dedup.shingles("abc").tolist()
    assert len(dedup.shingles("")) == 0
    digest = int(dedup.shingles("انسحاب").sum())
    assert digest == int(dedup.shingles("انسحاب").sum())


def test_jaccard_and_containment() -> None:
    full = sh(AIN_ASAD_WIRE)
    teaser = sh(BY_ID["ain_asad_teaser"].text)
    assert dedup.jaccard(full, full) == 1.0
    assert dedup.jaccard(full, dedup.shingles("")) == 0.0
    assert dedup.jaccard(full, teaser) < SETTINGS.grey_threshold + 0.1
    assert dedup.containment(full, teaser) > 0.95
    assert dedup.teaser_containment(full, teaser) > 0.95
    # two full reports from one template contain each other a lot, but are no teaser
    template = sh(BY_ID["ain_asad_2"].text)
    assert dedup.containment(full, template) > 0.6
    assert dedup.teaser_containment(full, template) == 0.0


def _fixture_pairs(why: str) -> list[tuple[str, str]]:
    if not PAIRS.exists():
        return []
    out = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["same_story"] and why in row["why"]:
            out.append((row["a"]["text"], row["b"]["text"]))
    return out


COPIES = [
    ("ain_asad_wire", "ain_asad_copy"),
    ("ain_asad_wire", "ain_asad_reorder"),
    ("ain_asad_copy", "ain_asad_reorder"),
    ("two_phases_wire", "two_phases_swap"),
]


@pytest.mark.parametrize(("a", "b"), COPIES, ids=[f"{a}~{b}" for a, b in COPIES])
def test_copies_are_above_the_merge_threshold(a: str, b: str) -> None:
    assert dedup.jaccard(sh(BY_ID[a].text), sh(BY_ID[b].text)) >= SETTINGS.merge_threshold


@pytest.mark.parametrize(
    "why",
    ["light re-edit", "month-system swap", "dual month forms", "Arabic-Indic digits",
     "changed dateline", "Egyptian orthography"],
)  # fmt: skip
def test_fixture_copies_are_above_the_merge_threshold(why: str) -> None:
    pairs = _fixture_pairs(why)
    if not pairs:
        pytest.skip("no such pair in tests/fixtures/stories/pairs.jsonl")
    for a, b in pairs:
        assert dedup.jaccard(sh(a), sh(b)) >= SETTINGS.merge_threshold, why


UNRELATED = [
    ("ain_asad_wire", "two_phases_wire"),
    ("ain_asad_wire", "victory_a"),
    ("victory_b", "cut_2000_a"),
    ("two_phases_wire", "harir"),
]


@pytest.mark.parametrize(("a", "b"), UNRELATED, ids=[f"{a}~{b}" for a, b in UNRELATED])
def test_different_reports_on_the_topic_are_below_the_grey_zone(a: str, b: str) -> None:
    assert dedup.jaccard(sh(BY_ID[a].text), sh(BY_ID[b].text)) < SETTINGS.grey_threshold


# ----------------------------------------------------------------------------- MinHash + LSH


def test_minhash_estimates_jaccard() -> None:
    hasher = dedup.MinHasher()
    texts = [BY_ID[k].text for k in ("ain_asad_wire", "ain_asad_copy", "ain_asad_mt", "harir")]
    sets = [dedup.shingles(dedup.dedup_text(t), 8) for t in texts]
    sigs = [hasher.signature(s) for s in sets]
    for i in range(len(sets)):
        for j in range(len(sets)):
            exact = dedup.jaccard(sets[i], sets[j])
            estimate = float(dedup.estimate_jaccard(sigs[i], sigs[j][None, :])[0])
            assert abs(exact - estimate) < 0.15
    empty = hasher.signature(dedup.shingles(""))
    assert empty.shape == (hasher.num_perm,)
    short = hasher.signature(dedup.shingles("انسحاب القوات"))  # most bins empty: densified
    assert len(set(short.tolist())) > 1


def test_lsh_finds_copies_not_strangers_and_forgets_removed_rows() -> None:
    hasher = dedup.MinHasher()
    index = dedup.LshIndex()

    def sig(text: str) -> dedup.Hashes:
        return hasher.signature(dedup.shingles(dedup.dedup_text(text), 8))

    index.add(1, sig(BY_ID["ain_asad_wire"].text))
    index.add(2, sig(BY_ID["harir"].text))
    rng = np.random.default_rng(3)
    for row in range(10, 10 + 600):  # enough to merge the pending buffer into the arrays
        index.add(row, rng.integers(0, 2**32, hasher.num_perm, dtype=np.uint64).astype(np.uint32))
    assert 1 in index.query(sig(BY_ID["ain_asad_copy"].text))
    assert 2 not in index.query(sig(BY_ID["ain_asad_copy"].text))
    index.remove(1)
    assert 1 not in index.query(sig(BY_ID["ain_asad_copy"].text))
    index.compact()
    assert 1 not in index.query(sig(BY_ID["ain_asad_copy"].text))
    assert 2 in index.query(sig(BY_ID["harir"].text))
    assert len(index) == 601


def test_lsh_bulk_load_and_band_counts() -> None:
    hasher = dedup.MinHasher()
    texts = [BY_ID[k].text for k in ("ain_asad_wire", "harir", "victory_a")]
    sigs = np.stack([hasher.signature(dedup.shingles(dedup.dedup_text(t), 8)) for t in texts])
    index = dedup.LshIndex()
    index.add(7, sigs[2])  # one pending row beside the bulk
    index.add_many(np.array([3, 5], dtype=np.int64), sigs[:2])
    rows, counts = index.query_counts(sigs[0])
    assert rows.tolist()[0] == 3 and counts.tolist()[0] == index.bands  # itself: every band
    assert index.query(sigs[1]) == {5}
    assert index.query(sigs[2]) == {7}
    assert len(index) == 3


def test_lsh_rejects_bad_banding() -> None:
    with pytest.raises(ValueError, match="multiple"):
        dedup.LshIndex(num_perm=100, bands=42)
