"""Reading the learner's material for the offline tutor, coach and note feedback.

Passages extracted from PDFs mix prose with code listings, equations broken over several lines,
tables, figure captions and headings. The roles quote the material, so they only ever use whole
prose sentences: the lines that are not prose are dropped *before* sentences are joined (a
sentence never spans a code listing), and what is left is a verbatim piece of the passage after
whitespace normalisation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from learningos.ai.inputs import ConceptRef, Passage
from learningos.ai.offline import nlp
from learningos.ai.schemas import Citation

# Words a role never writes, since they judge the learner (ai.md: the tutor never grades).
# Matched as substrings, so "incorrectly" and "scored" count too.
GRADING_WORDS = (
    "correct",
    "wrong",
    "right answer",
    "well done",
    "great job",
    "good job",
    "score",
    "grade",
    "excellent",
)

_BULLET = re.compile(r"^\s*(?:[•◦▪‣∙·*–-]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s|(?:chapter|part|section)\s+\d|\d+(?:\.\d+)*\.?\s+[A-Z])", re.I
)
_CAPTION = re.compile(r"^\s*(?:figure|fig\.|table|listing|algorithm|equation)\s*\d", re.I)
# Code needs code syntax, not just a keyword: a wrapped line of prose may well start with
# "with", "class" or "return".
_CODE_LINE = re.compile(
    r"""^\s*(?:
        (?:def|class)\s+\w+\s*[(:]
      | (?:if|elif|else|for|while|with|try|except|finally)\b.*:\s*$
      | return(?:\s+\S+){0,3}\s*$
      | import\s+[\w.]+(?:\s+as\s+\w+)?\s*$
      | from\s+\S+\s+import\b
      | >>>|\$\s|\#\s*\w
      | [A-Za-z_][\w.\[\]'"]*\s*(?:=|\+=|-=|\*=|/=)\s*\S
      | [\w.]+\(.*\)\s*$
    )""",
    re.X,
)
_MATH = re.compile(r"[−∑∏√∫≤≥±×÷∞∂¯∆∇∈∉⊂⊆∪∩→←⇒⇔≈≠]")  # − is the minus sign, not a dash
_CODE_TOKEN = re.compile(r"\w\(|\(\)|[{}\[\]<>=|\\#@$]|\w_\w|\w\.\w+\(|https?:|www\.")
_SENTENCE_END = re.compile(r"[.!][\"'”’)\]]*$")
_LONG_WORD = re.compile(r"[A-Za-z]{3,}")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")  # as nlp.words, keeping the case
_EXAMPLE = re.compile(
    r"\b(?:for example|for instance|e\.g\.|suppose|consider|imagine|such as|as an example"
    r"|in this example|say you|let's say|let us say)\b",
    re.I,
)
# A quantity, not a reference to a part of the book ("Chapter 8", "Section 5.2").
_NUMBER = re.compile(
    r"(?<!chapter )(?<!section )(?<!figure )(?<!table )(?<!page )(?<!exercise )(?<![\d.])\b\d",
    re.I,
)
_LEANING_START = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|so|but|and|also|then|here|there|such"
    r"|in (?:this|that|the same) (?:example|case|context|way))\b",
    re.I,
)
_LEANING_ANYWHERE = re.compile(
    r"\b(?:previous|following|above|below|as we saw|as we have seen|we just|we've just"
    r"|shown here|listed here)\b",
    re.I,
)
# MiniLM cosine between a term and the concept below which the term is about something else.
_UNRELATED_TERM = 0.1
# nlp.sentences does not split after a closing curly quote: 'called the “mean.” The …'.
_QUOTED_END = re.compile(r"(?<=[.!][”’])\s+(?=[A-Z])")

# Words that say little about a topic on their own: never offered as key terms. ("mean" is
# not one of them: it is a statistics term as often as a verb.)
# fmt: off
_GENERIC = frozenset([
    "example", "examples", "number", "numbers", "value", "values", "result", "results", "case",
    "cases", "part", "parts", "kind", "kinds", "type", "types", "lot", "little", "good",
    "better", "best", "bad", "different", "same", "new", "first", "second", "third", "last",
    "next", "chapter", "section", "figure", "table", "page", "pages", "book", "code",
    "following", "previous", "called", "say", "says", "said", "see", "seen", "look", "looks",
    "know", "want", "need", "needs", "find", "give", "gives", "given", "go", "going", "take",
    "takes", "like", "just", "really", "often", "usually", "sometimes", "always", "never",
    "something", "anything", "everything", "nothing", "someone", "people", "time", "times",
    "question", "questions", "answer", "answers", "idea", "ideas", "word", "words", "term",
    "terms", "point", "points", "another", "several", "few", "others", "able", "quite",
    "rather", "pretty", "already", "almost", "enough", "less", "least", "whole", "without",
    "within", "around", "upon", "describe", "described", "compute", "computes", "computed",
    "show", "shows", "shown", "means", "meaning", "approach", "way",
    "important", "certain", "possible", "large", "small", "big", "simple", "common", "general",
    "particular", "usual", "also", "here", "there", "let", "lets", "user", "users", "reader",
    "readers", "chapters",
])
# fmt: on


class TextEmbedder(Protocol):
    """What the roles need of an embedder (LocalEmbedder, OpenAIEmbedder): vectors of texts."""

    def embed(self, texts: list[str]) -> list[list[float]]: ...


@dataclass(frozen=True)
class Sentence:
    """A prose sentence of the material, with where it came from."""

    text: str
    passage: int  # index into the passages list
    position: int  # reading order over all passages


def normalise(text: str) -> str:
    """Collapse whitespace: how quotes are compared with the material."""
    return " ".join(text.split())


def has_grading_words(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in GRADING_WORDS)


def name_of(concept: ConceptRef) -> str:
    """The concept's title as it can stand inside a sentence (no question marks, no leading
    section number, no trailing punctuation)."""
    title = re.sub(r"^\s*\d+(?:\.\d+)*\.?\s+", "", concept.title).replace("?", "")
    title = re.sub(r"^(The|A|An)\s+(?=\S)", lambda m: m.group(1).lower() + " ", title.strip())
    return normalise(title).rstrip(" .:;,!") or "this concept"


def concept_text(concept: ConceptRef) -> str:
    """What the concept is about, for embedding: its title and description."""
    return normalise(f"{name_of(concept)}. {concept.description}")


def plain(text: str) -> str:
    """Learner-provided text (gaps, mistakes) made safe to repeat inside a reply: one line,
    no question marks."""
    return normalise(text.replace("?", "")).rstrip(" .:;,!")


def _junk_line(line: str, title: str) -> bool:
    """A line that is not running prose: code, equation pieces, table rows, headings, captions."""
    stripped = line.strip()
    if not stripped or stripped == title:
        return True
    if _CODE_LINE.match(stripped) or _CAPTION.match(stripped):
        return True
    long_words = _LONG_WORD.findall(stripped)
    if not long_words:  # "2 =", "xi", "10-14 8": pieces of formulas and tables
        return True
    ends_clause = stripped[-1] in ".!?,;:)”\"'’"
    if len(stripped.split()) < 4 and not ends_clause:  # table headers, axis labels, headings
        return True
    return bool(_HEADING.match(stripped)) and not ends_clause and len(stripped) < 90


def _blocks(text: str, title: str) -> list[str]:
    """Runs of prose lines: a dropped line or a bullet ends a run, so no sentence is glued
    together across a code listing or a formula."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if _junk_line(line, title):
            blocks.append([])
            continue
        bullet = _BULLET.match(line)
        if bullet:
            blocks.append([line[bullet.end() :]])
        else:
            blocks[-1].append(line)
    return [" ".join(b) for b in blocks if b]


def _is_prose(sentence: str) -> bool:
    """A whole plain sentence worth quoting: not a question, not a fragment, no code or math."""
    n_words = len(sentence.split())
    if n_words < 5 or n_words > 70:
        return False
    if "?" in sentence or not _SENTENCE_END.search(sentence):
        return False
    first = sentence.lstrip("\"'“‘(")[:1]
    if not first.isupper():  # starts mid-sentence, after a formula that was dropped
        return False
    if _MATH.search(sentence) or _CODE_TOKEN.search(sentence) or _CAPTION.search(sentence):
        return False
    return not re.search(r"\b(?:figure|table)\s+\d", sentence, re.I)


def passage_sentences(passage: Passage) -> list[str]:
    """The prose sentences of one passage, verbatim, in reading order."""
    found: list[str] = []
    for block in _blocks(passage.text, passage.title.strip()):
        for sentence in nlp.sentences(block):
            found.extend(s for s in _QUOTED_END.split(sentence) if _is_prose(s))
    return found


def prose_sentences(passages: Sequence[Passage], *, allow_grading: bool = False) -> list[Sentence]:
    """Prose sentences of all passages in reading order, each text once (chunks of one section
    overlap, and some documents repeat themselves)."""
    seen: set[str] = set()
    found: list[Sentence] = []
    for index, passage in enumerate(passages):
        for text in passage_sentences(passage):
            key = text.lower()
            if key in seen or (not allow_grading and has_grading_words(text)):
                continue
            seen.add(key)
            found.append(Sentence(text, index, len(found)))
    return found


def leans_on_context(sentence: str) -> bool:
    """A sentence that needs the text around it: it opens with a pointer to what came before,
    or refers to a formula, listing or figure that is not quoted."""
    return bool(_LEANING_START.match(sentence) or _LEANING_ANYWHERE.search(sentence))


def is_example(sentence: str) -> bool:
    """A sentence that gives an example: announced as one, or with concrete numbers."""
    return bool(_EXAMPLE.search(sentence) or _NUMBER.search(sentence))


def key_terms(texts: Sequence[str], *, exclude: str = "", limit: int = 8) -> list[str]:
    """The terms the texts keep using, most used first."""
    return [term for term, _ in weighted_terms(texts, exclude=exclude, limit=limit)]


def weighted_terms(
    texts: Sequence[str], *, exclude: str = "", limit: int = 8
) -> list[tuple[str, float]]:
    """The terms the texts keep using, with a weight: repeated two-word phrases count double
    (they tend to be the technical vocabulary, "standard deviation"), then repeated single
    words. Words of `exclude` (usually the concept's own title) are left out."""
    excluded = nlp.terms(exclude)
    singles: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    surface: dict[object, Counter[str]] = {}
    for text in texts:
        # Counted once per text: a word repeated inside one worked example is not a key term.
        seen: set[object] = set()
        originals = _WORD.findall(text)  # as written, so "ATP" stays "ATP"
        tokens = [w.lower() for w in originals]
        for i, word in enumerate(tokens):
            if not _term_word(word):
                continue
            stem = nlp.stem(word)
            surface.setdefault(stem, Counter())[originals[i]] += 1
            if stem not in seen:
                singles[stem] += 1
                seen.add(stem)
            if i + 1 < len(tokens) and _term_word(tokens[i + 1], head=True):
                pair = (stem, nlp.stem(tokens[i + 1]))
                written = f"{originals[i]} {originals[i + 1]}"
                surface.setdefault(pair, Counter())[written] += 1
                if pair not in seen:
                    pairs[pair] += 1
                    seen.add(pair)
    ranked: list[tuple[float, object]] = []
    for pair, count in pairs.items():
        if count >= 2 and not set(pair) <= excluded and pair[0] != pair[1]:
            ranked.append((count * 2.0, pair))
    for stem, count in singles.items():
        if count >= 2 and stem not in excluded:
            ranked.append((float(count), stem))
    ranked.sort(key=lambda item: (-item[0], str(item[1])))
    chosen: list[tuple[object, float]] = []
    for weight, key in ranked:
        if isinstance(key, str) and any(isinstance(c, tuple) and key in c for c, _ in chosen):
            continue  # "deviation" adds nothing once "standard deviation" is in
        chosen.append((key, weight))
        if len(chosen) == limit:
            break
    return [(_written(surface[key]), weight) for key, weight in chosen]


def _written(forms: Counter[str]) -> str:
    """How to write a term: in lower case if the text ever does (a capital may only mean the
    start of a sentence), otherwise as it is written most ("ATP", "Bayes")."""
    lower = [form for form in forms if form == form.lower()]
    if lower:
        return max(lower, key=lambda form: (forms[form], form))
    return forms.most_common(1)[0][0]


def concept_terms(
    texts: Sequence[str], target: str, embedder: TextEmbedder, *, exclude: str = "", limit: int = 6
) -> list[str]:
    """Key terms of the texts that are about `target` (the concept): the repeated terms,
    ordered by closeness in meaning to the target and by use. Terms of a worked example
    ("weeks", "pumpkins") are repeated too but far from the concept, and are dropped."""
    weighted = weighted_terms(texts, exclude=exclude, limit=max(12, limit * 2))
    if not weighted:
        return []
    vectors = embed(embedder, [target] + [term for term, _ in weighted])
    closeness = vectors[1:] @ vectors[0]
    most = max(weight for _, weight in weighted)
    scored = [
        (float(near) + 0.3 * weight / most, term)
        for (term, weight), near in zip(weighted, closeness, strict=True)
        if near >= _UNRELATED_TERM
    ]
    scored.sort(key=lambda item: -item[0])
    return [term for _, term in scored[:limit]]


def _term_word(word: str, *, head: bool = False) -> bool:
    """A word that can be (part of) a key term. A generic word may end a two-word term:
    "times" says nothing alone, "interarrival times" does."""
    return (
        len(word) >= 3
        and word not in nlp.STOPWORDS
        and (head or word not in _GENERIC)
        and not word.endswith("ly")  # adverbs
        and "'" not in word
        and not has_grading_words(word)
    )


def mentions(text: str, term: str) -> bool:
    """Whether `text` uses `term` (all of its words, in any inflection)."""
    return nlp.terms(term) <= nlp.terms(text)


def embed(embedder: TextEmbedder, texts: list[str]) -> np.ndarray:
    """L2-normalised vectors of `texts` as a matrix (one row per text)."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = nlp.as_matrix(embedder.embed(texts))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)  # other embedders may not normalise


def term_overlap(query: str, text: str) -> float:
    """Share of the query's terms that the text contains."""
    wanted = nlp.terms(query)
    if not wanted:
        return 0.0
    return len(wanted & nlp.terms(text)) / len(wanted)


class Citations:
    """Numbers passages [1], [2]… in the order the reply first uses them; passages of one
    source (chunks of the same section) share a number."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = passages
        self._numbers: dict[tuple[object, ...], int] = {}
        self.citations: list[Citation] = []

    def mark(self, passage: int) -> str:
        source = self._passages[passage]
        key = (source.section_id, source.title, source.page_start, source.page_end)
        if key not in self._numbers:
            self.citations.append(
                Citation(
                    section_id=source.section_id,
                    title=source.title or "your material",
                    page_start=source.page_start,
                    page_end=source.page_end,
                )
            )
            self._numbers[key] = len(self.citations)
        return f"[{self._numbers[key]}]"
