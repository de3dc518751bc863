"""Answering a learner's free question from the retrieved passages (the offline Tutor).

Every sentence of the passages is a candidate, not only the plain prose the explanations
quote: a definition often carries a symbol ("the mean, x¯, is the sum of the values divided
by the number of values; in other words" before a formula) or sits in a glossary bullet
("cross-sectional study: A study that …"). Candidates are ranked against the question:
closeness in meaning (MiniLM), the question's terms they contain, and whether they *define*
what a "what is …" question asks about. The reply leads with the best one; a sentence that
leans on the one before it ("This result is the Central Limit Theorem") is quoted with what
it leans on. Each quote is a verbatim piece of the material (whitespace normalised, a cut
marked "…"), cited. When no candidate comes close, the reply says the material does not
seem to cover the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from learningos.ai.inputs import Passage
from learningos.ai.offline import _select as sel
from learningos.ai.offline import nlp

# A candidate answers when its score reaches this (see `rank`). On Think Stats' question set
# (benchmarks/questions/thinkstats2_answers.jsonl), the best candidate of questions the book
# answers scored 0.40-0.95, of unrelated questions (cakes, car brakes, Kubernetes) 0.02-0.21.
ANSWER_FLOOR = 0.37
QUOTE_MARGIN = 0.1  # further quotes must score within this of the best one
MAX_QUOTES = 3
_PAIR_WORDS = 45  # the lead and the sentence after it, together at most
# Weights of `rank`; on that set the hit rate barely moves over 0.5-0.8 / 0.1-0.2 / 0.1-0.35.
W_COSINE, W_TERMS, W_DEFINES = 0.6, 0.1, 0.2
# A question about a symbol ("What does % do?", "= and =="): a sentence that writes every one
# of them literally gains this much; MiniLM reads "%" and "//" as noise, so the sentence that
# lists the arithmetic operators would otherwise answer any question about an operator.
W_SYMBOL = 0.2

_OPERATOR_CHARS = r"%*/=<>!+\-&|^~@"
_SYMBOL = re.compile(rf"(?<![\w{_OPERATOR_CHARS}:])[{_OPERATOR_CHARS}]+(?![\w{_OPERATOR_CHARS}])")
_DUNDER = re.compile(r"\b__[a-z][a-z0-9_]*__\b")

_GLOSSARY = re.compile(r"^([A-Za-z][\w’'()\- ]{1,50}): ([A-Z“\"].*)$")
_DEFINING_VERB = re.compile(
    r"\b(?:is|are|means|refers to|measures|describes|quantifies|represents|maps)\b", re.I
)
_NAMED = re.compile(r"\b(?:called|known as|named|or)\s+(?:the |a |an )?[“\"]?([^,;.”\"]{1,60})")
_WH_START = re.compile(
    r"^\s*(?:what|which|who|how|why|when|where)\b(?:\s+(?:is|are|was|were|does|do|did|can|"
    r"could|should|would|will))?\s*(?:a|an|the)?\s*",
    re.I,
)
_PREPOSITION = re.compile(r"\s(?:of|in|for|between|with|on|from|to|when|and|if|that|than)\s", re.I)
_EXERCISE = re.compile(
    r"^\s*(?:(?:exercise|problem|example)\s+\d|in (?:this|the next|the previous) exercise)", re.I
)
_LEANS_BACK = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|so|but|here|such|because of (?:this|that)"
    r"|for (?:this|that) reason|as a result|in (?:this|that|the same) (?:example|case|way))\b",
    re.I,
)
# A sentence that only says how a thing is written ("the modulus operator is a percent sign
# (%)", "… is written as two slashes"): what the thing does is in the sentence before it.
_NAMES_A_SIGN = re.compile(
    r"\b(?:is|are)\s+(?:written\s+(?:as\s+|with\s+)?)?(?:a|an|the|two|three)?\s*"
    r"(?:[\w-]+\s+){0,3}(?:sign|signs|symbol|symbols|character|characters|slash|slashes|"
    r"asterisks?|keyword)\b",
    re.I,
)
_NAMING_WORDS = 16
_ASSIGNMENT = re.compile(r"^[\w, .\[\]]+=\s*[\w.]+\(")
_WHICH = re.compile(r",\s+which\s+\w+")  # "…, which is / means / maps …"
_POSSESSIVE = re.compile(r"['’]s\b")
_SUBORDINATE = re.compile(r"^\s*(?:if|when|once|although|because|while|as|since|unless|to)\b", re.I)
_FRAGMENT_END = re.compile(r"[;,:]?\s*(?:in other words|as follows|like this|that is)?[;,:]?$")
_PROSE_END = re.compile(r"[.!][\"'”’)\]]*$")
_WORDY = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class Candidate:
    """A quotable sentence (or glossary entry) of one passage."""

    text: str
    passage: int
    order: int  # position in the passage's sentence list
    cut: bool = False  # ends mid-sentence (at a formula or listing): quoted with "…"
    glossary: bool = False  # a glossary entry, complete in itself


def candidates(passages: Sequence[Passage]) -> list[list[Candidate]]:
    """Per passage, its quotable sentences in reading order."""
    found: list[list[Candidate]] = []
    for index, passage in enumerate(passages):
        sentences: list[Candidate] = []
        for block, glossary in _blocks(passage.text, passage.title.strip()):
            parts = [s for p in nlp.sentences(block) for s in sel._QUOTED_END.split(p)]
            if glossary and parts:  # the entry is one item, whatever its full stops
                parts = [block] if len(block.split()) <= 60 else parts[:1]
            for n, text in enumerate(parts):
                last = n == len(parts) - 1
                usable, cut = _quotable(text, last, glossary=glossary)
                if usable:
                    sentences.append(Candidate(text, index, len(sentences), cut, glossary))
        found.append(sentences)
    return found


def _blocks(text: str, title: str) -> list[tuple[str, bool]]:
    """Runs of prose lines, a glossary bullet with its continuation lines flagged True. A
    bullet starts a run; a line that is code, a formula piece, a caption or a heading ends
    one."""
    blocks: list[tuple[list[str], bool]] = [([], False)]
    for line in text.splitlines():
        stripped = line.strip()
        bullet = sel._BULLET.match(line)
        body = line[bullet.end() :].strip() if bullet else stripped
        if bullet and _GLOSSARY.match(body):
            blocks.append(([body], True))
        elif not _wordy_line(stripped, title):
            blocks.append(([], False))
        elif bullet:
            blocks.append(([body], False))
        elif blocks[-1][1] and _PROSE_END.search(blocks[-1][0][-1]):
            blocks.append(([stripped], False))  # the glossary entry ended on the line before
        else:
            blocks[-1][0].append(stripped)
    return [(" ".join(lines), glossary) for lines, glossary in blocks if lines]


def _wordy_line(line: str, title: str) -> bool:
    """A line of running text, possibly with a symbol in it ("the mean, x¯, is"); not code,
    a caption, a heading or a piece of a formula or table."""
    if not line or line == title or sel._CODE_LINE.match(line) or sel._CAPTION.match(line):
        return False
    if ". . ." in line or _ASSIGNMENT.match(line):  # contents' leaders; "a, b = f(x)"
        return False
    tokens = line.split()
    wordy = sum(1 for t in tokens if _WORDY.search(t))
    if wordy < 0.6 * len(tokens) or not sel._LONG_WORD.search(line):
        return False
    ends_clause = line[-1] in ".!?,;:)”\"'’"
    if len(tokens) < 4 and not ends_clause:
        return False
    return not (bool(sel._HEADING.match(line)) and not ends_clause and len(line) < 90)


def _quotable(text: str, last_of_block: bool, *, glossary: bool = False) -> tuple[bool, bool]:
    """Whether a sentence can be quoted as an answer, and whether it is cut short (the last
    words of a block that runs into a formula or listing)."""
    words = text.split()
    if len(words) < 3 or len(words) > 80 or "?" in text:
        return False, False
    if not glossary and not text.lstrip("\"'“‘(•")[:1].isupper():
        return False, False
    if _PROSE_END.search(text):
        return True, False
    if last_of_block and len(words) >= 8:
        return True, True
    return False, False


def focus(question: str) -> str:
    """What a question asks about: "What is the mean of a sample?" -> "mean of a sample",
    "What does skewness measure?" -> "skewness"."""
    text = question.strip().rstrip("?").strip()
    asks_verb = re.match(r"^\s*(?:what|how|why)\s+(?:does|do|did)\s+", text, re.I)
    text = _WH_START.sub("", text, count=1).strip()
    if asks_verb and len(text.split()) >= 2:
        text = text.rsplit(" ", 1)[0]  # "what does X measure" asks about X
    return text or question


def symbols(question: str) -> set[str]:
    """The operators and special names a question writes out: "What does % do?" -> {"%"},
    "= and ==" -> {"=", "=="}, "__init__" -> {"__init__"}. Question marks are not operators,
    nor is a hyphen inside a word or a lone dash (a typed "–" more often than a minus)."""
    text = question.replace("?", " ")
    found = {m.group(0) for m in _SYMBOL.finditer(text)}
    found |= {m.group(0) for m in _DUNDER.finditer(text)}
    return found - {"-"}


def writes(text: str, symbol: str) -> bool:
    """Whether the text writes `symbol` as a token of its own: "%" in "a percent sign (%)"
    but not in "5%", "//" in "x // y" but not in "http://"."""
    if _DUNDER.fullmatch(symbol):
        return re.search(rf"\b{re.escape(symbol)}\b", text) is not None
    ops = _OPERATOR_CHARS
    pattern = rf"(?<![\w{ops}:]){re.escape(symbol)}(?![\w{ops}])"
    return re.search(pattern, text) is not None


def terms(text: str) -> set[str]:
    """nlp.terms with possessives dropped, so "Cohen's d" and "Cohen’s d" agree."""
    return nlp.terms(_POSSESSIVE.sub("", text))


# Words of a learner's question that name nothing the answer would contain: "What happens if
# …", "doesn't" (a contraction is not a term, though nlp keeps it as one word).
_ASKING_WORDS = frozenset(["happen"])


def asked_terms(question: str) -> set[str]:
    """The question's terms less its contractions and asking words."""
    return {t for t in terms(question) if not t.endswith("n't") and t not in _ASKING_WORDS}


