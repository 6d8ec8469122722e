"""Near-duplicate detection: a cleaned body, character 5-gram shingles, MinHash and an LSH index.

Rules (issue 6):

- ``dedup_text`` works on the *normalised* body (``normalize_text``) and strips what differs
  between copies of one wire story without changing what it says: page furniture lines
  ("اقرأ أيضا", comment counters, share buttons), bylines, the dateline at the head of the
  first paragraph ("بغداد - واع:"), hamza seats and punctuation. Month names in both systems
  (أيلول/سبتمبر, a dual form "أيلول/سبتمبر") become one token, so a month-system swap is
  not an edit; digits are already ASCII and thousands separators are dropped.
- ``shingles``: the set of character 5-grams as sorted ``uint32`` hashes (a stable
  polynomial hash, so they can be stored and compared across restarts). 5-grams beat
  SimHash and word 3-grams on 60–150-word Arabic items and are robust to reordered clauses.
- ``jaccard``, ``containment`` and ``teaser_containment`` are exact (the final decision);
  ``MinHasher`` and ``LshIndex`` only find candidates. Both are numpy rather than
  datasketch: a one-permutation signature of a 1,500-character body costs ~0.007 ms against
  ~1.3 ms for datasketch's ``MinHash.update_batch`` (SHA-1 per shingle, 128 permutations),
  and the index keeps sorted arrays (~16 bytes per band and row) instead of a dict entry per
  band, so 100,000 articles take ~70 MB of LSH and 50 MB of signatures.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from monitor.normalize import normalize_text

Hashes = npt.NDArray[np.uint32]

SHINGLE_SIZE = 5
TEASER_RATIO = 0.6  # a teaser or feed summary is at most this share of its story's shingles
NUM_PERM = 126
LSH_BANDS = 42  # 42 bands x 3 rows: P(candidate) = 0.98 at J = 0.45, 0.68 at 0.3, 0.04 at 0.1

# ----------------------------------------------------------------------------- cleaning

# Whole lines that are page furniture (matched on normalised text, so hamza-free).
_FURNITURE = re.compile(
    r"^(?:اقرا (?:ايضا|المزيد)|اظهار اخبار متعلقه|اخبار (?:ذات صله|متعلقه)|مواضيع ذات صله"
    r"|التعليقات|اترك تعليقا|اضف تعليقا|زر الذهاب الي الاعلي|شارك(?:ها)?|مشاركه|طباعه"
    r"|تابعونا|تابعنا|المصدر|تاريخ النشر|اخر تحديث|نشر في|حقوق النشر|جميع الحقوق"
    r"|\+a|-a)\b"
)
_BYLINE = re.compile(r"^(?:كتب|كتبت|بقلم|متابعه|تحرير|ترجمه|اعداد|تقرير)\s*[:/-]")
# A dateline: up to four words, an optional "(agency)", then a dash, colon or slash.
_DATELINE = re.compile(
    r"^\s*(?:[^\s.,:;()/-]+\s+){0,3}[^\s.,:;()/-]+\s*(?:\([^)]{1,25}\))?\s*[-:/]+\s*"
)
_TIMESTAMP = re.compile(r"^[\d\s/:.,-]+(?:am|pm|ص|م)?$")
_MONTHS = {
    "01": ("كانون الثاني", "يناير"),
    "02": ("شباط", "فبراير"),
    "03": ("اذار", "مارس"),
    "04": ("نيسان", "ابريل", "افريل"),
    "05": ("ايار", "مايو"),
    "06": ("حزيران", "يونيو", "يونيه"),
    "07": ("تموز", "يوليو", "يوليه"),
    "08": ("اغسطس",),  # the Levantine اب only in a dual form: see _MONTH_RE
    "09": ("ايلول", "سبتمبر"),
    "10": ("تشرين الاول", "اكتوبر"),
    "11": ("تشرين الثاني", "نوفمبر"),
    "12": ("كانون الاول", "ديسمبر"),
}
_MONTH_OF = {name: num for num, names in _MONTHS.items() for name in names}
_MONTH_WORD = "|".join(sorted(map(re.escape, _MONTH_OF), key=len, reverse=True))
# One month, or a dual form "ايلول/سبتمبر", "سبتمبر (ايلول)", "ايلول - سبتمبر"; the bare
# Levantine "اب" (August) is only taken in a dual form, since alone it is also a common word.
_MONTH_RE = re.compile(
    rf"(?<![^\s\d\"'(])([وبل]?)({_MONTH_WORD}|اب(?=\s*[/(-]\s*اغسطس))"
    rf"(?:\s*[/(-]\s*(?:{_MONTH_WORD}|اب)(?:\s*\))?)?(?![^\s\d\"'),.:;?!/-])"
)
# Hamza seats are written, dropped or moved (مسؤول، مسئول): drop them all.
_HAMZA = str.maketrans({"ؤ": None, "ئ": None, "ء": None})
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}(?!\d))")
_NON_WORD = re.compile(r"[^\w]+|_")
_MAX_FURNITURE_WORDS = 3


def dedup_text(body: str, *, normalized: bool = False) -> str:
    """The text copies of one story share: normalised, furniture and datelines removed.

    Args:
        body: the article's main text.
        normalized: ``body`` is already ``normalize_text`` output (``ArticleAnalysis.body``);
            normalising again is harmless but costs a third of the time.

    Returns:
        One line of words separated by single spaces.
    """
    text = body if normalized else normalize_text(body)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    kept = [ln for ln in lines if not _is_furniture(ln, len(lines) > 1)]
    if kept:
        kept[0] = _strip_dateline(kept[0])
    text = " ".join(kept).translate(_HAMZA)
    text = _MONTH_RE.sub(lambda m: f"{m.group(1)}m{_MONTH_OF[_month_name(m.group(2))]}", text)
    text = _THOUSANDS.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def _month_name(word: str) -> str:
    return "اغسطس" if word == "اب" else word


def _is_furniture(line: str, among_others: bool) -> bool:
    """Furniture lines: known widgets, bylines, bare timestamps and short labels."""
    if _FURNITURE.match(line) or _BYLINE.match(line) or _TIMESTAMP.match(line):
        return True
    # Section labels, outlet credits and bylines ("هدى جاسم (بغداد)") are a few words with
    # no sentence punctuation beside the real paragraphs; a one-line text is all content.
    words = line.split()
    short = len(words) <= _MAX_FURNITURE_WORDS and not line.endswith((".", "?", "!"))
    return among_others and short


def _strip_dateline(paragraph: str) -> str:
    """Drop "بغداد - واع:" style datelines; only when a sentence follows them."""
    m = _DATELINE.match(paragraph)
    if m and len(paragraph) - m.end() > 40:
        return paragraph[m.end() :]
    return paragraph


# ----------------------------------------------------------------------------- shingles

_BASE = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_EMPTY: Hashes = np.zeros(0, dtype=np.uint32)


def shingles(text: str, size: int = SHINGLE_SIZE) -> Hashes:
    """The sorted unique hashes of the character ``size``-grams of ``text``.

    A polynomial hash over code points (not Python's salted ``hash``), so the values are the
    same in every process and can be stored. Texts shorter than ``size`` give one shingle.
    """
    if not text:
        return _EMPTY
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < size:
        size = len(codes)
    n = len(codes) - size + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(size):  # wraps modulo 2**64, which is what we want
        h = h * _BASE + codes[j : j + n]
    h = h * _MIX
    return np.unique((h >> np.uint64(32)).astype(np.uint32))


def jaccard(a: Hashes, b: Hashes) -> float:
    """Exact Jaccard similarity of two shingle sets (sorted unique arrays)."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def containment(a: Hashes, b: Hashes) -> float:
    """The share of the smaller set found in the larger (a teaser inside its full story)."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / min(len(a), len(b))


def teaser_containment(a: Hashes, b: Hashes, max_ratio: float = TEASER_RATIO) -> float:
    """Containment when one text is a teaser of the other (at most ``max_ratio`` its size).

    Two full reports written from one template contain each other as much as a teaser its
    story, so containment only counts when the sizes say "excerpt".
    """
    small, large = sorted((len(a), len(b)))
    if not small or small > max_ratio * large:
        return 0.0
    return containment(a, b)


# ----------------------------------------------------------------------------- MinHash

_U32 = np.uint64(1 << 32)


class MinHasher:
    """One-permutation MinHash: the shingle hashes cut into ``num_perm`` bins, the minimum of each.

    The shingle hashes are already well mixed and sorted, so each bin's minimum is found by
    binary search (a few microseconds, against ~1 ms for datasketch's ``update_batch``).
    Empty bins (short texts) borrow the next non-empty bin's value, offset by the distance
    ("rotation" densification, Shrivastava & Li 2014), so every band stays comparable.
    """

    def __init__(self, num_perm: int = NUM_PERM) -> None:
        self.num_perm = num_perm
        edges = np.arange(num_perm + 1, dtype=np.uint64) * _U32 + np.uint64(num_perm - 1)
        self._lo = (edges[:-1] // np.uint64(num_perm)).astype(np.uint64)
        self._hi = (edges[1:] // np.uint64(num_perm)).astype(np.uint64)

    def signature(self, hashes: Hashes) -> Hashes:
        """The signature of a shingle set (sorted unique hashes); empty gives all-max values."""
        n = len(hashes)
        if not n:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        at = np.searchsorted(hashes, self._lo)
        vals = hashes[np.minimum(at, n - 1)].astype(np.uint64)
        full = (at < n) & (vals < self._hi)
        if full.all():
            return vals.astype(np.uint32)
        bins = np.flatnonzero(full)
        ids = np.arange(self.num_perm)
        nxt = np.searchsorted(bins, ids) % len(bins)
        dist = (bins[nxt] - ids) % self.num_perm
        vals = vals[bins[nxt]] + dist.astype(np.uint64) * np.uint64(0x9E3779B1)
        return (vals & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def estimate_jaccard(sig: Hashes, others: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
    """MinHash estimates of Jaccard between one signature and the rows of ``others``."""
    if not len(others):
        return np.zeros(0)
    return np.asarray((others == sig).mean(axis=1), dtype=np.float64)


# ----------------------------------------------------------------------------- LSH index

_BUFFER_ROWS = 512
_BULK_ROWS = 8192  # rows whose band keys a bulk add computes at once
_ROW = np.int32  # row ids in the band arrays (a daemon adds far fewer than 2**31 members)


class LshIndex:
    """Banded LSH over MinHash signatures, keyed by integer row ids.

    Band keys live in one sorted ``uint64`` array (binary search on lookup) beside their
    ``int32`` row ids, plus a small dict of recent inserts that is merged in batches, so
    memory stays ~12 bytes per band and row instead of a Python dict entry each. Removal marks rows dead; dead rows are
    filtered on lookup and dropped at the next merge.
    """

    def __init__(self, num_perm: int = NUM_PERM, bands: int = LSH_BANDS) -> None:
        if num_perm % bands:
            raise ValueError(f"dedup: num_perm {num_perm} is not a multiple of bands {bands}")
        self.bands = bands
        self.rows = num_perm // bands
        rng = np.random.default_rng(7)
        self._mult = rng.integers(1, 1 << 63, self.rows, dtype=np.uint64) | np.uint64(1)
        self._salt = rng.integers(0, 1 << 63, bands, dtype=np.uint64)
        self._keys = np.zeros(0, dtype=np.uint64)
        self._ids = np.zeros(0, dtype=_ROW)
        self._pending: dict[int, list[int]] = {}
        self._pending_rows = 0
        self._dead: set[int] = set()
        self._live = 0

    def __len__(self) -> int:
        return self._live

    def band_keys(self, sig: Hashes) -> npt.NDArray[np.uint64]:
        """One 64-bit key per band (the band's values hashed together with its number)."""
        keys: npt.NDArray[np.uint64] = self._keys_of(sig.reshape(1, -1))[0]
        return keys

    def _keys_of(self, sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """The band keys of each signature (rows), one column per band.

        Each band's values times a multiplier each, summed modulo 2**64; the terms are added
        one by one (a ``sum`` over a short last axis is three times slower).
        """
        values = sigs.astype(np.uint64).reshape(len(sigs), self.bands, self.rows)
        keys: npt.NDArray[np.uint64] = values[:, :, 0] * self._mult[0]
        for i in range(1, self.rows):
            keys += values[:, :, i] * self._mult[i]
        keys ^= self._salt
        return keys

    def add(self, row: int, sig: Hashes) -> None:
        """Index ``row``; row ids are never reused (a removed id's entries may linger)."""
        for key in self.band_keys(sig).tolist():
            self._pending.setdefault(key, []).append(row)
        self._pending_rows += 1
        self._live += 1
        if self._pending_rows >= _BUFFER_ROWS:
            self._merge()

    def add_many(self, rows: npt.NDArray[np.int64], sigs: npt.NDArray[np.uint32]) -> None:
        """Index many rows at once (a rebuild): one sort instead of a merge per 512 rows.

        The band keys go into arrays sized once, band by band (computed ``_BULK_ROWS`` rows
        at a time), and each band is sorted on its own (small sorts, in cache); one stable
        sort then merges the sorted runs. A rebuild of 100,000 rows so peaks at about twice
        the final arrays, and sorts three times faster than one sort of all the keys.
        """
        n = len(rows)
        if not n:
            return
        self._merge()
        old = len(self._keys)
        keys = np.empty(old + n * self.bands, dtype=np.uint64)
        ids = np.empty(len(keys), dtype=_ROW)
        keys[:old], ids[:old] = self._keys, self._ids
        self._keys = np.zeros(0, dtype=np.uint64)  # the copies above hold them
        self._ids = np.zeros(0, dtype=_ROW)
        by_band, ids_by_band = keys[old:].reshape(self.bands, n), ids[old:].reshape(self.bands, n)
        for i in range(0, n, _BULK_ROWS):
            part = slice(i, i + _BULK_ROWS)
            by_band[:, part] = self._keys_of(sigs[part]).T
            ids_by_band[:, part] = rows[part].astype(_ROW)
        for band in range(self.bands):
            order = np.argsort(by_band[band])
            by_band[band] = by_band[band][order]
            ids_by_band[band] = ids_by_band[band][order]
        # The ids in key order, then the keys sorted in place (the same values as keys[order]
        # without a second copy of them). Rows of one key may come in any order: a lookup
        # reads them all and sorts them.
        order = np.argsort(keys, kind="stable")  # merges the sorted runs
        self._ids = ids[order]
        del ids, order
        keys.sort(kind="stable")
        self._keys = keys
        self._live += n

    def remove(self, row: int) -> None:
        """Forget ``row`` (its band entries are dropped at the next merge)."""
        if row not in self._dead:
            self._dead.add(row)
            self._live -= 1

    def query_counts(self, sig: Hashes) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Live rows sharing a band with ``sig`` and how many bands each shares (numpy).

        The band count is itself a similarity estimate, so a caller can keep the best few
        of thousands of candidates without touching Python objects.
        """
        keys = self.band_keys(sig)
        parts = []
        if len(self._keys):
            lo = np.searchsorted(self._keys, keys, "left")
            hi = np.searchsorted(self._keys, keys, "right")
            parts = [self._ids[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        pending = [r for key in keys.tolist() for r in self._pending.get(key, ())]
        if pending:
            parts.append(np.asarray(pending, dtype=np.int64))
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        rows, counts = np.unique(np.concatenate(parts).astype(np.int64), return_counts=True)
        if self._dead:
            live = ~np.isin(rows, np.fromiter(self._dead, dtype=np.int64, count=len(self._dead)))
            rows, counts = rows[live], counts[live]
        return rows, counts

    def query(self, sig: Hashes) -> set[int]:
        """Rows sharing at least one band with ``sig`` (candidates, not a decision)."""
        rows: list[int] = self.query_counts(sig)[0].tolist()
        return set(rows)

    def _merge(self) -> None:
        """Fold the pending inserts (and the removals) into the sorted arrays."""
        if self._pending:
            new_keys = np.fromiter(
                (k for k, rows in self._pending.items() for _ in rows), dtype=np.uint64
            )
            new_ids = np.fromiter(
                (r for rows in self._pending.values() for r in rows), dtype=np.int64
            )
            order = np.argsort(new_keys, kind="stable")
            new_keys, new_ids = new_keys[order], new_ids[order]
            at = np.searchsorted(self._keys, new_keys, "right")
            self._keys = np.insert(self._keys, at, new_keys)
            self._ids = np.insert(self._ids, at, new_ids)
        if self._dead and len(self._dead) * 4 * self.bands >= len(self._ids):
            keep = ~np.isin(self._ids, np.fromiter(self._dead, dtype=np.int64))
            self._keys, self._ids = self._keys[keep], self._ids[keep]
            self._dead.clear()
        self._pending.clear()
        self._pending_rows = 0

    def compact(self) -> None:
        """Merge now (after a prune, or before measuring memory)."""
        self._merge()
        if self._dead:
            keep = ~np.isin(self._ids, np.fromiter(self._dead, dtype=np.int64))
            self._keys, self._ids = self._keys[keep], self._ids[keep]
            self._dead.clear()

    @property
    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._ids.nbytes)
