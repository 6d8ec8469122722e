"""Page furniture removal: what a news page wraps around the story, line by line.

Rules, in order, on each line of the extracted text (kept lines stay verbatim, so every claim
sentence is still an exact substring of the input):

1. An end marker (كلمات دلالية/مفتاحية، الوسوم، اترك تعليقاً، التعليقات (N)، زر الذهاب إلى الأعلى،
   لن يتم نشر عنوان بريدك، الأكثر قراءة، آخر الأخبار) ends the article: it and everything after it
   go, once some body has been seen (before that only the line goes).
2. A teaser marker (اقرأ أيضاً، أخبار ذات صلة/متعلقة، مقالات ذات صلة، شاهد أيضاً…) goes with the
   headline-like lines after it (short, no final stop). When the paragraph after them repeats
   the last headline's words, it opens the teased story: it and the rest of the text go. When the first sentence is glued to the
   teasers on the same line ("…«التشهير»أعلن العراق…"), the text after the glue point is kept.
   A marker in the middle of a line cuts the rest of that line.
3. Widget lines (share/print buttons, font size "+A -A", "عاجل", "المزيد"), date-only lines,
   "تاريخ النشر:…" lines and bylines ("بقلم…", "الغد برس/ متابعة", "هدى جاسم (بغداد)") go.
4. Short labels (≤ 3 words) before the first real paragraph (section names) go, and a line that
   repeats an earlier one (a photo caption shown twice) goes.
5. A dateline ("بغداد - واع:") is cut from the start of the first or second paragraph (the
   first may be the headline).
6. A news ticker above the story ("عاجل:" or "شريط الأخبار" on a line of its own, then one
   wire headline per line: "رويترز عن الجيش الصيني: …") goes up to the first blank line or
   the first line too long for a headline, when a story follows it: its items are other
   stories, and a foreign one ("التحالف الذي تقوده السعودية في اليمن") would otherwise read
   as the article's subject.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from monitor.analysis.lexicon import prefix_forms
from monitor.models import NormText
from monitor.normalize import normalize, normalize_text

_END = re.compile(
    r"كلمات (?:دلاليه|مفتاحيه)|الكلمات (?:الدلاليه|المفتاحيه)|^\W*(?:الوسوم|وسوم|tags)\W*(?::|$)"
    r"|اترك (?:تعليقا|ردا)|اضف تعليق|(?:^|\s)التعليقات\s*\(\d+\)|تعليقات\s*\(\d+\)"
    r"|زر الذهاب الي الاعلي|لن يتم نشر عنوان بريدك|^\W*(?:الاكثر (?:قراءه|مشاهده)|اخر الاخبار)\W*$"
)
_TEASER = re.compile(
    r"اقرا (?:ايضا|المزيد)|(?:اظهار |المزيد من )?(?:اخبار|مقالات|مواضيع|روابط) (?:ذات صله|متعلقه)"
    r"|شاهد ايضا|قد (?:يهمك|يعجبك) ايضا|تابع ايضا|ننصحك بقراءه|اقرا المزيد"
)
_WIDGET_WORDS = frozenset(
    normalize_text(w)
    for w in [
        "شارك",
        "شاركها",
        "مشاركة",
        "طباعة",
        "اطبع",
        "تويتر",
        "فيسبوك",
        "فيس",
        "بوك",
        "واتساب",
        "واتس",
        "اب",
        "تيليجرام",
        "تلغرام",
        "تليجرام",
        "لينكدان",
        "انستغرام",
        "يوتيوب",
        "ايميل",
        "البريد",
        "الإلكتروني",
        "نسخ",
        "الرابط",
        "حجم",
        "الخط",
        "a",
        "المزيد",
        "عاجل",
        "خبر",
        "تابعونا",
        "تابعنا",
        "على",
        "اشترك",
        "النشرة",
        "البريدية",
        "إعلان",
        "advertisement",
        "الرئيسية",
        "share",
        "print",
        "email",
        "facebook",
        "twitter",
        "whatsapp",
        "telegram",
        "x",
        "تصغير",
        "تكبير",
        "حفظ",
        "إرسال",
        "مشاهدة",
        "مشاهدات",
        "قراءة",
        "دقيقة",
        "دقائق",
        "للقراءة",
        "منذ",
        "ساعة",
        "ساعات",
        "ساعتين",
        "يوم",
        "أيام",
        "تاريخ",
        "النشر",
        "نشر",
        "في",
        "آخر",
        "تحديث",
        "التحديث",
        "الساعة",
        "بتوقيت",
        "غرينتش",
        "gmt",
        "utc",
        "am",
        "pm",
        "ص",
        "م",
        "هـ",
        "th",
        "st",
        "nd",
        "rd",
        "كانون",
        "الثاني",
        "شباط",
        "آذار",
        "نيسان",
        "أيار",
        "حزيران",
        "تموز",
        "آب",
        "أيلول",
        "تشرين",
        "الأول",
        "الأول",
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "ابريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "اغسطس",
        "سبتمبر",
        "أكتوبر",
        "اكتوبر",
        "نوفمبر",
        "ديسمبر",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "السبت",
        "الأحد",
        "الاثنين",
        "الإثنين",
        "الثلاثاء",
        "الأربعاء",
        "الخميس",
        "الجمعة",
    ]
)
_PUBLISHED = re.compile(r"^\W*(?:تاريخ (?:النشر|التحديث)|نشر في|نشر بتاريخ|اخر تحديث)\b")
_BYLINE = re.compile(
    r"^\W*(?:بقلم|كتب|كتبت|اعداد|تحرير|المصدر|متابعه|ترجمه)\s*[:/-]?\s"
    r"|/\s*(?:متابعه|خاص|وكالات)\s*$|^[^\s()]+(?:\s[^\s()]+){0,3}\s*\([^)]{2,25}\)\s*$"
)
_DATELINE = re.compile(
    r"^\s*(?:بغداد|اربيل|واشنطن|دمشق|بيروت|القاهره|عمان|الرياض|دبي|ابوظبي|الدوحه|لندن|باريس"
    r"|موسكو|طهران|انقره|نيويورك|الموصل|البصره|الانبار|كركوك|السليمانيه|النجف|كربلاء|الكويت"
    r"|المنامه|جنيف|بروكسل)\s*(?:\([^)]{1,30}\))?\s*[-/:]\s*"
    r"(?:[^\s:-]+(?:\s[^\s:-]+){0,2}\s*[-:]\s*)?"
)
# Substrings that every match of _END / _TEASER contains: a cheap test before the full search
# (most lines hold no marker).
_END_HINTS = re.compile("كلمات|وسوم|tags|اترك|تعليق|الذهاب|بريدك|الاكثر|اخر")
_TICKER = re.compile(r"^\W*(?:عاجل|اخبار عاجله|شريط (?:الاخبار|الاخباري|عاجل)|الشريط الاخباري)\W*$")
_TICKER_ITEM_WORDS = 30  # a longer line is a paragraph: the ticker has ended
_MIN_TICKER = 3
_MAX_TICKER = 40
_TICKER_RELATED_CHARS = 3000  # enough of the story below to tell its own lines from a ticker's
_TEASER_HINTS = re.compile("اقرا|صله|متعلقه|شاهد|يهمك|يعجبك|تابع|ننصحك")
_GLUE = re.compile(r"[\"')\]](?=[\u0621-\u064a])")
_TOKEN = re.compile(r"\w+")
_BLANK = re.compile(r"[^\n]")
# a line ending like a body paragraph ends a teaser list; a question mark does not: teased
# headlines are often questions ("بعد الانسحاب من بغداد.. ماذا ينتظر القوات في أربيل؟")
_FINAL_STOP = re.compile(r"[.!…:]\W*$")
_MAX_TEASERS = 6
_LEDE_SHARED_WORDS = 3  # a teased story's first paragraph repeats its headline
_LABEL_WORDS = 3
_WIDGET_WORDS_MAX = 14
_DATELINE_PARAGRAPHS = 2
_PARAGRAPH_WORDS = 6


def strip_furniture(text: str) -> str:
    """The text without page furniture; kept lines (or line tails) are verbatim slices."""
    return "\n".join(text[s:e] for s, e in furniture_free_ranges(normalize(text)))


def blank_furniture(norm: NormText) -> NormText:
    """``norm`` with its furniture blanked: same offsets and original, furniture → spaces.

    The analysis works on this, so every span still points into the article's own text.
    """
    text = norm.text
    pieces: list[str] = []
    pos = 0
    for start, end in furniture_free_ranges(norm):
        nstart = bisect_left(norm.offsets, start)
        nend = bisect_left(norm.offsets, end)
        pieces.append(_BLANK.sub(" ", text[pos:nstart]))
        pieces.append(text[nstart:nend])
        pos = nend
    pieces.append(_BLANK.sub(" ", text[pos:]))
    return NormText("".join(pieces), norm.offsets, norm.original)


@dataclass(frozen=True, slots=True)
class _Line:
    """One line: its span in the original text and its normalised form."""

    start: int
    end: int
    norm: str
    nstart: int  # where ``norm`` starts in the whole normalised text
    offsets: tuple[int, ...]  # the whole text's offsets (shared, not copied per line)

    def orig(self, k: int) -> int:
        """Original offset of position ``k`` of the normalised line."""
        return self.offsets[self.nstart + k] if k < len(self.norm) else self.end


def furniture_free_ranges(norm: NormText) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of ``norm.original`` that are not page furniture, in order."""
    lines = _lines(norm)
    kept: list[tuple[int, int]] = []
    seen: set[str] = set()
    body_started = False
    paragraphs = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.norm
        i += 1
        if not text.strip():
            continue
        end_at = _END.search(text) if _END_HINTS.search(text) else None
        if end_at:
            if end_at.start() > 0 and _words(text[: end_at.start()]) >= _PARAGRAPH_WORDS:
                kept.append((line.start, line.orig(end_at.start())))  # body before the marker
                body_started = True
            if body_started:
                break
            continue
        teaser = _TEASER.search(text) if _TEASER_HINTS.search(text) else None
        if teaser:
            kept.extend(_before_teaser(line, teaser))
            glued = _glued_body(line, teaser.end())
            if glued is not None:
                kept.append(glued)
                body_started = True
            elif not text[: teaser.start()].strip():
                i, another_story = _skip_teasers(lines, i)
                if another_story and body_started:
                    break
            continue
        if _is_widget(text) or _is_byline(text):
            i = _after_ticker(lines, i, text, body_started)
            continue
        words = _words(text)
        if not body_started and words <= _LABEL_WORDS:
            continue  # a section label above the story
        key = " ".join(text.split())
        if key in seen:
            continue  # a caption or teaser shown twice
        seen.add(key)
        start = line.start
        if words >= _PARAGRAPH_WORDS and paragraphs < _DATELINE_PARAGRAPHS:
            body_started = True
            paragraphs += 1  # a headline may come first: look for the dateline in two
            start = line.orig(_dateline_length(text))
        kept.append((start, line.end))
    return [(s, e) for s, e in kept if e > s]


