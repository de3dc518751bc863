"""The offline Examiner: how well a learner's own-words explanation covers the material.

Signals, all computed against the concept's key ideas: the clauses of its description, which
plays the part of the expected answer; without a description, the passage sentences that say
most about the concept. (Whole passages cover more than one question asks for: comparing with
them would count everything else they say as missing.)

- similarity: MiniLM cosine between the answer and the reference, both with the words of the
  question and the concept title removed ("question demoting": repeating the question must
  not look like knowing the answer).
- coverage: soft recall of the reference's content words. Each reference word counts 1 when
  the answer has a word of the same stem, otherwise its best MiniLM word-to-word cosine with
  an answer word (rescaled so that unrelated words count 0): synonyms count partly.
- elaboration: answer length in content words, capped. Measured, but not in the calibrated
  score (its fitted weight came out negative: soft coverage already grows with length); it
  informs the feedback only.

A logistic calibration fitted on graded answers (examiner_model.json, written by
benchmarks/examiner_fit.py) turns similarity and coverage into a confidence. Fixed rules then
handle what graded data cannot teach: an empty, unreadable or "I don't know" answer scores 0,
an answer that only restates the question is capped, and a near-verbatim copy of a long
passage is mildly penalised (the learner is asked for their own words; graders of short
answers, by contrast, do not penalise quoting the expected answer).

Blocking (CPU work); callers run `examine` in a worker thread.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

import numpy as np

from learningos.ai.inputs import ExaminerInput
from learningos.ai.offline import judge, nlp, verdict
from learningos.ai.schemas import ExaminerOutput

MODEL_FILE = "examiner_model.json"

MAX_IDEAS = 6  # key ideas taken from a description
MAX_PASSAGE_IDEAS = 4  # key ideas taken from the passages when there is no description
MAX_GAPS = 5
MAX_ANSWER_WORDS = 60  # distinct answer words embedded (bounds the cost of one call)
MAX_ANSWER_SENTENCES = 12  # sentences embedded (the rest still counts through its words)
ELABORATION_CAP = 40  # content words; longer answers are not "more elaborate"
# Word matches are cosines rescaled so that WORD_FLOOR, about where unrelated words sit, is 0:
# otherwise the best of many unrelated answer words would look like a partial match.
WORD_FLOOR = 0.3
WORD_MATCH = 0.4  # rescaled match from which a reference word counts as present
IDEA_COVERED = 0.5  # idea score (see `_idea_scores`) from which an idea counts as covered
IDEA_GIST = 0.6  # share of an idea's words, best matched first, that its word match reads
COPY_RUN = 8  # shared run of words that counts as copied
COPY_MIN_PASSAGE = 40  # words: shorter references are definitions, quoting them is fine
COPY_START = 0.5  # copied share of the answer from which the penalty starts
COPY_PENALTY = 0.3  # largest fraction taken off the confidence for a verbatim copy
QUESTION_ONLY_CAP = verdict.QUESTION_ONLY_CAP  # an answer made only of the question's words
IDEA_ALIGNED = 0.8  # cosine of an answer sentence with an idea that states the idea itself


class Embedder(Protocol):
    """Anything that embeds texts into L2-normalised vectors (retrieval.embeddings fits)."""

    def embed(self, texts: list[str]) -> list[list[float]]: ...


# --- calibration ---------------------------------------------------------------------------


@dataclass
class Calibration:
    """A linear score over standardised features; `link` "logit" passes it through a sigmoid,
    "linear" reads it directly as the confidence."""

    names: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    intercept: float
    link: str = "logit"
    extra: dict[str, Any] = field(default_factory=dict)  # description, CV figures...

    def predict(self, feats: dict[str, float]) -> float:
        z = self.intercept
        for name, mu, sd, w in zip(self.names, self.mean, self.scale, self.weights, strict=True):
            z += w * (feats[name] - mu) / sd
        value = _sigmoid(z) if self.link == "logit" else z
        return min(1.0, max(0.0, value))

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = dict(self.extra)
        body.update(
            features=self.names,
            mean=self.mean,
            scale=self.scale,
            weights=self.weights,
            intercept=self.intercept,
            link=self.link,
        )
        return body

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> Calibration:
        known = {"features", "mean", "scale", "weights", "intercept", "link"}
        return cls(
            names=list(body["features"]),
            mean=[float(v) for v in body["mean"]],
            scale=[float(v) for v in body["scale"]],
            weights=[float(v) for v in body["weights"]],
            intercept=float(body["intercept"]),
            link=str(body.get("link", "logit")),
            extra={k: v for k, v in body.items() if k not in known},
        )


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)  # no overflow for very negative z
    return e / (1.0 + e)


@lru_cache(maxsize=1)
def shipped_calibration() -> Calibration:
    """The calibration shipped with the package, read on first use."""
    text = resources.files("learningos.ai.offline").joinpath(MODEL_FILE).read_text("utf-8")
    return Calibration.from_dict(json.loads(text))


# --- vectors ---------------------------------------------------------------------------------


class _VectorCache:
    """Recently embedded texts. The reference's words and text are the same on every attempt
    at a concept, and everyday words recur across answers, so most calls embed only a few
    new words."""

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, embedder: Embedder, *groups: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors of all texts; what is not cached is embedded with one call per group.

        Single words and whole texts go in separate calls on purpose: the local model pads
        every text of a batch to the batch's longest, so twenty words batched with one
        sentence cost about as much as twenty sentences."""
        owner = str(getattr(embedder, "name", type(embedder).__name__))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in (t for group in groups for t in group):
                vector = self._items.get((owner, text))
                if vector is not None:
                    self._items.move_to_end((owner, text))
                    found[text] = vector
        for group in groups:
            missing = list(dict.fromkeys(t for t in group if t not in found))
            if not missing:
                continue
            fresh = np.asarray(embedder.embed(missing), dtype=np.float32)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    found[text] = vector
                    self._items[(owner, text)] = vector
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return found


