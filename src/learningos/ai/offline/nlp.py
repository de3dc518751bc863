"""Small text tools shared by the offline roles: sentences, words, terms and centrality."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "Fig.", "fig.", "Eq.", "eq.", "cf.", "al.")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "may",
        "might",
        "must",
        "shall",
        "one",
        "two",
        "use",
        "used",
        "using",
        "get",
        "gets",
        "got",
        "make",
        "makes",
        "made",
        "way",
        "ways",
        "thing",
        "things",
        "much",
        "many",
        "well",
        "even",
        "still",
        "yet",
        "however",
        "thus",
        "therefore",
        "hence",
        "since",
        "though",
        "although",
        "whether",
        "either",
        "neither",
        "per",
        "via",
        "etc",
        "eg",
        "ie",
    ]
)


def sentences(text: str) -> list[str]:
    """Split prose into sentences (keeps abbreviations such as "e.g." inside a sentence)."""
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    parts = _SENTENCE_END.split(text)
    merged: list[str] = []
    for part in parts:
        if merged and merged[-1].rsplit(" ", 1)[-1] in _ABBREVIATIONS:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return [s.strip() for s in merged if s.strip()]


def words(text: str) -> list[str]:
    """Lower-cased words."""
    return [w.lower() for w in _WORD.findall(text)]


_local = threading.local()


def _stemmer() -> Any:
    """One Snowball stemmer per thread: a stemmer keeps state between calls, so sharing one
    across the worker threads that run offline roles at once corrupts it."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer  # type: ignore[import-untyped]

        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English Snowball (Porter 2) stem: "simulates" and "simulation" both give "simul"."""
    return str(_stemmer().stemWord(word.lower()))


def content_words(text: str) -> list[str]:
    """Words that carry meaning (no stopwords, no single letters), in order."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def terms(text: str) -> set[str]:
    """Stemmed content words, as a set."""
    return {stem(w) for w in content_words(text)}


def centrality(vectors: np.ndarray) -> np.ndarray:
    """How central each row is among the others: mean cosine similarity to the rest
    (rows are L2-normalised embeddings)."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.ones(1)
    sims = vectors @ vectors.T
    return (sims.sum(axis=1) - 1.0) / (n - 1)


def as_matrix(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    return np.asarray(vectors, dtype=np.float32)
