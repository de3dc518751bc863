"""The offline Examiner with the real local embedding model, and its evaluation helpers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learningos.ai import boundaries
from learningos.ai import examiner_eval as ev
from learningos.ai.inputs import ConceptRef, ExaminerInput, Passage
from learningos.ai.offline import examiner, nlp
from learningos.retrieval.embeddings import LocalEmbedder
from tests.evaldata import MOHLER, need

DESCRIPTION = (
    "A constructor is called automatically whenever an object is created, whereas a method "
    "must be called explicitly. A constructor has no return type."
)
PASSAGE = (
    "Every class has at least one constructor. A constructor is a special member function that "
    "initialises the data members of a new object. The compiler calls the constructor "
    "automatically each time an object of the class is created, so the object never exists in "
    "an uninitialised state. Unlike other member functions, a constructor has the same name as "
    "its class and declares no return type, not even void. If a class declares no constructor, "
    "the compiler supplies a default constructor that takes no arguments."
)
QUESTION = "How does a constructor differ from an ordinary method?"

PARAPHRASE = (
    "The constructor runs by itself the moment an object gets created, while you have to "
    "invoke a method yourself. Also a constructor does not return anything, it has no return "
    "type at all."
)
PARTIAL = "A constructor runs automatically when a new object is created."
UNRELATED = "Photosynthesis turns sunlight, water and carbon dioxide into glucose in leaves."

TEACHING = (
    "great job",
    "good job",
    "well done",
    "keep going",
    "keep it up",
    "excellent",
    "nice work",
    "awesome",
    "the answer is",
    "the correct answer",
    "remember that",
    "you should",
    "try to",
    "don't worry",
)


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=1)


def make_input(answer: str, passages: list[str] | None = None) -> ExaminerInput:
    return ExaminerInput(
        concept=ConceptRef(title="Constructors", description=DESCRIPTION),
        passages=[Passage(text=t, title="Classes") for t in (passages or [PASSAGE])],
        answer=answer,
        question=QUESTION,
    )


def test_paraphrase_scores_above_unrelated_and_empty(embedder: LocalEmbedder) -> None:
    good = examiner.examine(make_input(PARAPHRASE), embedder)
    unrelated = examiner.examine(make_input(UNRELATED), embedder)
    empty = examiner.examine(make_input("   "), embedder)
    assert good.confidence > unrelated.confidence + 0.2
    assert good.confidence > empty.confidence
    assert empty.confidence == 0.0
    assert "no explanation" in empty.feedback.lower()


@pytest.mark.parametrize(
    "answer", ["I don't know", "idk", "Sorry, no idea.", "not sure, I can't remember", "pass"]
)
def test_dont_know_scores_zero(embedder: LocalEmbedder, answer: str) -> None:
    out = examiner.examine(make_input(answer), embedder)
    assert out.confidence == 0.0
    assert "do not know" in out.feedback
    assert out.gaps  # nothing is covered


def test_hedged_answer_with_content_is_still_scored(embedder: LocalEmbedder) -> None:
    hedged = "I'm not sure, but I think a constructor runs on its own when an object is created."
    assert examiner.examine(make_input(hedged), embedder).confidence > 0.3


@pytest.mark.parametrize("answer", ["asdkjh qwrtzp xkcdvbnm lkjhgf", "#### ??? !!!", "1234"])
def test_gibberish_scores_zero(embedder: LocalEmbedder, answer: str) -> None:
    out = examiner.examine(make_input(answer), embedder)
    assert out.confidence == 0.0
    assert "not readable" in out.feedback


def test_restating_the_question_is_capped(embedder: LocalEmbedder) -> None:
    out = examiner.examine(make_input("A constructor differs from an ordinary method."), embedder)
    assert out.confidence <= examiner.QUESTION_ONLY_CAP


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_confidence_in_range_for_any_text(embedder: LocalEmbedder, answer: str) -> None:
    out = examiner.examine(make_input(answer), embedder)
    assert 0.0 <= out.confidence <= 1.0
    assert out.feedback


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(nlp.words(PASSAGE + " " + UNRELATED)), max_size=40))
def test_confidence_in_range_for_word_salad(embedder: LocalEmbedder, words: list[str]) -> None:
    out = examiner.examine(make_input(" ".join(words)), embedder)
    assert 0.0 <= out.confidence <= 1.0


def test_gaps_name_the_ideas_a_partial_answer_misses(embedder: LocalEmbedder) -> None:
    out = examiner.examine(make_input(PARTIAL), embedder)
    assert out.gaps == ["a method must be called explicitly", "A constructor has no return type"]
    assert "It makes 1 of the 3 key points" in out.feedback
    # Plain sentences that point at each missing point, not a list of keywords.
    assert (
        "Your explanation leaves out the point about “called explicitly” and the point "
        "about “return type”." in out.feedback
    )


def test_a_paraphrase_covers_ideas_in_other_words(embedder: LocalEmbedder) -> None:
    out = examiner.examine(make_input(PARAPHRASE), embedder)
    assert "A constructor has no return type" not in out.gaps
    assert "A constructor is called automatically whenever an object is created" not in out.gaps
    assert len(out.gaps) < 2


def test_key_ideas_are_description_clauses() -> None:
    assert examiner.key_ideas(make_input(PARTIAL)) == [
        "A constructor is called automatically whenever an object is created",
        "a method must be called explicitly",
        "A constructor has no return type",
    ]


def test_without_a_description_key_ideas_come_from_the_passages() -> None:
    inp = make_input(PARTIAL)
    inp.concept.description = ""
    ideas = examiner.key_ideas(inp)
    assert 1 <= len(ideas) <= examiner.MAX_PASSAGE_IDEAS
    assert all(i in nlp.sentences(PASSAGE) for i in ideas)
    assert ideas == sorted(ideas, key=PASSAGE.index)  # document order


def test_feedback_never_teaches_praises_or_quotes_the_reference(embedder: LocalEmbedder) -> None:
    references = nlp.sentences(DESCRIPTION) + nlp.sentences(PASSAGE)
    answers = [PARAPHRASE, PARTIAL, UNRELATED, "", "I don't know", "zzzxq qqwwp", PASSAGE]
    for answer in answers:
        feedback = examiner.examine(make_input(answer), embedder).feedback
        lowered = feedback.lower()
        assert feedback.strip()
        assert not any(phrase in lowered for phrase in TEACHING), feedback
        assert not boundaries.TEACHING.search(feedback), feedback
        assert not boundaries.ENCOURAGING.search(feedback), feedback
        for sentence in references:
            assert sentence.lower().rstrip(".") not in lowered, feedback


def test_short_reference_is_not_echoed_in_feedback(embedder: LocalEmbedder) -> None:
    inp = ExaminerInput(
        concept=ConceptRef(
            title="How many constructors can a class have?", description="Any number."
        ),
        passages=[Passage(text="Any number.")],
        answer="Exactly two per class, one default and one copy.",
        question="How many constructors can a class have?",
    )
    out = examiner.examine(inp, embedder)
    assert "any number" not in " ".join(nlp.words(out.feedback))


def test_verbatim_copy_of_a_long_passage_is_penalised_mildly() -> None:
    assert examiner.copied_share(PASSAGE, [PASSAGE]) == 1.0
    assert examiner.copied_share(PARAPHRASE, [PASSAGE]) == 0.0
    short = "A constructor has no return type and is called when an object is created."
    assert examiner.copied_share(short, [short]) == 0.0  # a one-line reference may be restated
    calibration = examiner.shipped_calibration()
    feats = {"similarity": 0.8, "coverage": 0.9, "copied": 0.0}
    original = examiner.confidence(feats, calibration)
    copied = examiner.confidence(feats | {"copied": 1.0}, calibration)
    assert copied < original
    assert copied >= original * (1 - examiner.COPY_PENALTY) - 1e-9


def test_no_reference_material_gives_zero(embedder: LocalEmbedder) -> None:
    inp = ExaminerInput(concept=ConceptRef(title=""), passages=[], answer=PARAPHRASE)
    out = examiner.examine(inp, embedder)
    assert out.confidence == 0.0 and out.gaps == []
    assert "no reference material" in out.feedback


def test_shipped_calibration_records_its_cross_validation() -> None:
    calibration = examiner.shipped_calibration()
    assert calibration.names == list(ev.MODEL_FEATURES)
    assert calibration.extra["fitted_on"]
    assert calibration.extra["method"]
    cv = calibration.extra["cv"]["examiner"]
    assert cv["pearson_r"] >= 0.55 and cv["rmse"] <= 0.9
    again = examiner.Calibration.from_dict(calibration.to_dict())
    assert again == calibration


def test_load_rows_rejects_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("id,question,desired_answer,score_avg\n1.1,q,a,5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="student_answer"):
        ev.load_rows(path)


def test_load_rows_and_score(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(
        "id,question,desired_answer,student_answer,score_avg\n"
        "1.1,q,a,x,5\n1.1,q,a,y,0\n1.2,q,a,z,2.5\n",
        encoding="utf-8",
    )
    rows = ev.load_rows(path)
    assert [r.score for r in rows] == [5.0, 0.0, 2.5]
    perfect = ev.score(rows, lambda r: r.score / 5)
    assert perfect == {"n": 3, "pearson_r": 1.0, "rmse": 0.0}
    assert ev.score(rows, lambda r: 1.0)["rmse"] == pytest.approx(
        math.sqrt((0 + 25 + 6.25) / 3), abs=1e-4
    )


def test_grouped_folds_keep_each_question_together() -> None:
    groups = ["a"] * 5 + ["b"] * 3 + ["c"] * 4 + ["d"] * 2
    folds = ev.grouped_folds(groups, 3)
    assert sorted(i for f in folds for i in f) == list(range(len(groups)))
    for fold in folds:
        for other in folds:
            if fold is not other:
                assert not {groups[i] for i in fold} & {groups[i] for i in other}


def test_cross_validate_on_a_subset_returns_finite_figures(embedder: LocalEmbedder) -> None:
    rows = ev.load_rows(need(MOHLER))
    questions = list(dict.fromkeys(r.id for r in rows))[:6]
    subset = [r for q in questions for r in [r for r in rows if r.id == q][:8]]
    result = ev.cross_validate(subset, embedder, folds=3)
    assert result["n"] == len(subset) and result["folds"] == 3
    assert math.isfinite(result["pearson_r"]) and math.isfinite(result["rmse"])
    assert 0.0 <= result["rmse"] <= 5.0
