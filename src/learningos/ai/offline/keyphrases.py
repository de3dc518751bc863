"""Text analysis for the offline planner: prose, sentences, key-phrase candidates, readability.

Everything here is cheap (regular expressions and counting): the planner embeds only the few
texts these functions pre-select. Phrases are stemmed n-grams of content words ("grams"):
"Kernel density estimates" and "kernel density estimation" are the same gram.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from learningos.ai.offline import nlp

Gram = tuple[str, ...]
MAX_GRAM = 3

# Words that are never a key phrase on their own nor inside one, on top of nlp.STOPWORDS:
# the vocabulary of textbooks talking about themselves and of ordinary narration.
_GENERIC_WORDS = """example examples chapter chapters section sections figure figures fig table
    tables page pages exercise exercises equation equations appendix book books reader readers
    author following previous next first second third last new different same similar good
    better best bad large larger largest small smaller smallest big little see seen shows show
    showing shown look looks looking like want wants need needs know known going say says said
    call calls called let lets also another important useful simple simply case cases number
    numbers part parts kind kinds lot lots really actually often usually sometimes always never
    instead already able around back come comes give gives given take takes taken find finds
    found try tries think thinks seems seem put puts means meaning every something anything
    nothing everything someone people word words thing things time times here there whose below
    above later earlier again sure probably likely possible quite rather almost enough across
    along among amongst behind beyond toward towards upon within without onto inside outside
    near unlike despite except including according besides throughout whereas whenever
    wherever"""
_GENERIC = frozenset(_GENERIC_WORDS.split())  # not "mean": a statistics term as well

# Function words of the other languages people upload most, used only when the text is in
# that language (German "die" and Spanish "las" are words of English statistics books too).
_FOREIGN = {
    "de": """der die das den dem des ein eine einer eines einem einen und oder ist sind sei
        seien wird werden wenn dann mit von zu für auf aus bei nach über unter nicht auch als wie
        so es sie er wir ihr man sich dass daß gilt heißt noch nur durch zum zur im am vom ins
        beim alle jede jeder jedes jeden dieser diese dieses diesem diesen kann können gibt hat
        haben war waren wurde wurden sein seine seiner seinen bzw sowie gilt folgt also somit
        damit denn doch schon sehr mehr viele wo was wer welche welcher welches""",
    "fr": """le la les un une des du de et ou est sont dans pour par sur avec que qui ce cette
        ces il elle nous vous ils elles pas plus au aux en se sa son ses leur leurs comme mais""",
    "es": """el la los las un una unos unas y o es son en para por con que se del al lo su sus
        como más pero este esta estos estas""",
}
_LANGUAGE_MARKERS = {
    "en": {"the", "and", "is", "of", "to", "that", "with"},
    "de": {"der", "und", "ist", "nicht", "eine", "mit", "dass"},
    "fr": {"le", "et", "est", "les", "une", "des", "pour"},
    "es": {"el", "y", "es", "los", "una", "para", "por"},
}

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\S")
_CAMEL = re.compile(r"[a-z][A-Z]")
_ADVERB = re.compile(r"(?<!i|p|o|a)(?<!mb)ly$")  # "usually", not "family", "supply", "assembly"
_POSSESSIVE = re.compile(r"['’]s$")

# Lines that are code, figure captions or axis labels rather than prose.
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |return\b|import |from \S+ import|for \w+ in |while |elif |else:|try:"
    r"|except\b|print\(|>>>|\$ |#include|@\w)"
    r"|\w\s*(?:==|!=|\+=|-=|\*=|/=|:=|->|=>)"
    r"|^\s*[\w.\[\]'\", ]+\s=\s"
    r"|\w\.\w+\("
    r"|[{};]\s*$|^\s*[}\])]"
    r"|\w_\w"
)
_CAPTION = re.compile(
    r"^\s*(?:figure|fig\.|table|listing|abbildung|abb\.|tabelle|source:|quelle:)\s*[\dIVX]", re.I
)
_MATH = re.compile(r"[=<>∈∉⊆⊂⊇⊃∪∩∀∃⇔⇒⇐→←↦∑∏∫√±≤≥≠≈∞∂∇×÷|^\\~]")
_SENTENCE_PUNCT = re.compile(r"[.!?:]")
_SENTENCE_ENDS = frozenset(".!?")
# "Definition 6", "Satz 1.1 (Heine-Borel)", "Proof:" on a line of their own: labels of the
# block that follows, not part of its first sentence.
_LABEL_LINE = re.compile(
    r"^(?:definition|def\.|satz|theorem|lemma|korollar|corollary|proposition|bemerkung|remark"
    r"|beispiel|example|beweis|proof|folgerung|hinweis|beobachtung|notation|aufgabe|exercise"
    r"|lösung|solution|algorithm|algorithmus)\b\s*[\d.]*\s*(?:\([^)]*\))?\s*:?\s*$",
    re.I,
)
# A sentence cut short at an abbreviation the splitter does not know ("wie z.").
_ABBREVIATION_END = re.compile(
    r"(?:^|\s)(?:[a-z]\.){1,3}$|\b(?:vgl|bzw|bspw|ca|usw|evtl|ggf|al|abb|nr|def|bew|beh|resp|cf)\.$",
    re.I,
)
_LIST_ITEM = re.compile(r"^\s*(?:[•◦▪·*–-]|\(?[ivx]{1,4}\)|\(?[a-h]\)|\d{1,2}[.)])\s+")

# Sentences that make a poor description: captions, cross-references, dangling openings
# (a sentence that continues an argument or a worked example: "In this code, weeks is …",
# "If you read the codebook …", "The result is …").
_BAD_OPENING = re.compile(
    r"^(?:figure|fig\.|table|listing|abbildung|tabelle|exercise|aufgabe|as an example|for "
    r"example|here(?:'s|’s| is| are)|in this (?:chapter|section|code|example|case|context|book)"
    r"|in the (?:next|previous|last|first)|now |so |and |but |or |also |then |this |these |that "
    r"|those |it |its |they |their |his |her |such |there |we |let['’]s |if you |when you |you "
    r"|your |i |i['’]|my |in summary|in other words|in that case|on the other hand|however|"
    r"similarly|likewise|finally|first,|second,|next,|again|otherwise|instead|thus|hence|"
    r"therefore|as (?:we|you|i) |as (?:shown|mentioned|expected)|remember|recall|the result|"
    r"the next|the previous|the same|the other|the rest|one more|another |after |once |at this"
    r"|at that|to (?:see|do|get|test|compute|make|find|check|run|demonstrate|answer) |even |"
    r"still |both |each of |for (?:this|that|these|each|instance) |with (?:this|that) |using "
    r"|where |which |while |whereas |because |one (?:choice|option|way|alternative) "
    r"|the (?:first|second|third|final) step|if (?:all )?we )",
    re.I,
)
# References a sentence needs its surroundings for: "this code", "the function above".
_DANGLING = re.compile(
    r"\b(?:this|that|these|those|the (?:above|following|previous|next|last))\s+(?:code|"
    r"examples?|functions?|programs?|figures?|methods?|sections?|chapters?|outputs?|results?|"
    r"lines?|loops?|versions?|steps?|calls?|scripts?|snippets?|listings?|exercises?|cells?)\b"
    r"|\b(?:above|below|as follows|the following)\b|\bas we (?:saw|have seen)\b"
    r"|\b(?:this|these|those) [^\W\d_]|\bthat (?:kind|sort|type|way)\b|\blike (?:this|that)\b"
    r"|\bthe (?:first |second |last |next )?(?:loop|code|line|output|script|listing)\b",
    re.I,
)
# Headings and page furniture run into the text: "Chapter2 Variables …", "2.3 Plotting …".
_HEADING_ARTIFACT = re.compile(
    r"\b(?:chapter|section|part|kapitel|page|p\.)\s*\d|\b\d{1,2}\.\d{1,2}\.?\s+[A-Z]", re.I
)
_PAIRS = (("(", ")"), ("[", "]"), ("“", "”"))
_VARIABLE = re.compile(r"(?<![\w'’.-])[b-zB-HJ-Z](?![\w'’-])")
# Function calls, file names, dotted names, a new sentence opening in lower case (an
# identifier: "means is the list of estimates"), web addresses.
_CODE_IN_PROSE = re.compile(r"\w\(|[A-Za-z]\.[A-Za-z]{2,}|\.\s+[a-z]|https?:|www\.")
_CROSS_REFERENCE = re.compile(r"\b(?:section|chapter|figure|table|exercise|page)s?\s+\d", re.I)

_PARTICIPLE = re.compile(r"[^e]ed$")  # "observed", not "speed"
_VOWEL_GROUPS = re.compile(r"[aeiouyäöüéèàáíóú]+")


def has_identifier(text: str) -> bool:
    """Whether the text names something in code: "HypothesisTest", "MakePmf"."""
    return bool(_CAMEL.search(text))


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """The stem a word is counted under ("Pearson’s" and "pearson" are one word)."""
    return nlp.stem(_POSSESSIVE.sub("", word.lower()))


def word_count(text: str) -> int:
    """Words of any language (letters only), code included: what a reader has to get through."""
    return sum(1 for token in _TOKEN.findall(text) if token[0].isalpha())


def stopwords_for(text: str) -> frozenset[str]:
    """English stopwords and generic words, plus the function words of the text's language
    when it is not English (decided on the first 20,000 characters)."""
    sample = Counter(w.lower() for w in _TOKEN.findall(text[:20000]))
    hits = {lang: sum(sample[w] for w in marks) for lang, marks in _LANGUAGE_MARKERS.items()}
    language = max(sorted(hits), key=lambda lang: hits[lang])
    extra = frozenset(_FOREIGN[language].split()) if language in _FOREIGN else frozenset()
    return nlp.STOPWORDS | _GENERIC | extra


# --- prose ----------------------------------------------------------------------------------


def is_prose_line(line: str) -> bool:
    """A line of running text: not code, not a caption, mostly letters, few math symbols."""
    stripped = line.strip()
    if not stripped or _CODE_LINE.search(stripped) or _CAPTION.match(stripped):
        return False
    if _LABEL_LINE.match(stripped):
        return False
    visible = [ch for ch in stripped if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in visible)
    symbols = len(_MATH.findall(stripped))
    return letters >= 0.6 * len(visible) and symbols <= 0.1 * len(visible)


def prose_blocks(text: str) -> list[str]:
    """Runs of consecutive prose lines, each joined with single spaces.

    A block is a substring of the whitespace-normalised text, so a sentence taken from a block
    is quoted exactly. Short runs without sentence punctuation (chart legends, axis titles)
    are dropped."""
    blocks: list[str] = []
    run: list[str] = []
    for line in [*text.split("\n"), ""]:
        if is_prose_line(line):
            item = _LIST_ITEM.match(line)
            if item and run:  # a list item starts a block of its own, without its bullet
                blocks.append(" ".join(run))
                run = []
            run.append(" ".join(line[item.end() if item else 0 :].split()))
            continue
        if run:
            block = " ".join(run)
            if len(block.split()) >= 8 or _SENTENCE_PUNCT.search(block):
                blocks.append(block)
            run = []
    return blocks


def block_sentences(blocks: Iterable[str]) -> list[str]:
    """The sentences of prose blocks, in order."""
    return [s for block in blocks for s in nlp.sentences(block)]


def is_description_sentence(sentence: str, *, strict: bool = True) -> bool:
    """A complete sentence of plain prose that can stand alone in a concept's description.

    Not strict: symbols and one-letter names are let through, for mathematical texts whose
    every sentence has some."""
    n_words = len(sentence.split())
    if not 7 <= n_words <= 45 or len(sentence) > 300:
        return False
    if not (sentence[0].isupper() and sentence.endswith((".", "!"))):
        return False
    if _BAD_OPENING.match(sentence) or _CROSS_REFERENCE.search(sentence):
        return False
    if _DANGLING.search(sentence) or _HEADING_ARTIFACT.search(sentence):
        return False
    if sentence.count('"') % 2 or any(sentence.count(a) != sentence.count(b) for a, b in _PAIRS):
        return False  # a quotation or bracket cut off by the sentence splitter
    if _CODE_IN_PROSE.search(sentence) or _ABBREVIATION_END.search(sentence):
        return False
    visible = [ch for ch in sentence if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in visible)
    if not strict:
        return letters >= 0.75 * len(visible) and len(_MATH.findall(sentence)) <= 2
    if _MATH.search(sentence) or letters < 0.82 * len(visible):
        return False
    if re.search(r"\d", sentence):  # a figure from a worked example, not the idea itself
        return False
    if _VARIABLE.search(sentence):  # "the distribution of Z", "x is any value"
        return False
    # Letters standing for values ("x", "n"), not the articles "a" and "I".
    singles = sum(1 for w in sentence.split() if len(w.strip(".,;:()")) == 1 and w not in "aAI")
    return singles <= max(1, n_words // 8)  # many one-letter words: a formula in words


# --- n-grams --------------------------------------------------------------------------------


@dataclass
class Lexicon:
    """Counts stemmed n-grams of content words and remembers how each was written."""

    stop: frozenset[str]
    forms: dict[Gram, Counter[str]] = field(default_factory=dict)

    def is_term_word(self, word: str) -> bool:
        low = word.lower()
        if (len(low) < 3 and not word.isupper()) or low in self.stop:
            return False
        return not (_CAMEL.search(word) or _ADVERB.search(low))

    def runs(self, text: str) -> list[list[str]]:
        """Maximal runs of content words; punctuation, digits and stopwords end a run."""
        return [run for run, _ in self._runs(text)]

    def _runs(self, text: str) -> list[tuple[list[str], bool]]:
        """Runs of content words, each with whether it opens a sentence."""
        runs: list[tuple[list[str], bool]] = []
        current: list[str] = []
        opens = at_start = True
        for token in _TOKEN.findall(text):
            if token[0].isalpha() and self.is_term_word(token):
                if not current:
                    opens = at_start
                current.append(token)
            elif current:
                runs.append((current, opens))
                current = []
            at_start = token in _SENTENCE_ENDS
        if current:
            runs.append((current, opens))
        return runs

    def count(self, blocks: Iterable[str], *, remember: bool = True) -> Counter[Gram]:
        """Occurrences of every 1- to 3-gram of content words in the blocks."""
        counts: Counter[Gram] = Counter()
        for block in blocks:
            for run, opens in self._runs(block):
                keys = [word_key(w) for w in run]
                if opens and not run[0].isupper():  # "Photosynthesis is …": no name
                    run = [run[0].lower(), *run[1:]]
                for n in range(1, MAX_GRAM + 1):
                    for i in range(len(run) - n + 1):
                        gram = tuple(keys[i : i + n])
                        if n > 1 and len(set(gram)) < n:
                            continue  # "data data"
                        counts[gram] += 1
                        if remember:
                            self._remember(gram, run[i : i + n])
        return counts

    def _remember(self, gram: Gram, words: list[str]) -> None:
        form = " ".join(words)
        forms = self.forms.get(gram)
        if forms is None:
            self.forms[gram] = forms = Counter()
        forms[form] += 1

    def candidates(
        self, counts: Counter[Gram], weights: dict[Gram, float], words: int, limit: int
    ) -> list[tuple[Gram, float]]:
        """The best `limit` phrase candidates of a text by TF-IDF, longer phrases favoured.

        A phrase of several words must occur twice: a sequence seen once is usually an
        accident of syntax ("cycle depends"), not a term; so must a single word, in a text of
        some length. A phrase ending in a past participle ("values observed") is no noun
        phrase."""
        scored = []
        for gram, tf in counts.items():
            if tf < (1 if len(gram) == 1 and words < 250 else 2):
                continue
            if len(gram) > 1 and _PARTICIPLE.search(self.surface(gram)):
                continue
            boost = 1.0 + 0.35 * (len(gram) - 1)
            scored.append((gram, math.log1p(tf) * weights.get(gram, 1.0) * boost))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]

    def surface(self, gram: Gram) -> str:
        """The gram as the text writes it most often, lower-cased unless it is an acronym or
        a name (written with capitals mid-sentence as often as not)."""
        forms = self.forms.get(gram)
        if not forms:
            return " ".join(gram)
        lowered: Counter[str] = Counter()
        for form, n in forms.items():
            lowered[form.lower()] += n
        best_lower = min(lowered, key=lambda f: (-lowered[f], f))
        variants = {f: n for f, n in forms.items() if f.lower() == best_lower}
        words = []
        for i, word in enumerate(best_lower.split()):
            spellings: Counter[str] = Counter()
            for form, n in variants.items():
                spellings[form.split()[i]] += n
            upper = sum(n for w, n in spellings.items() if w != w.lower())
            cased = max(spellings, key=lambda w: (spellings[w] if w != w.lower() else -1, w))
            words.append(cased if upper * 2 >= sum(spellings.values()) else word)
        return " ".join(words)


def title_grams(lexicon: Lexicon, title: str) -> set[Gram]:
    """All n-grams of a title (not counted as forms: titles are cased differently)."""
    return set(lexicon.count([title], remember=False))


def idf(document_counts: Sequence[Counter[Gram]]) -> dict[Gram, float]:
    """Smoothed inverse document frequency of each gram over the given documents."""
    df: Counter[Gram] = Counter()
    for counts in document_counts:
        df.update(counts.keys())
    n = len(document_counts)
    return {gram: math.log((1 + n) / (1 + d)) + 1.0 for gram, d in df.items()}


def mmr(candidates: np.ndarray, relevance: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: each pick is relevant (`relevance`: each candidate's
    score against the text) and unlike the earlier picks (cosine; rows are unit vectors)."""
    chosen: list[int] = []
    if len(candidates) == 0:
        return chosen
    pairwise = candidates @ candidates.T
    remaining = list(range(len(candidates)))
    while remaining and len(chosen) < k:
        if chosen:
            redundancy = pairwise[np.ix_(remaining, chosen)].max(axis=1)
        else:
            redundancy = np.zeros(len(remaining))
        scores = (1 - diversity) * relevance[remaining] - diversity * redundancy
        best = remaining[int(np.argmax(scores))]
        chosen.append(best)
        remaining.remove(best)
    return chosen


