"""Text similarity that discounts the topic's own vocabulary: TF-IDF cosine over the window.

Every report here says التحالف الدولي and العراق, so raw overlap says little; a word counts
by how rare it is among the stored reports of the window. Rules:

- Terms are the words of the cleaned title and body (``dedup.dedup_text``), each with its
  leading conjunction, preposition and article and one common suffix taken off (a light
  stem: وبالانسحاب → انسحاب), hashed to a stable 20-bit id (the same in every process, so a
  report's terms are stored once and compared after a restart). Digits are left out: the
  numbers are compared as numbers.
- ``TermStats`` keeps how many reports of the window hold each term (document frequency)
  and how many reports there are; the store keeps the same counts (``story_terms``) and
  ``StoryDesk`` moves both together as reports join and stories retire. IDF is the smoothed
  ln((1 + n) / (1 + df)) + 1, so an empty window weighs every word alike.
- ``cosine`` weighs both reports' term counts (1 + ln tf) by the current IDF.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitor.models import Terms

TERM_BITS = 20  # 1M buckets: collisions among a window's ~100k distinct stems are rare
_MASK = (1 << TERM_BITS) - 1
_WORD = re.compile(r"[^\W\d_]{2,}")
_PREFIXES = ("وبال", "فبال", "ولل", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل")
_SUFFIXES = ("ها", "هم", "ات", "ون", "ين", "ان", "ه", "ي", "ا")
_MIN_STEM = 3


NO_TERMS = Terms(np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32))


@functools.lru_cache(maxsize=200_000)
def term_id(word: str) -> int:
    """The id of a word's stem (cached: news vocabulary repeats)."""
    return zlib.crc32(stem(word).encode("utf-8")) & _MASK


def stem(word: str) -> str:
    """One leading clitic group and one suffix off, keeping at least three letters."""
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            word = word[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def terms_of(text: str) -> Terms:
    """Term ids and counts of a cleaned text (``dedup.dedup_text`` output)."""
    counts: dict[int, int] = {}
    for word, n in Counter(_WORD.findall(text)).items():
        tid = term_id(word)
        counts[tid] = counts.get(tid, 0) + n
    ids = np.fromiter(sorted(counts), dtype=np.uint32, count=len(counts))
    return Terms(ids, np.fromiter((counts[t] for t in ids.tolist()), dtype=np.uint32))


@dataclass(frozen=True, slots=True)
class Weighted:
    """Term ids with their unit-length TF-IDF weights."""

    ids: npt.NDArray[np.uint32]
    weights: npt.NDArray[np.float64]


class TermStats:
    """Document frequencies over the window's reports (in memory; the store mirrors them)."""

    def __init__(self) -> None:
        self.df: npt.NDArray[np.uint32] = np.zeros(1 << TERM_BITS, dtype=np.uint32)
        self.documents = 0

    def add(self, terms: Terms, sign: int = 1) -> None:
        """Count a report in (``sign`` 1) or out (-1, a retired story's report)."""
        if sign > 0:
            self.df[terms.ids] += np.uint32(1)
        else:
            self.df[terms.ids] -= np.minimum(self.df[terms.ids], np.uint32(1))
        self.documents = max(0, self.documents + sign)

    def load(self, counts: Mapping[int, int], documents: int) -> None:
        """Replace the counts with those kept in the store (a restart)."""
        self.df[:] = 0
        if counts:
            ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            self.df[ids] = np.fromiter(counts.values(), dtype=np.uint32, count=len(counts))
        self.documents = documents

    def idf(self, ids: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
        n = self.documents
        return np.log((1.0 + n) / (1.0 + self.df[ids].astype(np.float64))) + 1.0

    def cosine(self, a: Terms, b: Terms) -> float:
        """IDF-weighted cosine of two reports' terms (0 when either is empty)."""
        return self.cosine_with(self.vector(a), b)

    def vector(self, terms: Terms) -> Weighted:
        """A report's weighted, unit-length vector, to compare with many (one lookup)."""
        w = self._weights(terms)
        norm = float(np.sqrt(w @ w))
        return Weighted(terms.ids, w / norm if norm else w)

    def cosine_with(self, a: Weighted, b: Terms) -> float:
        if not len(a.ids) or not len(b):
            return 0.0
        wb = self._weights(b)
        norm = float(np.sqrt(wb @ wb))
        at = np.searchsorted(a.ids, b.ids)
        at[at == len(a.ids)] = 0
        shared = a.ids[at] == b.ids
        return float(a.weights[at[shared]] @ wb[shared]) / norm if norm else 0.0

    def _weights(self, terms: Terms) -> npt.NDArray[np.float64]:
        return (1.0 + np.log(terms.counts.astype(np.float64))) * self.idf(terms.ids)

    @property
    def nbytes(self) -> int:
        return int(self.df.nbytes)
