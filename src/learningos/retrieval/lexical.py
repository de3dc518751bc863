"""BM25 over one content item's sections (bm25s), kept in memory per item and version.

Tokens are lower-cased words without English stop words (nor question words such as "how"
or "why", which learners' questions are full of and books are not), reduced by a light
suffix stemmer so that "outliers" finds "outlier" and "estimating" finds "estimate".
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"[a-z0-9]+")
_QUESTION_WORDS = {
    "how", "what", "why", "which", "when", "where", "who", "whom", "do", "does", "did",
    "i", "me", "my", "we", "our", "you", "your", "can", "could", "should", "would",
    "get", "got", "much", "many", "way", "ways", "mean", "means", "between",
}  # fmt: skip
STOPWORDS = frozenset(STOPWORDS_EN) | _QUESTION_WORDS
_SUFFIXES = (
    ("ies", "y"), ("sses", "ss"), ("ness", ""), ("ing", ""), ("edly", ""), ("ed", ""),
    ("ly", ""), ("es", ""), ("s", ""),
)  # fmt: skip


def stem(word: str) -> str:
    """Strip one common English suffix, keeping at least three letters."""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words dropped, stemmed."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


@dataclass(frozen=True)
class LexicalDoc:
    section_id: uuid.UUID
    title: str
    text: str
    page_start: int | None
    page_end: int | None


class LexicalIndex:
    """BM25 (Lucene variant, k1 = 1.2, b = 0.75) over sections' titles and texts."""

    def __init__(self, docs: Sequence[LexicalDoc]) -> None:
        self.docs = list(docs)
        self.position = {d.section_id: i for i, d in enumerate(self.docs)}
        self._aligned: list[tuple[list[uuid.UUID], np.ndarray]] = []
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if self.docs:
            corpus = [tokenize(f"{d.title}\n{d.text}") for d in self.docs]
            self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every doc (in `docs` order) for the query; zeros if no term matches."""
        if not self.docs:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in tokenize(query) if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.docs), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def align(self, ids: list[uuid.UUID]) -> np.ndarray:
        """Each id's position in `docs` (-1 if absent); remembered for the same list."""
        for known, positions in self._aligned:
            if known is ids:
                return positions
        positions = np.asarray([self.position.get(i, -1) for i in ids], dtype=np.int64)
        self._aligned = [*self._aligned[-3:], (ids, positions)]
        return positions


class LexicalCache:
    """Built indexes per content item, reused while the item's version is unchanged; the
    least recently used are dropped beyond `max_items`."""

    def __init__(self, max_items: int = 32) -> None:
        self.max_items = max_items
        self._items: OrderedDict[uuid.UUID, tuple[Hashable, LexicalIndex]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, content_id: uuid.UUID, version: Hashable) -> LexicalIndex | None:
        with self._lock:
            item = self._items.get(content_id)
            if item is None or item[0] != version:
                return None
            self._items.move_to_end(content_id)
            return item[1]

    def put(self, content_id: uuid.UUID, version: Hashable, index: LexicalIndex) -> None:
        with self._lock:
            self._items[content_id] = (version, index)
            self._items.move_to_end(content_id)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