_cache = _VectorCache()


def clear_cache() -> None:
    """Forget cached vectors (to time cold calls, or after swapping the embedding model)."""
    global _cache
    _cache = _VectorCache()


# --- the reference ---------------------------------------------------------------------------

_CLAUSE = re.compile(
    r"\s*[;:]\s+|,\s+(?=(?:and|or|but|whereas|while)\s)|\s+(?=whereas\s)", re.IGNORECASE
)
_LEADING_LINK = re.compile(r"^(?:and|or|but|whereas|while|that is)\b[\s,]*", re.IGNORECASE)


def clauses(sentence: str) -> list[str]:
    """A sentence cut at semicolons, colons and contrasting conjunctions: one idea each."""
    parts = [
        _LEADING_LINK.sub("", p.strip(" ,;:.")).strip(" ,;:.") for p in _CLAUSE.split(sentence)
    ]
    return [p for p in parts if nlp.content_words(p)]


def _passage_ideas(inp: ExaminerInput, limit: int) -> list[str]:
    """The passage sentences that say most about the concept, in document order: ranked by
    their words' frequency across the passages plus overlap with the concept's and the
    question's words."""
    focus = nlp.terms(f"{inp.concept.title} {inp.question}")
    found = [s for p in inp.passages for s in nlp.sentences(p.text)]
    sentence_terms = [nlp.terms(s) for s in found]
    counts: dict[str, int] = {}
    for terms in sentence_terms:
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    candidates: list[tuple[float, int, str]] = []
    for order, (sentence, terms) in enumerate(zip(found, sentence_terms, strict=True)):
        if len(terms) < 2:
            continue
        weight = sum(counts[t] for t in terms) / len(terms) + 2.0 * len(terms & focus) / len(terms)
        candidates.append((weight, order, sentence))
    best = sorted(candidates, key=lambda c: -c[0])[:limit]
    return [s for _, _, s in sorted(best, key=lambda c: c[1])]


def key_ideas(inp: ExaminerInput) -> list[str]:
    """The reference's key ideas in reference order: the clauses of the description, or
    without one the most representative passage sentences, or else the concept's title."""
    ideas = [c for s in nlp.sentences(inp.concept.description) for c in clauses(s)]
    ideas = list(dict.fromkeys(ideas))[:MAX_IDEAS]
    if not ideas:
        ideas = _passage_ideas(inp, MAX_PASSAGE_IDEAS)
    if not ideas and nlp.content_words(inp.concept.title):
        ideas = [inp.concept.title.strip()]
    return ideas


