"""normalize.py: one paired test per rule, then the offset map back to the original text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from monitor import normalize as nz
from monitor.normalize import normalize, normalize_text

RuleCase = tuple[Callable[[str], str], str, str]

CASES: list[tuple[str, RuleCase]] = [
    ("presentation-lam-alef", (nz.fold_presentation_forms, "ﻻ", "لا")),
    ("presentation-alef-isolated", (nz.fold_presentation_forms, "ﺍ", "ا")),
    ("presentation-fullwidth-digit", (nz.fold_presentation_forms, "５", "5")),
    ("presentation-plain-letter-unchanged", (nz.fold_presentation_forms, "ب", "ب")),
    ("invisible-zwnj", (nz.strip_invisible, "بين\u200cهم", "بينهم")),
    ("invisible-rlm-lrm", (nz.strip_invisible, "\u200fالعراق\u200e", "العراق")),
    ("invisible-bom-and-isolates", (nz.strip_invisible, "\ufeff\u2067بغداد\u2069", "بغداد")),
    ("tatweel", (nz.strip_tatweel, "الانســـحاب", "الانسحاب")),
    ("diacritics-harakat", (nz.strip_diacritics, "انْسِحَابُ", "انسحاب")),
    ("diacritics-shadda-tanween", (nz.strip_diacritics, "تشكّلَ جدولاً", "تشكل جدولا")),
    ("diacritics-superscript-alef", (nz.strip_diacritics, "هٰذا", "هذا")),
    ("alef-hamza-above", (nz.fold_alef, "أربيل", "اربيل")),
    ("alef-hamza-below", (nz.fold_alef, "إنهاء", "انهاء")),
    ("alef-madda", (nz.fold_alef, "آلاف", "الاف")),
    ("alef-wasla", (nz.fold_alef, "ٱلعراق", "العراق")),
    ("yeh-alef-maqsura", (nz.fold_yeh, "حتى", "حتي")),
    ("yeh-persian", (nz.fold_yeh, "الدولی", "الدولي")),
    ("teh-marbuta", (nz.fold_teh_marbuta, "مهمة", "مهمه")),
    ("persian-keheh", (nz.fold_persian_letters, "کردستان", "كردستان")),
    ("kurdish-ae-dropped", (nz.fold_persian_letters, "ئەو", "ئو")),
    ("persian-heh-doachashmee", (nz.fold_persian_letters, "ھذا", "هذا")),
    ("kurdish-erbil", (nz.fold_persian_letters, "هەولێر", "هولير")),
    ("kurdish-letters", (nz.fold_persian_letters, "ڕۆژ ڵ پ چ گ", "روز ل ب ج ك")),
    ("veh-for-v", (nz.fold_persian_letters, "ڤيكتوريا", "فيكتوريا")),
    ("digits-arabic-indic", (nz.fold_digits, "٢٠٢٦", "2026")),
    ("digits-persian", (nz.fold_digits, "۲۰۲۶", "2026")),
    ("digits-separators", (nz.fold_digits, "٢٬٥٠٠ و٢٫٥ و٥٠٪", "2,500 و2.5 و50%")),
    ("punct-guillemets", (nz.unify_punctuation, "«داعش»", '"داعش"')),
    ("punct-curly-quotes", (nz.unify_punctuation, "“نص” ‘نص’", "\"نص\" 'نص'")),
    ("punct-arabic-comma-semicolon-question", (nz.unify_punctuation, "أ، ب؛ ج؟", "أ, ب; ج?")),
    ("punct-dashes-and-nbsp", (nz.unify_punctuation, "بغداد\u00a0—\u2009واع", "بغداد - واع")),
    ("case-latin", (nz.fold_case, "Reuters GMT", "reuters gmt")),
    ("case-arabic-unchanged", (nz.fold_case, "رويترز", "رويترز")),
]


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_rule(case: RuleCase) -> None:
    rule, given, expected = case
    assert rule(given) == expected


def test_every_rule_has_a_case() -> None:
    tested = {c[0] for _, c in CASES}
    assert set(nz.RULES) <= tested


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("أعلنَت القواتُ الأمريكيـة انسحابَها", "اعلنت القوات الامريكيه انسحابها"),
        ("«إقليم کردستان» ٢٠٢٦", '"اقليم كردستان" 2026'),
        ("ﻻ صحة\u200f لذلك؟", "لا صحه لذلك?"),
    ],
    ids=["mixed-marks", "quotes-persian-digits", "ligature-invisible-question"],
)
def test_normalize_text_applies_all_rules(given: str, expected: str) -> None:
    assert normalize_text(given) == expected
    assert normalize(given).text == expected


@pytest.mark.parametrize(
    ("original", "needle"),
    [
        ("قالَ المتحدث: إنّ الانسحـــاب من عين الأسد اكتمل", "عين الاسد"),
        ("ﻻ صحة للأنباء عن \u200fالانسحاب", "الانسحاب"),
        ("بلغ العدد ٢٬٥٠٠ جندي", "2,500"),
        ("قاعدة حرير في هەولێر (أربيل)", "اربيل"),
        ("انسحـاب‌ ﻻحق مِن أربيل", "اربيل"),
    ],
    ids=["diacritics-tatweel", "ligature-before", "arabic-digits", "kurdish-vowel", "mixed"],
)
def test_offsets_map_back_to_the_original(original: str, needle: str) -> None:
    norm = normalize(original)
    start = norm.text.index(needle)
    ostart, oend = norm.original_span(start, start + len(needle))
    assert normalize_text(original[ostart:oend]) == needle
    assert len(norm.offsets) == len(norm.text)


def test_empty_span_maps_to_a_position() -> None:
    norm = normalize("ابc")
    assert norm.original_span(3, 3) == (3, 3)
    assert norm.original_span(1, 1) == (1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "أعلنَت القواتُ الأمريكيـة انسحابَها من «عين الأسد» ٢٠٢٦",
        "plain ascii, no change at all",
        "ﻻ صحة\u200f لذلك؟ هەولێر",
        "",
    ],
    ids=["marks-and-digits", "ascii", "ligature-kurdish", "empty"],
)
def test_fast_path_matches_the_character_by_character_rules(text: str) -> None:
    fast = normalize(text)
    slow = nz._normalize_slow(text)
    assert (fast.text, fast.offsets) == (slow.text, slow.offsets)


def test_normalisation_is_idempotent_over_arabic_and_latin_blocks() -> None:
    # the fast path replaces each character once, which is right only if outputs are final
    blocks = [*range(0x20, 0x250), *range(0x600, 0x700), *range(0xFB50, 0xFE00)]
    for c in map(chr, blocks):
        once = normalize_text(c)
        assert normalize_text(once) == once, hex(ord(c))