def sentence_case(phrase: str) -> str:
    """Capitalise the first letter only: "kernel density estimation" → "Kernel density
    estimation"; acronyms and names keep their capitals."""
    return phrase[:1].upper() + phrase[1:] if phrase else phrase


# --- readability ----------------------------------------------------------------------------


def syllables(word: str) -> int:
    """Syllables of an English word, by vowel groups with the usual silent-e corrections."""
    w = word.lower().strip("'’-")
    if len(w) <= 3:
        return 1
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")):
        w = w[:-1]  # "make", but "table" and "agree"
    elif w.endswith(("es", "ed")) and not w.endswith(("ted", "ded", "ses", "zes", "ces", "ges")):
        w = w[:-2]  # "used", "makes", but "created", "cases"
    return max(1, len(_VOWEL_GROUPS.findall(w)))


@dataclass(frozen=True)
class Readability:
    grade: float  # Flesch–Kincaid grade level
    polysyllables: float  # share of words of three syllables or more
    sentences: int


def readability(sentences: Sequence[str]) -> Readability | None:
    """Flesch–Kincaid grade over prose sentences (None without any)."""
    tokens = ([w for w in _TOKEN.findall(s) if w[0].isalpha()] for s in sentences)
    counted = [ws for ws in tokens if len(ws) >= 3]
    n_words = sum(len(ws) for ws in counted)
    if not counted or not n_words:
        return None
    counts = [syllables(w) for ws in counted for w in ws]
    grade = 0.39 * n_words / len(counted) + 11.8 * sum(counts) / n_words - 15.59
    poly = sum(1 for c in counts if c >= 3) / n_words
    return Readability(grade, poly, len(counted))