def _demote(text: str, demoted: set[str]) -> str:
    """The text without the content words of the question and the concept title."""
    kept = [w for w in nlp.words(text) if w in nlp.STOPWORDS or nlp.stem(w) not in demoted]
    return " ".join(kept)


def _unique(words: list[str]) -> list[str]:
    """Words in order, one per stem ("member" and "members" once)."""
    firsts: dict[str, str] = {}
    for w in words:
        firsts.setdefault(nlp.stem(w), w)
    return list(firsts.values())


# --- rule signals ----------------------------------------------------------------------------

_DONT_KNOW = re.compile(
    r"\b(?:i\s+(?:really\s+)?(?:do\s*n[o']?t|dont|don't)\s+(?:really\s+)?know|no\s+idea|"
    r"not\s+sure|no\s+clue|idk|dunno|(?:can't|cannot|can\s+not|don't|do\s+not)\s+remember|"
    r"i\s+forgot|no\s+answer|not\s+answered)\b",
    re.IGNORECASE,
)
_SKIPPED = re.compile(r"\s*(?:pass|skip|n/?a)\W*", re.IGNORECASE)  # as the whole answer
_VOWEL = re.compile(r"[aeiouy]")
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xz]{5,}")
_REPEAT = re.compile(r"(.)\1\1\1")


def _wordlike(word: str) -> bool:
    vowel = _VOWEL.search(word) is not None
    return vowel and not _CONSONANT_RUN.search(word) and not _REPEAT.search(word)


def is_gibberish(answer: str) -> bool:
    """No words at all, mostly symbols, or mostly strings that cannot be English words
    (keyboard mashing). Letters of a formula ("p(A|B) = ...") are not judged as words."""
    found = nlp.words(answer)
    if not found:
        return True
    letters = sum(ch.isalpha() for ch in answer)
    visible = sum(not ch.isspace() for ch in answer)
    if letters < 0.3 * visible:
        return True
    longer = [w for w in found if len(w) >= 3]
    return bool(longer) and sum(_wordlike(w) for w in longer) < 0.6 * len(longer)


def says_dont_know(answer: str, demoted: set[str]) -> bool:
    """Whether the answer is a skip or an "I don't know" with next to nothing else (fewer
    than 3 content words besides the phrase and the question's own words)."""
    if _SKIPPED.fullmatch(answer):
        return True
    if not _DONT_KNOW.search(answer):
        return False
    rest = _DONT_KNOW.sub(" ", answer)
    own = [w for w in nlp.content_words(rest) if nlp.stem(w) not in demoted]
    return len(own) < 3


_HELP = re.compile(
    r"\s*(?:please\s+)?(?:help(?:\s+me)?|(?:can\s+you\s+|please\s+)?(?:explain|tell\s+me)"
    r"(?:\s+(?:it|this|that))?(?:\s+to\s+me)?(?:\s+please)?|what\s+(?:is|does)\s+(?:it|this)"
    r"(?:\s+mean)?|hmm+|um+|ok(?:ay)?|\?+|\.+|x)\W*",
    re.IGNORECASE,
)


def asks_for_help(answer: str) -> bool:
    """The whole reply is a request for help, a filler ("hmm", "ok") or a lone mark."""
    return _HELP.fullmatch(answer) is not None


def copied_share(answer: str, passages: Sequence[str]) -> float:
    """Share of the answer's words inside runs of COPY_RUN words found verbatim in a long
    passage. Short references (a one-line definition) are left out: restating those is
    how anyone would say it."""
    said = nlp.words(answer)
    if len(said) < COPY_RUN:
        return 0.0
    grams: set[tuple[str, ...]] = set()
    for text in passages:
        source = nlp.words(text)
        if len(source) >= COPY_MIN_PASSAGE:
            grams.update(tuple(source[i : i + COPY_RUN]) for i in range(len(source) - COPY_RUN + 1))
    if not grams:
        return 0.0
    inside = [False] * len(said)
    for i in range(len(said) - COPY_RUN + 1):
        if tuple(said[i : i + COPY_RUN]) in grams:
            inside[i : i + COPY_RUN] = [True] * COPY_RUN
    return sum(inside) / len(said)