def _lines(norm: NormText) -> list[_Line]:
    """Lines of the text; an original line break is one normalised line break."""
    lines = []
    ostart = nstart = 0
    olines = norm.original.split("\n")
    for nline, oline in zip(norm.text.split("\n"), olines, strict=True):
        oend = ostart + len(oline)
        lines.append(_Line(ostart, oend, nline, nstart, norm.offsets))
        ostart, nstart = oend + 1, nstart + len(nline) + 1
    return lines


def _words(norm: str) -> int:
    return len(norm.split())


def _is_widget(norm: str) -> bool:
    if len(norm.split()) > _WIDGET_WORDS_MAX:
        return False
    tokens = _TOKEN.findall(norm)
    if _PUBLISHED.search(norm):
        return True
    return all(t in _WIDGET_WORDS or t.isdigit() for t in tokens)


def _is_byline(norm: str) -> bool:
    return _words(norm) <= 6 and bool(_BYLINE.search(norm))


def _before_teaser(line: _Line, teaser: re.Match[str]) -> list[tuple[int, int]]:
    """A body sentence that precedes a teaser marker on the same line."""
    head = line.norm[: teaser.start()]
    if _words(head) < _PARAGRAPH_WORDS:
        return []
    return [(line.start, line.orig(len(head.rstrip())))]


