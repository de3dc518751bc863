"""BM25 tokenisation, scoring and the per-item cache."""

from __future__ import annotations

import uuid

from learningos.retrieval.lexical import LexicalCache, LexicalDoc, LexicalIndex, stem, tokenize


def doc(title: str, text: str) -> LexicalDoc:
    return LexicalDoc(uuid.uuid4(), title, text, 1, 1)


def test_tokenize_drops_stop_and_question_words_and_stems() -> None:
    assert tokenize("How do I find the outliers in my estimates?") == ["find", "outlier", "estimat"]
    assert stem("studies") == "study"
    assert stem("was") == "was"  # too short to strip


def test_scores_rank_the_matching_section_first() -> None:
    docs = [
        doc("Histograms", "A histogram counts how often each value appears."),
        doc("Outliers", "Outliers are extreme values that may be errors in the data."),
        doc("Variance", "Variance describes the spread of values around the mean."),
    ]
    index = LexicalIndex(docs)
    scores = index.scores("how do I spot extreme values that might be errors")
    assert scores.shape == (3,)
    assert int(scores.argmax()) == 1
    assert index.position[docs[2].section_id] == 2


def test_scores_without_known_terms_or_docs_are_zero() -> None:
    index = LexicalIndex([doc("Histograms", "counts of values")])
    assert index.scores("zebra quantum").tolist() == [0.0]
    assert index.scores("").tolist() == [0.0]
    assert LexicalIndex([]).scores("values").shape == (0,)


def test_cache_serves_only_the_same_version_and_evicts_oldest() -> None:
    cache = LexicalCache(max_items=2)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    built = LexicalIndex([doc("t", "text")])
    cache.put(a, (1, "x"), built)
    assert cache.get(a, (1, "x")) is built
    assert cache.get(a, (2, "y")) is None
    cache.put(b, 1, built)
    cache.put(c, 1, built)
    assert cache.get(a, (1, "x")) is None
    assert cache.get(c, 1) is built