# --- analysis --------------------------------------------------------------------------------


@dataclass
class Analysis:
    features: dict[str, float]
    ideas: list[str]
    covered: list[bool]  # per idea, whether the answer covers it
    missing_words: list[list[str]]  # per idea, its words the answer lacks
    answer_words: int  # content words in the answer
    signals: judge.Signals | None = None
    idea_pages: list[int | None] = field(default_factory=list)


def _empty_analysis(ideas: list[str], **flags: float) -> Analysis:
    feats = {"similarity": 0.0, "coverage": 0.0, "elaboration": 0.0, "copied": 0.0}
    feats.update({"empty": 0.0, "gibberish": 0.0, "dont_know": 0.0, "question_only": 0.0})
    feats["no_reference"] = 0.0
    feats.update({"help": 0.0, "off_topic": 0.0, "flips": 0.0, "unsure": 0.0, "topical": 0.0})
    feats.update(flags)
    return Analysis(feats, ideas, [False] * len(ideas), [[] for _ in ideas], 0)


def analyse(inp: ExaminerInput, embedder: Embedder) -> Analysis:
    """All signals for one answer; only what is not cached is embedded."""
    ideas = key_ideas(inp)
    answer = inp.answer.strip()
    demoted = nlp.terms(f"{inp.question} {inp.concept.title}")
    if not ideas:
        return _empty_analysis(ideas, no_reference=1.0)
    if not answer:
        return _empty_analysis(ideas, empty=1.0)
    if says_dont_know(answer, demoted):
        return _empty_analysis(ideas, dont_know=1.0)
    if asks_for_help(answer):
        return _empty_analysis(ideas, help=1.0)
    if is_gibberish(answer):
        return _empty_analysis(ideas, gibberish=1.0)

    reference = " ".join(ideas)
    all_answer_words = nlp.content_words(answer)
    # Question words are demoted on both sides; when that leaves nothing, keep them.
    answer_words = [w for w in all_answer_words if nlp.stem(w) not in demoted]
    question_only = not answer_words
    answer_words = _unique(answer_words or all_answer_words)[:MAX_ANSWER_WORDS]
    idea_words = [_demoted_words(idea, demoted) for idea in ideas]
    idea_texts = [_demote_or_keep(idea, demoted) for idea in ideas]
    reference_text = _demote_or_keep(reference, demoted)
    sentences = _answer_sentences(answer, demoted if not question_only else set())

    spelled = list(dict.fromkeys(w for words in idea_words for w in words))
    reference_words = _unique(spelled)  # coverage counts each stem once
    vectors = _cache.vectors(
        embedder, [*answer_words, *spelled], [reference_text, *idea_texts, *sentences]
    )
    sentence_vectors = np.stack([vectors[s] for s in sentences])
    similarity = float(_pooled(sentence_vectors, sentences) @ vectors[reference_text])

    best = _best_matches(spelled, answer_words, vectors)
    coverage = float(np.mean([best[w] for w in reference_words])) if reference_words else 0.0
    scores = _idea_scores(idea_texts, idea_words, best, sentence_vectors, vectors)
    signals = judge.signals(inp, lambda texts: _stacked(embedder, texts))
    stated = _stated(ideas, signals, embedder)
    covered = [score >= IDEA_COVERED or said for score, said in zip(scores, stated, strict=True)]
    missing = [_lacking(ws, best) for ws in idea_words]
    feats = {
        "similarity": similarity,
        "coverage": coverage,
        "elaboration": min(len(all_answer_words), ELABORATION_CAP) / ELABORATION_CAP,
        "copied": copied_share(answer, [p.text for p in inp.passages]),
        "empty": 0.0,
        "gibberish": 0.0,
        "dont_know": 0.0,
        "question_only": float(question_only),
        "no_reference": 0.0,
        "help": 0.0,
        "off_topic": float(signals.off_topic(coverage, len(all_answer_words))),
        "flips": float(len(signals.flips)),
        "unsure": float(signals.unsure and not signals.off_topic(coverage, len(all_answer_words))),
        "topical": signals.topical,
    }
    pages = _idea_pages(ideas, signals, embedder)
    return Analysis(feats, ideas, covered, missing, len(all_answer_words), signals, pages)