def overlap(question: str, text: str) -> float:
    """Share of the question's terms that the text contains."""
    wanted = asked_terms(question)
    return len(wanted & terms(text)) / len(wanted) if wanted else 0.0


def rank(
    question: str, found: list[Candidate], embedder: sel.TextEmbedder
) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's score against the question (0.6 cosine + 0.25 share of the question's
    terms it contains + 0.15 if it defines what the question asks about), less penalties for
    exercises, sentences cut short that define nothing, and sentences that point at a formula
    or listing they do not show ("the previous formula"); and the candidates' vectors."""
    vectors = sel.embed(embedder, [question] + [c.text for c in found])
    cosine = vectors[1:] @ vectors[0]
    wanted = focus(question)
    doing = bool(_ASKS_DOING.match(question))
    shared = np.array([overlap(question, c.text) for c in found], dtype=np.float32)
    defines = np.array([_defines(wanted, c.text, doing) for c in found], dtype=np.float32)
    exercise = np.array([bool(_EXERCISE.match(c.text)) for c in found], dtype=np.float32)
    cut = np.array([c.cut for c in found], dtype=np.float32)
    pointing = np.array([bool(sel._LEANING_ANYWHERE.search(c.text)) for c in found])
    short = np.array([len(c.text.split()) < 6 for c in found], dtype=np.float32)
    asked = symbols(question)
    written = np.array(
        [bool(asked) and all(writes(c.text, s) for s in asked) for c in found], dtype=np.float32
    )
    penalty = 0.25 * exercise + 0.1 * cut * (defines < 1) + 0.08 * pointing + 0.2 * short
    score = (
        W_COSINE * cosine + W_TERMS * shared + W_DEFINES * defines + W_SYMBOL * written - penalty
    )
    return score, vectors[1:]