def _glued_body(line: _Line, after: int) -> tuple[int, int] | None:
    """Where the story starts when it is glued to teaser headlines on the marker's line."""
    rest = line.norm[after:]
    if _words(rest) < 2 * _PARAGRAPH_WORDS:
        return None
    glues = list(_GLUE.finditer(rest))
    if glues:
        return line.orig(after + glues[-1].end()), line.end
    return None


def _skip_teasers(lines: list[_Line], i: int) -> tuple[int, bool]:
    """Skip the headline-like teasers after a marker: index of the next line, and whether
    that line opens the teased story itself (it repeats the last headline's words)."""
    skipped = 0
    headline = ""
    while i < len(lines) and skipped < _MAX_TEASERS:
        text = lines[i].norm.strip()
        if text and (_FINAL_STOP.search(text) or _words(text) > 20):
            break
        if text:
            skipped += 1
            headline = text
        i += 1
    if not headline or i >= len(lines):
        return i, False
    return i, _shared_words(headline, lines[i].norm) >= _LEDE_SHARED_WORDS


def _after_ticker(lines: list[_Line], i: int, marker: str, body_started: bool) -> int:
    """Index of the first line after a ticker's items, when ``marker`` opens a ticker above
    the story ("عاجل:"), else ``i``.

    It ends at a blank line or a line too long for a headline; where the page's extraction
    keeps no blank line, at the story's own headline: the line above its date line
    ("الأحد ٢٨ ديسمبر ٢٠٢٥"). Fewer than ``_MIN_TICKER`` items is a "breaking" label over the
    story's headline, no end within ``_MAX_TICKER`` lines is no ticker, and neither is one
    with no story below it (a short breaking story in headline-length lines, then only
    "شارك الخبر" or a copyright line): then only the marker goes.
    """
    if body_started or not _TICKER.match(marker):
        return i
    for j in range(i, min(len(lines), i + _MAX_TICKER)):
        text = lines[j].norm.strip()
        if not text or _words(text) > _TICKER_ITEM_WORDS:
            end = j
        elif _is_widget(text) and any(ch.isdigit() for ch in text):
            end = j - 1  # a date line: the line above it is the story's headline
        else:
            continue
        items, rest = lines[i:end], lines[end:]
        return (
            end
            if len(items) >= _MIN_TICKER and _story_below(rest) and _unrelated(items, rest)
            else i
        )
    return i


