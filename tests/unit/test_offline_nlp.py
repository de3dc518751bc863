"""Shared text tools of the offline engine."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from learningos.ai.offline.nlp import sentences, stem, terms


def test_sentences_keep_abbreviations_but_not_words_ending_like_them() -> None:
    assert sentences("It is normal. Lognormal data is skewed. Fig. 3 shows it, e.g. here.") == [
        "It is normal.",
        "Lognormal data is skewed.",
        "Fig. 3 shows it, e.g. here.",
    ]


def test_stems_match_across_word_forms() -> None:
    assert terms("It simulates the simulation") == {"simul"}


def test_stemming_is_safe_from_many_threads_at_once() -> None:
    words = ["simulations", "running", "behaviours", "distribution"] * 3000
    with ThreadPoolExecutor(8) as pool:
        stems = set(pool.map(stem, words))
    assert stems == {"simul", "run", "behaviour", "distribut"}