def core(wanted: str) -> set[str]:
    """The head of what is asked about, as terms: the words before its first preposition
    ("mode of a distribution" -> {mode}, "serial correlation in a time series" -> {serial,
    correlation}), or all of it."""
    head = _PREPOSITION.split(wanted, maxsplit=1)[0]
    return terms(head) or terms(wanted)


def _defines(wanted: str, text: str, doing: bool = False) -> float:
    """1 when the sentence states what `wanted` is: the head of it is the subject of a
    defining verb ("X is …", "X, which means …", "the X, x¯, is …"), is what something is
    "called", or is a glossary entry "X: …"; for a question what X *does* (`doing`), also
    when X opens the sentence as its subject ("The try statement runs …"); 0.5 when it only
    names that head; else 0."""
    head = core(wanted)
    if not head or not head <= terms(text):
        return 0.0
    if doing and _opens_with(head, text):
        return 1.0
    glossary = _GLOSSARY.match(text)
    if glossary:
        return 1.0 if head <= terms(glossary.group(1)) else 0.5
    verb = _DEFINING_VERB.search(text)
    if verb:
        subject = text[: verb.start()]
        if _SUBORDINATE.match(subject):  # "If the p-value is low": a condition, not a subject
            subject = subject.split(",", 1)[1] if "," in subject else ""
        gerund = subject.split()[0].lower().endswith("ing") if subject.split() else False
        if len(subject.split()) <= 12 and head <= terms(subject) and not gerund:
            return 1.0  # "Estimating the p-value … is" is about estimating, not the p-value
    named = _NAMED.search(text)
    if named and head <= terms(named.group(1)):
        return 1.0
    which = _WHICH.search(text)
    if which and head <= terms(" ".join(text[: which.start()].split()[-6:])):
        return 1.0  # "… is the interquartile range (IQR), which is a measure of …"
    return 0.5


