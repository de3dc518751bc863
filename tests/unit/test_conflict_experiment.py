"""The pair features of the contradiction experiment (benchmarks/conflict_features.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "conflict_features.py"
_SPEC = importlib.util.spec_from_file_location("conflict_features", _PATH)
assert _SPEC and _SPEC.loader
conflict = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = conflict  # dataclasses look their module up
_SPEC.loader.exec_module(conflict)


def model() -> conflict.Model:
    """A model that reads a negation (and nothing else) as a contradiction."""
    weights = [5.0 if name == "negation" else 0.0 for name in conflict.FEATURES]
    n = len(conflict.FEATURES)
    return conflict.Model([0.0] * n, [1.0] * n, weights, -2.5, 0.5, {})


MATERIAL = [
    "The floor division operator, //, divides two numbers and rounds down to an integer.",
    "An alternative is to use the modulus operator, %, which divides two numbers and returns "
    "the remainder.",
    "The modulus operator is more useful than it seems.",
    "Floor division returns the integer number of hours, rounding down.",
]


def material() -> conflict.Material:
    return conflict.Material.of(MATERIAL)


def test_number_words_count_as_numbers_but_not_the_pronoun_one() -> None:
    assert conflict.stated_numbers("There are three logical operators.") == {"3"}
    assert conflict.stated_numbers("Python stops it after ten calls, 1000 frames") == {"10", "1000"}
    assert conflict.stated_numbers("Make a new one instead.") == set()


def test_a_term_of_the_material_put_in_place_of_another_is_a_swap() -> None:
    swapped = "The modulus operator divides two numbers and rounds down to an integer."
    feats = conflict.pair_features(swapped, MATERIAL[0], 0.8, material())
    assert feats["terms_in"] > 0 and feats["terms_out"] > 0
    assert feats["swap"] >= 0.5


def test_own_words_are_no_swap_and_a_copy_differs_in_nothing() -> None:
    own = "Double slash chops off the fractional part, giving a whole number."
    feats = conflict.pair_features(own, MATERIAL[0], 0.6, material())
    assert feats["terms_in"] == 0.0 and feats["swap"] == 0.0
    copy = conflict.pair_features(MATERIAL[0], MATERIAL[0], 1.0, material())
    assert copy["terms_in"] == copy["terms_out"] == copy["reordered"] == 0.0
    assert copy["shared"] == 1.0


def test_polarity_cues_and_numbers_the_material_does_not_state() -> None:
    negated = "The modulus operator is not useful."
    assert conflict.pair_features(negated, MATERIAL[2], 0.8, material())["negation"] == 1.0
    counted = "Floor division divides three numbers."
    assert conflict.pair_features(counted, MATERIAL[0], 0.8, material())["number"] == 1.0
    stated = "Floor division divides two numbers."
    assert conflict.pair_features(stated, MATERIAL[0], 0.8, material())["number"] == 0.0


def test_leaving_a_sentence_out_of_the_material_removes_its_words() -> None:
    whole = material()
    less = whole.without(MATERIAL[2])
    assert less.counts[next(iter(conflict.nlp.terms("useful")))] == 0
    assert less.counts["modulus"] == whole.counts["modulus"] - 1


def test_a_model_of_other_features_is_refused() -> None:
    body = model().to_dict()
    body["features"] = ["cosine"]
    with pytest.raises(ValueError, match="features"):
        conflict.Model.from_dict(body)


def test_an_agreeing_statement_nearly_as_close_vetoes() -> None:
    said = "The modulus operator is not useful."
    statements = [MATERIAL[2], "The modulus operator is not useful for floats."]
    alone, first = conflict.sentence_conflict(said, [0.9, 0.1], statements, material(), model())
    vetoed, _ = conflict.sentence_conflict(said, [0.9, 0.89], statements, material(), model())
    assert first == 0
    assert alone > 0.9 and vetoed < 0.1
