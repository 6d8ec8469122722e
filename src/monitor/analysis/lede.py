"""The lede of an article: who speaks, about which sites, on which day (``models.Lede``).

Stories call one development "who + what + where + when"; this reads the who, the where and
the when of the statement from the lede. Rules:

- The lede is the title and the body up to its third sentence of at least twelve words, with
  the shorter lines of six words or more before it (a repeated headline, a caption); lines
  under six words are site furniture, datelines and tickers.
- An actor (``[[actors]]``) counts when it is the speaker of a reporting verb (``[lede]``):
  the last actor before the verb within ``before`` words ("البنتاغون يعلن انسحاب التحالف":
  the subject comes first, what follows is the object), else the first one after it within
  ``after`` words and before any "أن/إن" (what follows is what was said, not who said it:
  "أعلن العراق أن مهمة التحالف…" is Iraq speaking). An office followed by the name of its
  holder (an actor within it, ``HOLDER_GAP`` words on at most) is the holder speaking
  ("أعلن رئيس الوزراء العراقي مصطفى الكاظمي"); actors joined to the speaker by "و" right
  after it spoke with him ("أعلن الرئيس جو بايدن ورئيس الوزراء العراقي …"). A longer spelling wins over one inside
  it ("وزارة الدفاع الأمريكية" is not the bare "وزارة الدفاع"). The speakers of the title
  and first full sentence are the development's actors, else those of the second full
  sentence (a garbled or scene-setting opening); later sentences quote background sources
  and reactions ("وتقول الحكومة العراقية إن…"). A state speaking ("أعلن العراق") gives way to
  the body that speaks for it in those sentences ("وقالت اللجنة العسكرية العليا"), not to a
  source of it ("مصدر حكومي"). Anonymous speakers ("مصادر") are found (so
  that no actor after them is taken for the speaker) and then dropped: they are no one.
- Sites are the places below a country that the lede names, in order of appearance: those of
  the title and the first full sentence (what the development is about), then the others
  (its context: "بعد انسحابها من قاعدة عين الأسد"); a speaker's name is not a site ("أعلنت
  قيادة العمليات المشتركة" speaks, "تسلم مقر قيادة العمليات المشتركة" is where).
  ``countries``: the countries that the title and first full sentence name.
- The statement's day: a weekday named in the body sentences with a reporting verb, up to
  the second full one (repeated short headlines do not use up the search), outside
  quotations (a quoted "اليوم" is the speaker's day, maybe not the report's): its
  ``weekday``, and ``stated``, the calendar day when it resolves: the reporting day of
  a claim in that sentence (``Claim.reported``) or a day-precise claim date, agreeing with the
  weekday, else اليوم / أمس / the weekday counted back from the publication day. A text with
  no publication day and no written date keeps only the weekday.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date, timedelta

from monitor.analysis import lexicon as lx
from monitor.analysis.dates.words import WEEKDAYS
from monitor.analysis.keyrules import KeywordRules
from monitor.models import Claim, Lede
from monitor.normalize import normalize_text

LEDE_SENTENCES = 3  # full body sentences read after the title
FULL_WORDS = 12  # a full sentence; shorter ones (headlines, captions) do not use up the lede
MIN_WORDS = 6  # a shorter line is furniture, a dateline or a ticker item
SAY_SENTENCES = 2  # full body sentences with a reporting verb searched for the statement's day
# What follows these is what was said: the speaker is named before them.
_THAT = frozenset({"ان", "بان", "انه", "انها", "بانه", "بانها", "لان"})
_TODAY = frozenset({"اليوم", "الليله"})
_YESTERDAY = frozenset({"امس", "البارحه"})
# A quotation in the normalised body (every quote mark is '"' there): it opens after a space,
# a colon or a bracket and closes before one, within a line, so that the marks of
# لـ"قوات التحالف" do not pair with those of the next quotation.
_QUOTE = re.compile(r'(?:(?<=[\s:،(])|^)"(?=\S)([^"\n]{20,800}?)(?<=\S)"(?!\w)', re.M)
_WORD = re.compile(r"\w+")
HOLDER_GAP = 3  # words between an office and its holder's name (a first name, "شياع")
QUOTE_WORDS = 8  # a quotation this long is a statement, not a name or a slogan ("داعش")
QUOTE_SHINGLE = 6  # words per shingle: a run of 6 words in common marks the same words
MAX_QUOTES = 4  # the first quotations of a report are its statement; later ones background
MARKS_PER_QUOTE = 2  # the smallest shingle hashes of each (a bottom-k sketch: 8 ints a report)


def read_lede(
    title: str | None,
    body: str,
    claims: Sequence[Claim],
    published: date | None,
    rules: KeywordRules,
) -> Lede:
    """The lede's actors, sites and statement day.

    Args:
        title: the headline, or None.
        body: the normalised body with furniture blanked (``NormText.text``).
        claims: the article's claims (their dates give an explicit statement day).
        published: the publication day, or None.
        rules: the keyword rules (actors, reporting verbs, places).
    """
    countries = {p.id for p in rules.places if p.country}
    opening_actors: list[str] = []
    second_actors: list[str] = []
    sites: list[str] = []
    more_sites: list[str] = []
    countries_named: list[str] = []  # countries named by the opening
    say_sentences: list[tuple[lx.Scan, int]] = []
    for text, is_title in ((normalize_text(title or ""), True), (body, False)):
        if not text.strip():
            continue
        scan = rules.lexicon.scan(text)
        lede = _lede_sentences(scan, is_title)
        opening = lede if is_title else _first_full(scan, lede)
        spoke = _speakers(scan, opening, rules)
        opening_actors += [h.term.tag for h in spoke]
        if not is_title:
            spoke += (second := _speakers(scan, _first_full(scan, lede - opening), rules))
            second_actors = [h.term.tag for h in second]
        named = {t for h in spoke for t in range(h.first, h.last + 1)}
        for h in scan.hits:
            if h.term.role != "place" or h.sentence not in lede:
                continue
            if named & set(range(h.first, h.last + 1)):
                continue  # the speaker's name ("قيادة العمليات المشتركة"), not where
            if h.term.tag in countries:
                if h.sentence in opening:
                    countries_named.append(h.term.tag)
            else:
                (sites if h.sentence in opening else more_sites).append(h.term.tag)
        if not is_title:
            said = sorted({h.sentence for h in scan.hits if h.term.role == "say"} & lede)
            say_sentences = [(scan, s) for s in _say_sentences(scan, said)]
    weekday, stated = _statement_day(say_sentences, claims, published)
    opening_sites = tuple(dict.fromkeys(sites))
    rest = tuple(p for p in dict.fromkeys(more_sites) if p not in opening_sites)
    speakers = _who(opening_actors, second_actors, rules)
    broader = tuple(sorted({up for a in speakers for up in rules.actor_within.get(a, ())}))
    return Lede(
        speakers,
        broader,
        opening_sites,
        rest,
        weekday,
        stated,
        tuple(dict.fromkeys(countries_named)),
        quote_marks(body),
    )


def quote_marks(body: str) -> tuple[int, ...]:
    """Marks of the statements a normalised body quotes word for word.

    For each of its first ``MAX_QUOTES`` quotations of ``QUOTE_WORDS`` words or more, the
    ``MARKS_PER_QUOTE`` smallest hashes of its 6-word shingles: two reports quoting one
    statement (the same words, cut differently) share a mark, and a report keeps eight
    numbers at most, whatever it quotes.
    """
    marks: set[int] = set()
    quotes = 0
    for m in _QUOTE.finditer(body):
        words = _WORD.findall(m.group(1))
        if len(words) < QUOTE_WORDS:
            continue
        shingles = {
            " ".join(words[i : i + QUOTE_SHINGLE]) for i in range(len(words) - QUOTE_SHINGLE + 1)
        }
        hashes = sorted(_hash(s) for s in shingles)
        marks.update(hashes[:MARKS_PER_QUOTE])
        quotes += 1
        if quotes == MAX_QUOTES:
            break
    return tuple(sorted(marks))


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")


def _who(opening: list[str], second: list[str], rules: KeywordRules) -> tuple[str, ...]:
    """The development's speakers: the opening's, else the next full sentence's.

    A state speaking ("أعلن العراق …") gives way to the body that speaks for it in the
    opening or the next sentence ("وقالت اللجنة العسكرية العليا …"): that body made the
    announcement. A source of that state ("مصدر حكومي") does not: a leak is not the statement.
    """
    anonymous = rules.anonymous_actors
    within = rules.actor_within
    named = [a for a in dict.fromkeys(opening or second) if a not in anonymous]
    bodies = [
        a
        for a in dict.fromkeys(opening + second)
        if a not in anonymous and not within.get(a, frozenset()) & anonymous
    ]
    out: list[str] = []
    for actor in named:
        out.extend([b for b in bodies if actor in within.get(b, frozenset())] or [actor])
    return tuple(dict.fromkeys(out))


def _say_sentences(scan: lx.Scan, said: list[int]) -> list[int]:
    """The sentences searched for the statement's day: those with a reporting verb up to the
    ``SAY_SENTENCES``-th full one. A repeated headline ("«الدفاع» العراقية أعلنت انسحاباً …")
    has the verb but rarely the day, which the full sentence after it gives ("أعلنت وزارة
    الدفاع العراقية، الأحد، …"): short lines do not use up the search."""
    out: list[int] = []
    full = 0
    for s in said:
        out.append(s)
        full += sum(1 for x in scan.sentence_of if x == s) >= FULL_WORDS
        if full == SAY_SENTENCES:
            break
    return out


def _first_full(scan: lx.Scan, lede: set[int]) -> set[int]:
    """The lede's lines up to and with its first full sentence."""
    out: set[int] = set()
    for s in sorted(lede):
        out.add(s)
        if sum(1 for x in scan.sentence_of if x == s) >= FULL_WORDS:
            break
    return out


def _lede_sentences(scan: lx.Scan, is_title: bool) -> set[int]:
    if is_title:
        return set(range(len(scan.sentences)))
    words = [0] * len(scan.sentences)
    for s in scan.sentence_of:
        if s < len(words):
            words[s] += 1
    lede: set[int] = set()
    full = 0
    for s, n in enumerate(words):
        if full == LEDE_SENTENCES:
            break
        if n >= MIN_WORDS:
            lede.add(s)
            full += n >= FULL_WORDS
    return lede


def _speakers(scan: lx.Scan, lede: set[int], rules: KeywordRules) -> list[lx.Hit]:
    """Actors that speak in the lede: next to a reporting verb, in the same sentence."""
    whos = _longest([h for h in scan.hits if h.term.role == "who" and h.sentence in lede])
    out: list[lx.Hit] = []
    for say in (h for h in scan.hits if h.term.role == "say" and h.sentence in lede):
        same = [h for h in whos if h.sentence == say.sentence]
        after = [h for h in same if 0 < h.first - say.last <= rules.lede.after]
        after = [h for h in after if not _THAT & set(scan.tokens[say.last + 1 : h.first])]
        before = [h for h in same if 0 < say.first - h.last <= rules.lede.before]
        if before:
            out.append(_holder(max(before, key=lambda h: h.last), same, rules))
        elif after:
            first = _holder(min(after, key=lambda h: h.first), same, rules)
            out.append(first)
            out += _joined(scan, first, same, rules)
    return out


def _joined(scan: lx.Scan, first: lx.Hit, whos: list[lx.Hit], rules: KeywordRules) -> list[lx.Hit]:
    """Speakers joined to the first by "و" ("أعلن الرئيس جو بايدن ورئيس الوزراء العراقي
    مصطفى الكاظمي"): each spoke."""
    out: list[lx.Hit] = []
    last = first
    while True:
        nxt = next((h for h in whos if h.first == last.last + 1), None)
        if nxt is None or not scan.tokens[nxt.first].startswith("و"):
            return out
        last = _holder(nxt, whos, rules)
        out.append(last)


def _holder(office: lx.Hit, whos: list[lx.Hit], rules: KeywordRules) -> lx.Hit:
    """The office's holder when his name follows it ("أعلن رئيس الوزراء العراقي مصطفى
    الكاظمي"): the person spoke, and another holder of the office is another speaker."""
    within = rules.actor_within
    for h in whos:
        gap = h.first - office.last
        if 0 < gap <= HOLDER_GAP + 1 and office.term.tag in within.get(h.term.tag, ()):
            return h
    return office


def _longest(hits: list[lx.Hit]) -> list[lx.Hit]:
    """Drop hits lying inside a longer one ("وزارة الدفاع" in "وزارة الدفاع الأمريكية")."""
    return [
        h
        for h in hits
        if not any(
            o.first <= h.first and h.last <= o.last and (o.last - o.first) > (h.last - h.first)
            for o in hits
        )
    ]


def _statement_day(
    sentences: list[tuple[lx.Scan, int]], claims: Sequence[Claim], published: date | None
) -> tuple[int | None, date | None]:
    for scan, sid in sentences:
        start, end = scan.sentences[sid]
        sentence = scan.text[start:end]
        # The day is the reporter's word: a time word inside a quotation is the speaker's
        # ("اليوم أنهينا …" in a tweet quoted the next day) and may be another day's.
        outside = _unquoted(scan.text, start, end)
        tokens = _WORD.findall(outside)
        weekday = next((w for t in tokens if (w := _weekday(t)) is not None), None)
        for claim in claims:
            if not _same_sentence(claim.sentence, sentence):
                continue
            # the claim's reporting day (the date after its reporting verb), else a day-precise
            # date of the claim itself agreeing with the weekday the sentence names
            for d in (claim.reported, claim.date):
                if (
                    d is not None
                    and d.granularity == "day"
                    and (weekday is None or d.start.weekday() == weekday)
                    and normalize_text(d.text) in outside
                ):
                    return d.start.weekday(), d.start
        relative = _relative_day(tokens, weekday, published)
        if relative is not None:
            return relative.weekday(), relative
        if weekday is not None:
            return weekday, None
    return None, None


def _unquoted(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with its quotations blanked, found in the whole text: a quotation
    may run past the sentence's end ('"اليوم أتممنا الحوار. وسنبدأ مرحلة جديدة"')."""
    out = text[start:end]
    for m in _QUOTE.finditer(text):
        a, b = max(m.start(), start) - start, min(m.end(), end) - start
        if a < b:
            out = out[:a] + " " * (b - a) + out[b:]
    return out


def _weekday(token: str) -> int | None:
    for form in lx.prefix_forms(token):
        if form in WEEKDAYS:
            return WEEKDAYS[form]
    return None


def _relative_day(tokens: list[str], weekday: int | None, published: date | None) -> date | None:
    """اليوم / أمس from the publication day; a weekday named beside them wins (a copy reposted
    days later still says "اليوم السبت" of the day it was written)."""
    if published is None:
        return None
    day = None
    if _YESTERDAY & set(tokens):
        day = published - timedelta(days=1)
    elif _TODAY & set(tokens):
        day = published
    if weekday is not None and (day is None or day.weekday() != weekday):
        # the last such weekday up to the publication day
        return published - timedelta(days=(published.weekday() - weekday) % 7)
    return day


def _same_sentence(claim_sentence: str, sentence: str) -> bool:
    """A claim's sentence (original text) is the lede sentence (normalised) or inside it."""
    norm = normalize_text(claim_sentence)[:60]
    return bool(norm) and (norm in sentence or sentence[:60] in norm)