def _stacked(embedder: Embedder, texts: list[str]) -> np.ndarray:
    vectors = _cache.vectors(embedder, texts)
    return np.stack([vectors[t] for t in texts])


def _stated(ideas: list[str], signals: judge.Signals, embedder: Embedder) -> list[bool]:
    """Per idea, whether an answer sentence states it nearly as it stands (word for word or
    close): such an idea is covered whatever its words' matches say."""
    if signals.answer_vectors is None or not ideas:
        return [False] * len(ideas)
    sims = _stacked(embedder, ideas) @ signals.answer_vectors.T
    return [bool(row.max() >= IDEA_ALIGNED) for row in sims]


def _idea_pages(ideas: list[str], signals: judge.Signals, embedder: Embedder) -> list[int | None]:
    """Per idea, the page of the material sentence closest to it."""
    if signals.statement_vectors is None or not ideas or not signals.statements:
        return [None] * len(ideas)
    sims = _stacked(embedder, ideas) @ signals.statement_vectors.T
    return [signals.statements[int(row.argmax())].page for row in sims]


def _answer_sentences(answer: str, demoted: set[str]) -> list[str]:
    """The answer's sentences, demoted, without those left with no content word."""
    found = [_demote(s, demoted) for s in nlp.sentences(answer)[:MAX_ANSWER_SENTENCES]]
    return [s for s in found if nlp.content_words(s)] or [_demote_or_keep(answer, demoted)]


def _demote_or_keep(text: str, demoted: set[str]) -> str:
    """The text demoted, unless that leaves no content word."""
    kept = _demote(text, demoted)
    return kept if nlp.content_words(kept) else text