def _story_below(rest: list[_Line]) -> bool:
    """The text below a ticker holds a story: a headline and a paragraph at least (lines of
    ``_PARAGRAPH_WORDS`` words or more that are not widgets)."""
    lines = (line.norm for line in rest)
    return sum(_words(t) >= _PARAGRAPH_WORDS and not _is_widget(t) for t in lines) >= 2


def _unrelated(items: list[_Line], rest: list[_Line]) -> bool:
    """Ticker items are other stories: at most one repeats words of the text below them
    (short paragraphs of the story itself under a "عاجل" label all do)."""
    below = " ".join(line.norm for line in rest)[:_TICKER_RELATED_CHARS]
    related = sum(_shared_words(item.norm, below) >= _LEDE_SHARED_WORDS for item in items)
    return related <= 1


def _shared_words(headline: str, paragraph: str) -> int:
    """Content words of ``headline`` that ``paragraph`` repeats (clitics ignored)."""
    head = {f for t in _TOKEN.findall(headline) if len(t) > 3 for f in prefix_forms(t)}
    return len({t for t in _TOKEN.findall(paragraph) if len(t) > 3 and head & set(prefix_forms(t))})


def _dateline_length(norm: str) -> int:
    """Length of a dateline ("بغداد - واع:") at the start of the first paragraph."""
    m = _DATELINE.match(norm)
    if not m or _words(norm[m.end() :]) < _PARAGRAPH_WORDS:
        return 0
    return m.end()