_ASKS_DOING = re.compile(r"^\s*what\s+(?:does|do)\s+.+\s+do\b", re.I)  # "What does X do?"
_ARTICLE = re.compile(r"^(?:the|a|an|in python,?|in general,?)\s+", re.I)


def _opens_with(head: set[str], text: str) -> bool:
    """Whether the sentence opens with the head as its subject: its words come first, after
    an article, with at most one other word among them ("The try statement", "A for loop")."""
    words = _ARTICLE.sub("", text.strip().lstrip("\"'“‘(•")).split()
    opening = terms(" ".join(words[: len(head) + 1]))
    return head <= opening


def choose(score: np.ndarray, vectors: np.ndarray, found: list[Candidate]) -> list[int]:
    """The best candidate and up to two more within QUOTE_MARGIN of it, best first, none
    repeating another; empty when the best is below ANSWER_FLOOR."""
    if not found or float(score.max()) < ANSWER_FLOOR:
        return []
    best = float(score.max())
    chosen: list[int] = []
    for i in np.argsort(-score, kind="stable"):
        i = int(i)
        if score[i] < best - QUOTE_MARGIN or len(chosen) == MAX_QUOTES:
            break
        if all(vectors[i] @ vectors[j] <= 0.85 for j in chosen):
            chosen.append(i)
    return chosen


def with_context(lead: Candidate, passage: list[Candidate]) -> list[Candidate]:
    """The lead sentence with what it needs around it: the one or two sentences before it
    when it leans on them ("This result is …", "Because of this …"), and the sentence after
    it when the two are short enough together ("… which has two advantages. First, …"),
    since a book's answer seldom fits in one sentence."""
    taken = [lead]
    if _names_a_sign(lead) and lead.order > 0:
        before = passage[lead.order - 1]
        if terms(before.text) & terms(_NAMES_A_SIGN.split(lead.text, maxsplit=1)[0]):
            return [before, lead]  # "… the modulus operator, which returns the remainder."
    if _LEANS_BACK.match(lead.text) and lead.order > 0:
        before = passage[lead.order - 1]
        taken.insert(0, before)
        if lead.order >= 2 and (_LEANS_BACK.match(before.text) or sel._MATH.search(before.text)):
            taken.insert(0, passage[lead.order - 2])
    after = passage[lead.order + 1] if lead.order + 1 < len(passage) else None
    if (
        after is not None
        and not (lead.cut or lead.glossary or after.glossary)
        and len(lead.text.split()) + len(after.text.split()) <= _PAIR_WORDS
    ):
        taken.append(after)
    return taken


def _names_a_sign(candidate: Candidate) -> bool:
    """A short sentence that says how something is written rather than what it does."""
    return len(candidate.text.split()) <= _NAMING_WORDS and bool(
        _NAMES_A_SIGN.search(candidate.text)
    )


def quote(candidate: Candidate) -> str:
    """The candidate as it is quoted: verbatim, a cut marked with "…"."""
    text = sel.normalise(candidate.text)
    if candidate.cut:
        text = _FRAGMENT_END.sub("", text).rstrip(" ;,:") + " …"
    return text


def joined(group: list[Candidate], passage: Passage) -> str:
    """The group's quotes as one quotation: sentences that follow each other in the material
    joined by a space, a gap between them (a listing, a sentence left out) marked "…"."""
    source = sel.normalise(passage.text)
    text = quote(group[0])
    for candidate in group[1:]:
        piece = quote(candidate)
        together = f"{text} {piece}"
        text = (
            together if together.replace(" …", "") in source else f"{text.rstrip(' …')} … {piece}"
        )
    return text