def _pooled(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    """One vector for the whole answer from its sentences' vectors, weighted by length (as
    the model's mean pooling weighs tokens), so the answer is encoded only once."""
    weights = np.asarray([len(t.split()) for t in texts], dtype=np.float32)
    pooled = weights @ vectors
    return np.asarray(pooled / max(float(np.linalg.norm(pooled)), 1e-9))


def _demoted_words(idea: str, demoted: set[str]) -> list[str]:
    """An idea's content words, one per stem, without the question's (unless that is all)."""
    words = _unique(nlp.content_words(idea))
    return [w for w in words if nlp.stem(w) not in demoted] or words


def _idea_scores(
    idea_texts: list[str],
    idea_words: list[list[str]],
    best: dict[str, float],
    sentence_vectors: np.ndarray,
    vectors: dict[str, np.ndarray],
) -> list[float]:
    """How well the answer covers each idea: the mean of its words' matches and of its cosine
    with the closest answer sentence. Words alone miss a paraphrase; a sentence cosine alone
    also rewards a sentence on the same topic that says something else. Only the idea's
    best-matched words count (IDEA_GIST of them): an idea that lists examples ("housing,
    food, transport, family and fun") is covered by its point, not by every example."""
    scores = []
    for text, words in zip(idea_texts, idea_words, strict=True):
        matches = sorted((best[w] for w in words), reverse=True)
        gist = matches[: max(1, math.ceil(len(matches) * IDEA_GIST))]
        word_match = float(np.mean(gist)) if gist else 1.0
        sentence_match = float((sentence_vectors @ vectors[text]).max())
        scores.append((word_match + sentence_match) / 2)
    return scores


def _lacking(words: list[str], best: dict[str, float]) -> list[str]:
    """The words to name a gap by: those the answer lacks, else the idea's two weakest."""
    absent = [w for w in words if best[w] < WORD_MATCH]
    if absent:
        return absent
    weakest = set(sorted(words, key=lambda w: best[w])[:2])
    return [w for w in words if w in weakest]


def _best_matches(
    reference_words: list[str], answer_words: list[str], vectors: dict[str, np.ndarray]
) -> dict[str, float]:
    """For each reference word, how well the answer's closest word matches it: 1 for the
    same stem, otherwise the word cosine rescaled from WORD_FLOOR..1 to 0..1."""
    if not reference_words or not answer_words:
        return {w: 0.0 for w in reference_words}
    ref = np.stack([vectors[w] for w in reference_words])
    ans = np.stack([vectors[w] for w in answer_words])
    sims = np.clip((ref @ ans.T - WORD_FLOOR) / (1.0 - WORD_FLOOR), 0.0, 1.0)
    answer_stems = {nlp.stem(w) for w in answer_words}
    return {
        w: 1.0 if nlp.stem(w) in answer_stems else float(sims[i].max())
        for i, w in enumerate(reference_words)
    }


def features(inp: ExaminerInput, embedder: Embedder) -> dict[str, float]:
    """The signals of one answer: similarity, coverage and elaboration (0..1), the copied
    share (0..1) and the 0/1 flags empty, gibberish, dont_know, question_only and
    no_reference (the concept has no description, passages or title to compare with)."""
    return analyse(inp, embedder).features


def _flag(feats: dict[str, float], name: str) -> bool:
    return bool(feats.get(name, 0.0))  # a flag left out counts as not raised


ZEROING_FLAGS = ("empty", "gibberish", "dont_know", "help", "no_reference")


def ruled_out(feats: dict[str, float]) -> bool:
    """Whether a fixed rule sets the confidence to 0 whatever the calibration says."""
    return any(_flag(feats, name) for name in ZEROING_FLAGS)


def confidence(feats: dict[str, float], calibration: Calibration) -> float:
    """The calibrated confidence, then the fixed rules and the limits of the answer's kind
    (a question restated, off topic, contradicting the material, not vouched for)."""
    if ruled_out(feats):
        return 0.0
    value = verdict.capped(calibration.predict(feats), feats)
    excess = (feats.get("copied", 0.0) - COPY_START) / (1.0 - COPY_START)
    value *= 1.0 - COPY_PENALTY * min(1.0, max(0.0, excess))
    return min(1.0, max(0.0, value))


# --- the verdict -----------------------------------------------------------------------------


def _gaps(analysis: Analysis) -> list[int]:
    """Indexes of the ideas the answer does not cover, in reference order."""
    return [i for i, ok in enumerate(analysis.covered) if not ok][:MAX_GAPS]


@dataclass
class Assessment:
    """The Examiner's output with the kind of answer it judged this to be."""

    label: verdict.Label
    output: ExaminerOutput


def assess(inp: ExaminerInput, embedder: Embedder) -> Assessment:
    """Judge the learner's explanation against the concept's material; blocking."""
    analysis = analyse(inp, embedder)
    feats = analysis.features
    value = confidence(feats, shipped_calibration())
    gaps = _gaps(analysis)
    label = verdict.label_of(feats, value, len(gaps))
    signals = analysis.signals
    pages = analysis.idea_pages or [None] * len(analysis.ideas)
    missing = (
        [verdict.Missing(analysis.ideas[i], pages[i], analysis.missing_words[i]) for i in gaps]
        if label in ("partial", "correct")
        else []
    )
    elsewhere = signals.elsewhere_title if signals and feats.get("off_topic") else None
    text = verdict.feedback(
        label,
        feats,
        inp.concept.title.strip() or "the concept",
        signals,
        missing,
        (sum(analysis.covered), len(analysis.ideas)),
        analysis.answer_words,
        elsewhere or None,
    )
    gap_texts = [analysis.ideas[i] for i in gaps]
    if label == "contradictory" and signals is not None:
        gap_texts = [f.statement.text for f in signals.flips][:MAX_GAPS]
    output = ExaminerOutput(confidence=round(value, 4), feedback=text, gaps=gap_texts)
    return Assessment(label, output)


def examine(inp: ExaminerInput, embedder: Embedder) -> ExaminerOutput:
    """Score the learner's explanation against the concept's material; blocking."""
    return assess(inp, embedder).output
